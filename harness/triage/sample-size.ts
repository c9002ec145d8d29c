import type { HeaderValue } from "../../generators/sample.ts";
import { headersToJson } from "../corpus/headers-json.ts";

/** Size of a message's headers as compact JSON (binary values as base64), in bytes; 0 without headers. */
export function headersSize(headers: Record<string, HeaderValue> | undefined): number {
  if (headers === undefined) return 0;
  return Buffer.byteLength(JSON.stringify(headersToJson(headers)));
}
