/**
 * Corrupt samples that stay well framed: each field occurrence can be
 * skipped or read, but breaks what the schema declares. A decoder skips
 * unknown fields and fields of the wrong wire type, and keeps the last of
 * repeated singular fields and oneof members. So most of these are accepted,
 * and decoding with protobufjs decides each expectation.
 */
import fc from "fast-check";
import protobuf from "protobufjs";

import { encodeValue } from "./codec.ts";
import { chainFallbacks, chainsWhere, type GeneratorContext } from "./context.ts";
import { appendedIndex, editAtChain, wrapForPath, writeElement, type Draft } from "./draft.ts";
import { elementWireType, formatPath, isPackable, realOneofOf, unusedFieldNumber } from "./schema.ts";
import { removeField } from "./wire-reader.ts";
import { MAX_FIELD_NUMBER, WireType, WireWriter } from "./wire.ts";

/** Byte sequences that are not valid UTF-8, each for a different rule. */
export const INVALID_UTF8: readonly (readonly number[])[] = [
  [0xc3, 0x28], // a lead byte followed by a non-continuation byte
  [0xff], // a byte that never occurs in UTF-8
  [0xed, 0xa0, 0x80], // an encoded UTF-16 surrogate (U+D800)
  [0xc0, 0xaf], // an overlong encoding of "/"
  [0xf4, 0x90, 0x80, 0x80], // a code point above U+10FFFF
  [0x61, 0xe2, 0x82], // a sequence cut short at the end
];

/**
 * Appends `inner` (field bytes for the message at the end of `messageSteps`)
 * to an encoded base message and labels the result.
 */
function appended(
  context: GeneratorContext,
  mutation: string,
  base: Record<string, unknown>,
  chain: readonly protobuf.Field[],
  fallbacks: readonly Record<string, unknown>[],
  inner: Uint8Array,
): Draft {
  const messageSteps = chain.slice(0, -1);
  const leaf = chain[chain.length - 1];
  const wrapped = wrapForPath(base, messageSteps, inner, fallbacks);
  const path = formatPath([...wrapped.steps, { field: leaf, index: appendedIndex(base, messageSteps, leaf) }]);
  const bytes = new WireWriter().raw(encodeValue(context.type, base)).raw(wrapped.bytes).finish();
  return { class: "corrupt", mutation, path, bytes, expect: "decode" };
}

/** Writes a field occurrence of the given wire type with a small, well-formed payload. */
export function writeWithWireType(writer: WireWriter, fieldNumber: number, wireType: number): WireWriter {
  writer.tag(fieldNumber, wireType);
  switch (wireType) {
    case WireType.VARINT:
      return writer.varint(150);
    case WireType.I64:
      return writer.fixed64(0x0102030405060708n);
    case WireType.I32:
      return writer.fixed32(0x01020304);
    case WireType.LEN:
      return writer.lengthDelimited(Uint8Array.from([0x08, 0x01]));
    case WireType.SGROUP:
      return writer.tag(1, WireType.VARINT).varint(1).tag(fieldNumber, WireType.EGROUP);
    default:
      throw new RangeError(`wire type ${wireType} has no payload`);
  }
}

/** Appends a known field written with a wire type other than the one its type uses. */
function wrongWireType(context: GeneratorContext): fc.Arbitrary<Draft> | null {
  const chains = context.chains;
  if (chains.length === 0) return null;
  return fc.constantFrom(...chains).chain((chain) => {
    const leaf = chain[chain.length - 1];
    const expected = elementWireType(leaf);
    const wrong = [WireType.VARINT, WireType.I64, WireType.LEN, WireType.I32, WireType.SGROUP].filter(
      // LEN is the packed form of a repeated scalar, which is correct, not wrong.
      (wireType) => wireType !== expected && !(wireType === WireType.LEN && leaf.repeated && isPackable(leaf)),
    );
    return fc.tuple(context.base, chainFallbacks(context, chain), fc.constantFrom(...wrong)).map(([base, fallbacks, wireType]) =>
      appended(context, "corrupt.wrong-wire-type", base, chain, fallbacks, writeWithWireType(new WireWriter(), leaf.id, wireType).finish()),
    );
  });
}

const UNKNOWN_WIRE_TYPES: readonly [string, number][] = [
  ["varint", WireType.VARINT],
  ["i64", WireType.I64],
  ["len", WireType.LEN],
  ["group", WireType.SGROUP],
  ["i32", WireType.I32],
];

/** Appends a field number the message does not declare, one arbitrary per wire type. */
function unknownFields(context: GeneratorContext): fc.Arbitrary<Draft>[] {
  const numbers = [unusedFieldNumber(context.type), unusedFieldNumber(context.type, 2048)];
  if (!context.type.fieldsArray.some((field) => field.id === MAX_FIELD_NUMBER)) numbers.push(MAX_FIELD_NUMBER);
  return UNKNOWN_WIRE_TYPES.map(([name, wireType]) =>
    fc.tuple(context.base, fc.constantFrom(...numbers)).map(([base, fieldNumber]): Draft => ({
      class: "corrupt",
      mutation: `corrupt.unknown-field-${name}`,
      path: "",
      bytes: writeWithWireType(new WireWriter().raw(encodeValue(context.type, base)), fieldNumber, wireType).finish(),
      expect: "decode",
    })),
  );
}

/** Writes a singular field a second time. The last occurrence wins, and sub-messages merge. */
function repeatedSingular(context: GeneratorContext): fc.Arbitrary<Draft> | null {
  const chains = chainsWhere(context, (leaf) => !leaf.repeated && !realOneofOf(leaf));
  if (chains.length === 0) return null;
  return fc.constantFrom(...chains).chain((chain) => {
    const leaf = chain[chain.length - 1];
    return fc
      .tuple(context.base, chainFallbacks(context, chain), context.values.single(leaf, chain.length))
      .map(([base, fallbacks, second]) =>
        appended(context, "corrupt.repeated-singular", base, chain, fallbacks, writeElement(new WireWriter(), leaf, second).finish()),
      );
  });
}

/** Writes two members of one oneof, one after the other. The last one wins. */
function oneofMultiple(context: GeneratorContext): fc.Arbitrary<Draft> | null {
  const chains = chainsWhere(context, (leaf) => (realOneofOf(leaf)?.fieldsArray.length ?? 0) > 1);
  if (chains.length === 0) return null;
  return fc.constantFrom(...chains).chain((chain) => {
    const first = chain[chain.length - 1];
    const others = realOneofOf(first)!.fieldsArray.filter((member) => member !== first);
    return fc.constantFrom(...others).chain((second) =>
      fc
        .tuple(
          context.base,
          chainFallbacks(context, chain),
          context.values.single(first, chain.length),
          context.values.single(second, chain.length),
        )
        .map(([base, fallbacks, firstValue, secondValue]) => {
          const inner = writeElement(writeElement(new WireWriter(), first, firstValue), second, secondValue).finish();
          return appended(context, "corrupt.oneof-multiple", base, [...chain.slice(0, -1), second], fallbacks, inner);
        }),
    );
  });
}

/**
 * Leaves a required field out. protobufjs always writes required fields, so
 * the field is cut out of the encoded bytes afterwards.
 */
function missingRequired(context: GeneratorContext): fc.Arbitrary<Draft> | null {
  const chains = chainsWhere(context, (leaf, chain) => leaf.required && chain.slice(0, -1).every((step) => !step.delimited));
  if (chains.length === 0) return null;
  return fc.constantFrom(...chains).chain((chain) =>
    fc.tuple(context.base, chainFallbacks(context, chain)).map(([base, fallbacks]): Draft => {
      // Make sure every message on the chain is present, so there is a field to remove.
      const { value, steps } = editAtChain(base, chain, fallbacks, (current) => current);
      const bytes = removeField(encodeValue(context.type, value), chain.map((field) => field.id));
      return { class: "corrupt", mutation: "corrupt.missing-required", path: formatPath(steps), bytes, expect: "reject" };
    }),
  );
}

/** Appends a string field whose bytes are not valid UTF-8. */
function invalidUtf8(context: GeneratorContext): fc.Arbitrary<Draft> | null {
  const chains = chainsWhere(context, (leaf) => leaf.type === "string" && !leaf.resolvedType);
  if (chains.length === 0) return null;
  return fc.constantFrom(...chains).chain((chain) =>
    fc.tuple(context.base, chainFallbacks(context, chain), fc.constantFrom(...INVALID_UTF8)).map(([base, fallbacks, invalid]) => {
      const inner = new WireWriter().lenField(chain[chain.length - 1].id, Uint8Array.from(invalid)).finish();
      return appended(context, "corrupt.invalid-utf8", base, chain, fallbacks, inner);
    }),
  );
}

export function fieldMutations(context: GeneratorContext): fc.Arbitrary<Draft>[] {
  const candidates = [
    wrongWireType(context),
    ...unknownFields(context),
    repeatedSingular(context),
    oneofMultiple(context),
    missingRequired(context),
    invalidUtf8(context),
  ];
  return candidates.filter((candidate): candidate is fc.Arbitrary<Draft> => candidate !== null);
}
