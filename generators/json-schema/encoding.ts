import { gunzipSync, gzipSync } from "node:zlib";

import type { Sample } from "../sample.ts";
import type { ContentEncoding } from "./options.ts";

/** Returns the sample with its bytes compressed for the wire; labels and value describe the decompressed payload. */
export function encodeSample(sample: Sample, encoding: ContentEncoding): Sample {
  if (encoding === "identity") return sample;
  return { ...sample, bytes: gzipSync(sample.bytes) };
}

/** Decompresses a gzip payload; returns undefined when the bytes are not valid gzip. */
export function decodeGzip(bytes: Uint8Array): Uint8Array | undefined {
  try {
    return gunzipSync(bytes);
  } catch {
    return undefined;
  }
}
