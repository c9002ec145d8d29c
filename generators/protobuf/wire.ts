/**
 * A protobuf wire-format writer that writes exactly what it is told, so it
 * can produce the malformed bytes that a correct encoder never emits:
 * overlong varints, wrong wire types, lengths that point past the end,
 * start-group tags without their end tag.
 */

/** Wire types as the protobuf encoding defines them; 6 and 7 are invalid. */
export const WireType = {
  VARINT: 0,
  I64: 1,
  LEN: 2,
  SGROUP: 3,
  EGROUP: 4,
  I32: 5,
} as const;

/** The highest field number protobuf allows (2^29 - 1). */
export const MAX_FIELD_NUMBER = 536_870_911;

const UINT64_MASK = (1n << 64n) - 1n;

export class WireWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  /** Appends bytes unchanged. */
  raw(bytes: Uint8Array | readonly number[]): this {
    const chunk = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes);
    this.chunks.push(chunk);
    this.length += chunk.length;
    return this;
  }

  /**
   * Appends a base-128 varint. Negative values are written as their 64-bit
   * two's complement (10 bytes), which is how int32 and int64 encode them.
   */
  varint(value: number | bigint): this {
    let rest = BigInt(value) & UINT64_MASK;
    const bytes: number[] = [];
    while (rest >= 0x80n) {
      bytes.push(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    bytes.push(Number(rest));
    return this.raw(bytes);
  }

  /** Appends a zigzag varint (sint32, sint64). */
  zigzag(value: number | bigint): this {
    const n = BigInt(value);
    return this.varint(n >= 0n ? n << 1n : ((-n) << 1n) - 1n);
  }

  /** Appends a field tag: `(fieldNumber << 3) | wireType`. */
  tag(fieldNumber: number, wireType: number): this {
    return this.varint((BigInt(fieldNumber) << 3n) | BigInt(wireType));
  }

  /** Appends 4 little-endian bytes. */
  fixed32(value: number | bigint): this {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, Number(BigInt.asUintN(32, BigInt(value))), true);
    return this.raw(bytes);
  }

  /** Appends 8 little-endian bytes. */
  fixed64(value: number | bigint): this {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt.asUintN(64, BigInt(value)), true);
    return this.raw(bytes);
  }

  /** Appends a length prefix followed by the bytes it counts. */
  lengthDelimited(bytes: Uint8Array): this {
    return this.varint(bytes.length).raw(bytes);
  }

  /** Appends a whole length-delimited field: tag, length, payload. */
  lenField(fieldNumber: number, payload: Uint8Array): this {
    return this.tag(fieldNumber, WireType.LEN).lengthDelimited(payload);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

/** Returns the bytes of a single varint. */
export function varintBytes(value: number | bigint): Uint8Array {
  return new WireWriter().varint(value).finish();
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const writer = new WireWriter();
  for (const part of parts) writer.raw(part);
  return writer.finish();
}
