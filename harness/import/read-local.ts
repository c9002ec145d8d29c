import { readFile } from "node:fs/promises";
import type { HeaderValue } from "../../generators/sample.ts";
import { ConfigError } from "../errors.ts";
import type { CapturedMessage } from "./captured.ts";

async function readInput(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(code === "ENOENT" ? `file ${file} not found` : `file ${file} could not be read (${code})`, { value: file, hint: "check the path", cause: error });
  }
}

/** Reads a file of raw message bytes. */
export async function capturedFromFile(file: string): Promise<CapturedMessage> {
  return { bytes: await readInput(file), from: `file ${file}` };
}

/** Decodes a base64 (standard or URL-safe alphabet) message body. */
export function capturedFromBase64(text: string): CapturedMessage {
  const compact = text.replace(/\s+/g, "");
  if (compact.length === 0 || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact)) {
    throw new ConfigError(`--base64 is not valid base64: "${compact.slice(0, 40)}${compact.length > 40 ? "…" : ""}"`, { value: compact.slice(0, 40), hint: "pass the message body encoded with base64, e.g. eyJxdWFudGl0eSI6LTF9" });
  }
  return { bytes: Buffer.from(compact, compact.includes("-") || compact.includes("_") ? "base64url" : "base64"), from: "base64 argument" };
}

/** Decodes a hex message body; whitespace and a leading `0x` are ignored. */
export function capturedFromHex(text: string): CapturedMessage {
  const compact = text.replace(/\s+/g, "").replace(/^0x/i, "");
  const shown = `"${compact.slice(0, 40)}${compact.length > 40 ? "…" : ""}"`;
  const hint = "pass the message body as hex, e.g. 7b7d";
  const invalid = [...new Set(compact.match(/[^0-9a-fA-F]/g) ?? [])];
  if (invalid.length > 0) {
    const listed = invalid.slice(0, 10).map((character) => JSON.stringify(character)).join(", ");
    throw new ConfigError(`--hex contains characters that are not hex digits (${listed}${invalid.length > 10 ? ", …" : ""}): ${shown}`, { value: compact.slice(0, 40), hint });
  }
  if (compact.length === 0) throw new ConfigError("--hex is empty", { value: text, hint });
  if (compact.length % 2 !== 0) throw new ConfigError(`--hex has an odd number of hex digits (${compact.length}), so the last byte is incomplete: ${shown}`, { value: compact.slice(0, 40), hint });
  return { bytes: Buffer.from(compact, "hex"), from: "hex argument" };
}

function isHeaderValue(value: unknown): value is HeaderValue {
  if (["string", "number", "boolean"].includes(typeof value)) return true;
  if (Array.isArray(value)) return value.every(isHeaderValue);
  return value !== null && typeof value === "object" && Object.values(value).every(isHeaderValue);
}

/**
 * Reads a JSON file `{ "body": ..., "headers": { ... } }`. A string body is
 * taken as UTF-8 text, any other JSON value is serialized compactly, and
 * `"bodyBase64"` takes binary bodies instead of `body`.
 */
export async function capturedFromJsonFile(file: string): Promise<CapturedMessage> {
  let document: unknown;
  try {
    document = JSON.parse((await readInput(file)).toString("utf8"));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${file} is not valid JSON: ${(error as Error).message}`, { value: file, hint: 'write { "body": ..., "headers": { ... } }', cause: error });
  }
  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    throw new ConfigError(`${file} must contain a JSON object with "body" or "bodyBase64"`, { value: file, hint: 'write { "body": ..., "headers": { ... } }' });
  }
  const record = document as Record<string, unknown>;
  const hasBody = "body" in record;
  const hasBase64 = typeof record.bodyBase64 === "string";
  if (hasBody === hasBase64) {
    throw new ConfigError(`${file} must set exactly one of "body" and "bodyBase64"`, { value: Object.keys(record), hint: 'write { "body": ..., "headers": { ... } }' });
  }
  let bytes: Uint8Array;
  if (hasBase64) bytes = capturedFromBase64(record.bodyBase64 as string).bytes;
  else if (typeof record.body === "string") bytes = Buffer.from(record.body, "utf8");
  else bytes = Buffer.from(JSON.stringify(record.body), "utf8");

  const headers = record.headers;
  if (headers !== undefined && (headers === null || typeof headers !== "object" || Array.isArray(headers) || !isHeaderValue(headers))) {
    throw new ConfigError(`"headers" in ${file} must be an object of strings, numbers, booleans, arrays or objects`, { value: headers, hint: 'e.g. "headers": { "content-type": "application/json" }' });
  }
  return { bytes, headers: headers as Record<string, HeaderValue> | undefined, from: `json file ${file}` };
}
