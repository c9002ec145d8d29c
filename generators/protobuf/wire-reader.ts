/**
 * Splits well-formed wire bytes into top-level fields, so that a mutation can
 * drop or rewrite one field of a message that protobufjs encoded.
 */
import { WireType, WireWriter } from "./wire.ts";

export interface WireField {
  fieldNumber: number;
  wireType: number;
  /** Offset of the tag. */
  start: number;
  /** Offset of a LEN field's payload; for other wire types equals `end`. */
  payloadStart: number;
  /** Offset just past the field (past the end-group tag for groups). */
  end: number;
}

function readVarint(bytes: Uint8Array, offset: number): [value: number, next: number] {
  let value = 0;
  let shift = 1;
  for (let i = offset; i < bytes.length && i < offset + 10; i++) {
    value += (bytes[i] & 0x7f) * shift;
    shift *= 128;
    if (bytes[i] < 0x80) return [value, i + 1];
  }
  throw new RangeError(`malformed varint at offset ${offset}`);
}

/** Reads the fields of one message level; throws RangeError on malformed input. */
export function splitFields(bytes: Uint8Array, from = 0, to = bytes.length): WireField[] {
  const fields: WireField[] = [];
  let offset = from;
  while (offset < to) {
    const start = offset;
    const [tag, afterTag] = readVarint(bytes, offset);
    const fieldNumber = Math.floor(tag / 8);
    const wireType = tag % 8;
    let payloadStart = afterTag;
    switch (wireType) {
      case WireType.VARINT:
        offset = readVarint(bytes, afterTag)[1];
        break;
      case WireType.I64:
        offset = afterTag + 8;
        break;
      case WireType.I32:
        offset = afterTag + 4;
        break;
      case WireType.LEN: {
        const [length, afterLength] = readVarint(bytes, afterTag);
        payloadStart = afterLength;
        offset = afterLength + length;
        break;
      }
      case WireType.SGROUP: {
        const inner = splitFields(bytes, afterTag, to);
        const endTag = inner.find((field) => field.wireType === WireType.EGROUP && field.fieldNumber === fieldNumber);
        if (!endTag) throw new RangeError(`group ${fieldNumber} at offset ${start} has no end tag`);
        offset = endTag.end;
        break;
      }
      case WireType.EGROUP:
        fields.push({ fieldNumber, wireType, start, payloadStart: afterTag, end: afterTag });
        return fields;
      default:
        throw new RangeError(`invalid wire type ${wireType} at offset ${start}`);
    }
    if (offset > to) throw new RangeError(`field ${fieldNumber} at offset ${start} runs past the end`);
    fields.push({ fieldNumber, wireType, start, payloadStart, end: offset });
  }
  return fields;
}

/**
 * Removes every occurrence of the field at the end of `fieldNumbers`, looking
 * inside the length-delimited fields that the earlier numbers name.
 */
export function removeField(bytes: Uint8Array, fieldNumbers: readonly number[]): Uint8Array {
  const [head, ...rest] = fieldNumbers;
  const writer = new WireWriter();
  for (const field of splitFields(bytes)) {
    if (field.fieldNumber !== head) {
      writer.raw(bytes.subarray(field.start, field.end));
    } else if (rest.length > 0 && field.wireType === WireType.LEN) {
      writer.tag(head, WireType.LEN).lengthDelimited(removeField(bytes.subarray(field.payloadStart, field.end), rest));
    } else if (rest.length > 0) {
      writer.raw(bytes.subarray(field.start, field.end));
    }
  }
  return writer.finish();
}
