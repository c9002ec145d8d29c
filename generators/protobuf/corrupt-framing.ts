/**
 * Corrupt samples whose framing is broken, so no decoder can read them:
 * truncated fields, overlong varints, lengths past the end, unclosed groups,
 * nesting past the decode depth limit. A correct consumer rejects all of them.
 */
import fc from "fast-check";
import protobuf from "protobufjs";

import { encodeValue } from "./codec.ts";
import type { GeneratorContext } from "./context.ts";
import type { Draft } from "./draft.ts";
import { DECODE_DEPTH_LIMIT } from "./boundary.ts";
import { elementWireType, formatPath, isPackable, nestingFields, unusedFieldNumber } from "./schema.ts";
import { WireType, WireWriter, varintBytes } from "./wire.ts";

/** Varints have at most 10 bytes; these lengths are all longer. */
const OVERLONG_VARINT_LENGTHS = [11, 12, 20];
/** Length prefixes near 2^31 and 2^32, where signed and unsigned 32-bit lengths overflow. */
const HUGE_LENGTHS = [2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 1];
/** Start-group tags without end tags; thousands exhaust a recursive skipper's stack. */
const UNCLOSED_GROUP_COUNTS = [1_000, 5_000];
/**
 * Nesting levels past DECODE_DEPTH_LIMIT: one past it, and one past the
 * 10,000-level default of Go's protobuf decoder.
 */
const DEEP_NESTING_LEVELS = [DECODE_DEPTH_LIMIT + 1, 1_000, 10_001];

/** A top-level field of the given element wire type, or a field number the message does not use. */
function topLevelTarget(
  type: protobuf.Type,
  accept: (field: protobuf.Field) => boolean,
  minFieldNumber = 1,
): { fieldNumber: number; path: string } {
  const field = type.fieldsArray.find((candidate) => !candidate.map && candidate.id >= minFieldNumber && accept(candidate));
  if (field) return { fieldNumber: field.id, path: field.name };
  return { fieldNumber: unusedFieldNumber(type, minFieldNumber), path: "" };
}

function reject(context: GeneratorContext, mutation: string, path: string, tail: (writer: WireWriter) => WireWriter): fc.Arbitrary<Draft> {
  return context.base.map((base): Draft => ({
    class: "corrupt",
    mutation,
    path,
    bytes: tail(new WireWriter().raw(encodeValue(context.type, base))).finish(),
    expect: "reject",
  }));
}

function truncations(context: GeneratorContext): fc.Arbitrary<Draft>[] {
  // Field numbers from 16 up take two tag bytes, so the tag can end after one.
  const wideTag = topLevelTarget(context.type, () => true, 16);
  const varint = topLevelTarget(context.type, (field) => elementWireType(field) === WireType.VARINT);
  const delimited = topLevelTarget(context.type, (field) => elementWireType(field) === WireType.LEN);

  const midTag = reject(context, "corrupt.truncate-mid-tag", wideTag.path, (writer) =>
    writer.raw(varintBytes(wideTag.fieldNumber * 8).subarray(0, 1)),
  );
  const midVarint = fc.constantFrom(150, 2 ** 40).chain((value) =>
    reject(context, "corrupt.truncate-mid-varint", varint.path, (writer) =>
      writer.tag(varint.fieldNumber, WireType.VARINT).raw(varintBytes(value).subarray(0, -1)),
    ),
  );
  const midLength = fc.constantFrom(1, 10, 300).chain((length) =>
    reject(context, "corrupt.truncate-mid-length-delimited", delimited.path, (writer) =>
      writer.tag(delimited.fieldNumber, WireType.LEN).varint(length).raw(new Uint8Array(length - 1).fill(0x61)),
    ),
  );
  return [midTag, midVarint, midLength];
}

/**
 * An 11-byte or longer varint. It goes to a known varint field where there is
 * one: a decoder skipping an unknown varint may not count its bytes.
 */
function overlongVarint(context: GeneratorContext): fc.Arbitrary<Draft> {
  const varint = context.type.fieldsArray.find((field) => !field.map && elementWireType(field) === WireType.VARINT);
  return fc.constantFrom(...OVERLONG_VARINT_LENGTHS).chain((length) => {
    const overlong = [...new Array<number>(length - 1).fill(0x80), 0x01];
    if (varint) {
      return reject(context, "corrupt.overlong-varint", varint.name, (writer) => writer.tag(varint.id, WireType.VARINT).raw(overlong));
    }
    // No varint field: the overlong varint is a length prefix instead.
    const fieldNumber = unusedFieldNumber(context.type);
    return reject(context, "corrupt.overlong-varint", "", (writer) => writer.tag(fieldNumber, WireType.LEN).raw(overlong));
  });
}

function lengths(context: GeneratorContext): fc.Arbitrary<Draft>[] {
  const delimited = topLevelTarget(context.type, (field) => elementWireType(field) === WireType.LEN || (field.repeated && isPackable(field)));
  const pastEnd = fc.constantFrom(1, 2, 1000).chain((excess) =>
    reject(context, "corrupt.length-past-end", delimited.path, (writer) =>
      writer.tag(delimited.fieldNumber, WireType.LEN).varint(4 + excess).raw([0x61, 0x62, 0x63, 0x64]),
    ),
  );
  const huge = fc.constantFrom(...HUGE_LENGTHS).chain((length) =>
    reject(context, "corrupt.length-huge", delimited.path, (writer) =>
      writer.tag(delimited.fieldNumber, WireType.LEN).varint(length).raw([0x61, 0x62, 0x63, 0x64]),
    ),
  );
  return [pastEnd, huge];
}

function unclosedGroups(context: GeneratorContext): fc.Arbitrary<Draft> {
  const fieldNumber = unusedFieldNumber(context.type);
  return fc.constantFrom(...UNCLOSED_GROUP_COUNTS).chain((count) =>
    reject(context, "corrupt.unclosed-groups", "", (writer) => {
      const tag = varintBytes(fieldNumber * 8 + WireType.SGROUP);
      for (let i = 0; i < count; i++) writer.raw(tag);
      return writer;
    }),
  );
}

/**
 * Empty messages nested past the decode depth limit along the recursive
 * route. The bytes are every level's header from the outermost in, then the
 * end-group tags of delimited levels from the innermost out. Lengths are
 * computed from the innermost level out, so building is linear in depth.
 */
function deepRecursion(context: GeneratorContext): fc.Arbitrary<Draft> | null {
  const route = context.route;
  if (!route) return null;
  const path = formatPath([...route.prefix, ...route.cycle].map((field) => ({ field, index: field.repeated ? 0 : undefined })));
  return fc.constantFrom(...DEEP_NESTING_LEVELS).map((levels): Draft => {
    const fields = nestingFields(route, levels);
    const headers: Uint8Array[] = new Array(levels);
    const trailers: Uint8Array[] = new Array(levels);
    let innerLength = 0;
    for (let i = levels - 1; i >= 0; i--) {
      const field = fields[i];
      if (field.delimited) {
        headers[i] = new WireWriter().tag(field.id, WireType.SGROUP).finish();
        trailers[i] = new WireWriter().tag(field.id, WireType.EGROUP).finish();
      } else {
        headers[i] = new WireWriter().tag(field.id, WireType.LEN).varint(innerLength).finish();
        trailers[i] = new Uint8Array(0);
      }
      innerLength += headers[i].length + trailers[i].length;
    }
    const writer = new WireWriter();
    for (const header of headers) writer.raw(header);
    for (let i = levels - 1; i >= 0; i--) writer.raw(trailers[i]);
    return { class: "corrupt", mutation: "corrupt.deep-recursion", path, bytes: writer.finish(), expect: "reject" };
  });
}

/** Wire types 6 and 7 are not defined. */
function invalidWireType(context: GeneratorContext): fc.Arbitrary<Draft> {
  const target = topLevelTarget(context.type, () => true);
  return fc.constantFrom(6, 7).chain((wireType) =>
    reject(context, "corrupt.invalid-wire-type", target.path, (writer) => writer.tag(target.fieldNumber, wireType).varint(1)),
  );
}

/** Field number 0 is reserved and never valid on the wire. */
function fieldNumberZero(context: GeneratorContext): fc.Arbitrary<Draft> {
  return reject(context, "corrupt.field-number-zero", "", (writer) => writer.tag(0, WireType.VARINT).varint(1));
}

export function framingMutations(context: GeneratorContext): fc.Arbitrary<Draft>[] {
  const candidates = [
    ...truncations(context),
    overlongVarint(context),
    ...lengths(context),
    unclosedGroups(context),
    deepRecursion(context),
    invalidWireType(context),
    fieldNumberZero(context),
  ];
  return candidates.filter((candidate): candidate is fc.Arbitrary<Draft> => candidate !== null);
}
