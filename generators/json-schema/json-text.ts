/**
 * JSON text that is written verbatim, for numbers that JSON.stringify cannot
 * write: `-0`, integers above 2^53 and literals with thousands of digits.
 */
export class RawJson {
  constructor(readonly text: string) {}
}

const encoder = new TextEncoder();

/**
 * Serializes a value to JSON text. Unlike JSON.stringify it writes RawJson
 * verbatim and keeps own `__proto__` keys. Lone surrogates come out as
 * `\udxxx` escapes because JSON.stringify escapes them (ES2019 and later).
 */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record).map((key) => `${JSON.stringify(key)}:${toJsonText(record[key])}`);
    return `{${members.join(",")}}`;
  }

  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`value of type ${typeof value} has no JSON text`);
  return text;
}

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}
