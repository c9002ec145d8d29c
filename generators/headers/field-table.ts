import type { HeaderValue } from "../sample.ts";

/** Longest field-table key: keys are AMQP short strings, whose length is one octet. */
export const MAX_KEY_BYTES = 255;

const utf8 = new TextEncoder();

/**
 * Returns the bytes of one field value with its type tag, as amqplib 2.3
 * encodes it for RabbitMQ: strings as long strings (S), byte arrays (x),
 * field arrays (A), nested tables (F), booleans (t), integers in the
 * narrowest of b/s/I/l, and other numbers as doubles (d).
 */
function fieldValueBytes(value: HeaderValue): number {
  if (typeof value === "string") return 1 + 4 + utf8.encode(value).byteLength;
  if (typeof value === "boolean") return 1 + 1;
  if (typeof value === "number") return 1 + numberBytes(value);
  if (value instanceof Uint8Array) return 1 + 4 + value.byteLength;
  if (Array.isArray(value)) return 1 + 4 + value.reduce<number>((total, item) => total + fieldValueBytes(item), 0);
  return 1 + fieldTableBytes(value);
}

function numberBytes(value: number): number {
  // amqplib treats anything at or above 2^50 in magnitude as an integer, and anything from 2^63 up as a double.
  const floating = value >= 2 ** 63 || (Math.abs(value) < 2 ** 50 && Math.floor(value) !== value) || Number.isNaN(value);
  if (floating) return 8;
  if (value >= -128 && value < 128) return 1;
  if (value >= -0x8000 && value < 0x8000) return 2;
  if (value >= -0x80000000 && value < 0x80000000) return 4;
  return 8;
}

/** Returns the encoded size in bytes of a field table, its 4-byte length prefix included. */
export function fieldTableBytes(table: { [key: string]: HeaderValue }): number {
  let total = 4;
  for (const [key, value] of Object.entries(table)) total += 1 + utf8.encode(key).byteLength + fieldValueBytes(value);
  return total;
}

/** Returns the longest key of a table and its nested tables, in UTF-8 bytes. */
export function longestKeyBytes(table: { [key: string]: HeaderValue }): number {
  let longest = 0;
  const visit = (value: HeaderValue): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === "object" && !(value instanceof Uint8Array)) {
      for (const [key, inner] of Object.entries(value)) {
        longest = Math.max(longest, utf8.encode(key).byteLength);
        visit(inner);
      }
    }
  };
  visit(table);
  return longest;
}
