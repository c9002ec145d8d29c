import { createHash } from "node:crypto";
import type { HeaderValue, Sample } from "../../generators/sample.ts";

function headerReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: Buffer.from(value).toString("base64") };
  return value;
}

/** Identifies what a consumer receives: the bytes and the headers, nothing of the label. */
export function payloadKey(bytes: Uint8Array, headers?: Record<string, HeaderValue>): string {
  const hash = createHash("sha256").update(bytes);
  if (headers !== undefined) hash.update(JSON.stringify(headers, headerReplacer));
  return hash.digest("hex");
}

export function sampleKey(sample: Sample): string {
  return payloadKey(sample.bytes, sample.headers);
}
