import type { HeaderValue } from "../../generators/sample.ts";

/** JSON has no byte strings: binary header values are written as `{ "$base64": "..." }`. */
export function headersToJson(headers: Record<string, HeaderValue>): unknown {
  const convert = (value: HeaderValue): unknown => {
    if (value instanceof Uint8Array) return { $base64: Buffer.from(value).toString("base64") };
    if (Array.isArray(value)) return value.map(convert);
    if (typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, convert(inner)]));
    return value;
  };
  return convert(headers);
}

export function headersFromJson(json: unknown): Record<string, HeaderValue> {
  const convert = (value: unknown): HeaderValue => {
    if (Array.isArray(value)) return value.map(convert);
    if (value !== null && typeof value === "object") {
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      if (keys.length === 1 && keys[0] === "$base64" && typeof record.$base64 === "string") return Buffer.from(record.$base64, "base64");
      return Object.fromEntries(keys.map((key) => [key, convert(record[key])]));
    }
    return value as HeaderValue;
  };
  return convert(json) as Record<string, HeaderValue>;
}
