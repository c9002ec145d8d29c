import type { Candidate } from "./candidates.ts";
import { replaceAt, removeAt } from "./json-value.ts";
import type { ValueLocation } from "./locations.ts";
import type { MergedSchema } from "./merge.ts";
import { integerLowerBound, integerUpperBound } from "./numbers.ts";
import { appendPointer } from "./pointer.ts";
import { codePointLength } from "./strings.ts";
import { UNUSUAL_UNICODE, fitCodePoints } from "./unicode.ts";

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

/** Edge values of each `format`, all valid for ajv-formats in full mode. */
const FORMAT_EDGES: Readonly<Record<string, readonly string[]>> = {
  date: ["0001-01-01", "2000-02-29", "9999-12-31"],
  time: ["00:00:00Z", "23:59:59.999+23:59", "23:59:60Z"],
  "date-time": ["1970-01-01T00:00:00Z", "2000-02-29T23:59:59.999-12:00", "9999-12-31T23:59:59Z"],
  uuid: ["00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"],
  email: ["a@b.co", "first.last+tag@sub.example.com"],
  uri: ["http://127.0.0.1", "urn:isbn:0451450523", "https://example.com/a%20b?q=1#frag"],
  hostname: ["a", "xn--bcher-kva.example"],
  ipv4: ["0.0.0.0", "255.255.255.255"],
  ipv6: ["::", "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
};

/**
 * Lists edge replacements for each location of a valid value. Many are
 * invalid for a given schema (a negative number under `minimum: 0`); the
 * caller keeps only those that ajv accepts.
 */
export function boundaryCandidates(root: unknown, locations: readonly ValueLocation[], maxStringLength: number): Candidate[] {
  const candidates: Candidate[] = [];
  const replace = (mutation: string, path: string, replacement: unknown) =>
    candidates.push({ mutation, path, build: () => ({ value: replaceAt(root, path, replacement) }) });
  const replaceRoot = (mutation: string, replacement: unknown) =>
    candidates.push({ mutation, path: "", build: () => ({ value: replacement }) });

  for (const { path, value, schema } of locations) {
    const put = path === "" ? replaceRoot : (mutation: string, replacement: unknown) => replace(mutation, path, replacement);

    if (schema.enumValues !== undefined) {
      for (const member of schema.enumValues) put("boundary.enum-member", member);
      continue;
    }
    if (typeof value === "number") numberEdges(schema, put);
    if (typeof value === "string") stringEdges(schema, value, maxStringLength, put);
    if (Array.isArray(value)) arrayEdges(schema, value, put);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      const optional = Object.keys(value).filter((key) => !schema.required.has(key));
      if (optional.length > 0) {
        let trimmed: unknown = root;
        for (const key of optional) trimmed = removeAt(trimmed, appendPointer(path, key));
        candidates.push({ mutation: "boundary.required-only", path, build: () => ({ value: trimmed }) });
      }
    }
  }
  return candidates;
}

type Put = (mutation: string, replacement: unknown) => void;

function numberEdges(schema: MergedSchema, put: Put): void {
  const integer = schema.types !== undefined && !schema.types.has("number");
  const { lower, upper } = schema;

  if (lower !== undefined) {
    if (!lower.exclusive) put("boundary.minimum", lower.value);
    else put("boundary.exclusive-minimum", integer ? integerLowerBound(schema) : nextUp(lower.value));
  }
  if (upper !== undefined) {
    if (!upper.exclusive) put("boundary.maximum", upper.value);
    else put("boundary.exclusive-maximum", integer ? integerUpperBound(schema) : nextDown(upper.value));
  }
  for (const divisor of schema.multipleOf) {
    put("boundary.multiple-of", divisor);
    put("boundary.multiple-of", -divisor);
  }

  put("boundary.zero", 0);
  put("boundary.negative", -1);
  put("boundary.negative", INT32_MIN);
  put("boundary.negative", -Number.MAX_SAFE_INTEGER);
  put("boundary.large", INT32_MAX);
  put("boundary.large", INT32_MAX + 1);
  put("boundary.large", Number.MAX_SAFE_INTEGER);
  if (!integer) {
    put("boundary.fraction", 0.1);
    put("boundary.fraction", Number.MIN_VALUE);
    put("boundary.fraction", -Number.MAX_VALUE);
  }
}

function stringEdges(schema: MergedSchema, value: string, maxStringLength: number, put: Put): void {
  const minLength = schema.minLength;
  const maxLength = schema.maxLength ?? Math.max(minLength, maxStringLength);

  put("boundary.empty-string", "");
  put("boundary.min-length", fitCodePoints(value, minLength, minLength));
  put("boundary.max-length", fitCodePoints(value, maxLength, maxLength));
  if (codePointLength(value) > 0) put("boundary.max-length", fitCodePoints(value + "\u{1F600}", maxLength, maxLength));

  for (const format of schema.formats) {
    for (const edge of FORMAT_EDGES[format] ?? []) put("boundary.format-edge", edge);
  }
  for (const [mutation, samples] of Object.entries(UNUSUAL_UNICODE)) {
    for (const text of samples) {
      put(mutation, fitCodePoints(text, minLength, maxLength));
      put(mutation, fitCodePoints(value + text, minLength, Math.max(maxLength, minLength)));
    }
  }
}

function arrayEdges(schema: MergedSchema, value: unknown[], put: Put): void {
  put("boundary.empty-array", []);
  if (value.length > schema.minItems) put("boundary.min-items", value.slice(0, schema.minItems));
  if (schema.maxItems !== undefined && value.length > 0 && value.length < schema.maxItems) {
    const filled = [...value];
    while (filled.length < schema.maxItems) filled.push(value[filled.length % value.length]);
    put("boundary.max-items", filled);
  }
}

const scratch = new DataView(new ArrayBuffer(8));

/** Returns the smallest double above `value`. */
export function nextUp(value: number): number {
  if (Number.isNaN(value) || value === Infinity) return value;
  if (value === 0) return Number.MIN_VALUE;
  scratch.setFloat64(0, value);
  const bits = scratch.getBigInt64(0);
  scratch.setBigInt64(0, value > 0 ? bits + 1n : bits - 1n);
  return scratch.getFloat64(0);
}

/** Returns the largest double below `value`. */
export function nextDown(value: number): number {
  return -nextUp(-value);
}
