import { WireType, WireWriter } from "../../generators/protobuf/wire.ts";
import { splitFields } from "../../generators/protobuf/wire-reader.ts";
import { removeChunks } from "./remove-chunks.ts";
import type { BytesFails } from "./shrink-json.ts";

/** Nested messages are searched this deep; deeper ones are only shortened. */
const MAX_NESTING = 8;

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const writer = new WireWriter();
  for (const part of parts) writer.raw(part);
  return writer.finish();
}

function tagLength(field: Uint8Array): number {
  let index = 0;
  while (index < field.length && field[index]! >= 0x80) index += 1;
  return index + 1;
}

/** Splits bytes into whole top-level fields, or returns undefined when they are not wire format. */
function splitParts(bytes: Uint8Array): Uint8Array[] | undefined {
  try {
    const fields = splitFields(bytes);
    if (fields.some((field) => field.wireType === WireType.EGROUP)) return undefined;
    return fields.map((field) => bytes.subarray(field.start, field.end));
  } catch {
    return undefined;
  }
}

/** True when `bytes` split into protobuf wire-format fields with nothing left over. */
export function isWireFormat(bytes: Uint8Array): boolean {
  return bytes.length > 0 && splitParts(bytes) !== undefined;
}

/**
 * Reduces a protobuf payload field by field on the wire, without needing
 * the message type: drops fields (runs of them first, then single ones),
 * sets varints to 0 and fixed-width values to zero bytes, empties or halves
 * length-delimited values, and searches inside those that parse as nested
 * messages. Keeps each change for which `fails` holds. `bytes` must fail.
 */
export async function shrinkProtobuf(bytes: Uint8Array, fails: BytesFails, exhausted: () => boolean, depth = 0): Promise<Uint8Array> {
  const split = splitParts(bytes);
  if (split === undefined) return bytes;
  let parts = await removeChunks(split, (remaining) => fails(concat(remaining)), exhausted);

  const failsWith = (index: number, part: Uint8Array) => fails(concat(parts.map((existing, i) => (i === index ? part : existing))));
  for (let index = 0; index < parts.length && !exhausted(); index += 1) {
    const part = parts[index]!;
    const tag = part.subarray(0, tagLength(part));
    const [field] = splitFields(part);
    const tries = async (candidate: Uint8Array): Promise<boolean> => {
      if (!(await failsWith(index, candidate))) return false;
      parts = parts.map((existing, i) => (i === index ? candidate : existing));
      return true;
    };

    switch (field!.wireType) {
      case WireType.VARINT:
        if (part.length > tag.length + 1) await tries(new WireWriter().raw(tag).varint(0).finish());
        break;
      case WireType.I32:
      case WireType.I64: {
        const width = field!.wireType === WireType.I32 ? 4 : 8;
        const zero = new WireWriter().raw(tag).raw(new Uint8Array(width)).finish();
        if (part.some((byte, i) => i >= tag.length && byte !== 0)) await tries(zero);
        break;
      }
      case WireType.LEN: {
        const payload = part.subarray(field!.payloadStart);
        const wrap = (inner: Uint8Array) => new WireWriter().raw(tag).lengthDelimited(inner).finish();
        if (payload.length === 0 || (await tries(wrap(new Uint8Array())))) break;
        let current = payload;
        if (depth < MAX_NESTING && isWireFormat(payload)) {
          current = await shrinkProtobuf(payload, (inner) => failsWith(index, wrap(inner)), exhausted, depth + 1);
          parts = parts.map((existing, i) => (i === index ? wrap(current) : existing));
        }
        while (current.length > 1 && !exhausted()) {
          const half = current.subarray(0, Math.floor(current.length / 2));
          if (!(await tries(wrap(half)))) break;
          current = half;
        }
        break;
      }
      default:
        break;
    }
  }
  return concat(parts);
}
