import type { Candidate } from "./candidates.ts";
import { removeAt, replaceAt } from "./json-value.ts";
import type { ValueLocation } from "./locations.ts";
import type { MergedSchema } from "./merge.ts";
import { integerLowerBound, integerUpperBound } from "./numbers.ts";
import { appendPointer } from "./pointer.ts";
import type { JsonType } from "./schema.ts";
import { compilePattern } from "./strings.ts";
import { fitCodePoints } from "./unicode.ts";

/** One representative value per JSON type, for `violation.wrong-type`. */
const TYPE_REPRESENTATIVES: ReadonlyArray<[JsonType, unknown]> = [
  ["string", "poisonpill"],
  ["integer", 7],
  ["number", 1.5],
  ["boolean", true],
  ["object", {}],
  ["array", []],
];

/** Name of the property added under `additionalProperties: false`. */
const EXTRA_PROPERTY = "poisonpill_extra";

/** Strings that break common formats, including near misses a lax parser accepts. */
const FORMAT_MISSES: Readonly<Record<string, readonly string[]>> = {
  date: ["2024-02-30", "2024-13-01", "20240101", "01/02/2024"],
  time: ["24:00:00Z", "12:00:00", "12:60:00Z"],
  "date-time": ["2024-01-01T00:00:00", "2024-01-01 00:00:00Z", "2024-01-01T25:00:00Z"],
  uuid: ["00000000000000000000000000000000", "g0000000-0000-0000-0000-000000000000", "0000-0000"],
  email: ["user@", "@example.com", "user example.com"],
  uri: ["//no-scheme", "http://exa mple.com", "relative/path"],
  hostname: ["-bad-.example", "a..b"],
  ipv4: ["256.0.0.1", "1.2.3", "01.2.3.4"],
  ipv6: ["::g", "1:2:3:4:5:6:7:8:9", "12345::"],
};

/** Plain strings tried against a `pattern` until one does not match. */
const PATTERN_MISSES = ["", " ", "poisonpill", "!@#$%", "\u0000", "0", "A", "\n"];

/** Values tried against `enum`/`const` until one is not a member. */
const ENUM_MISSES: readonly unknown[] = ["poisonpill-not-a-member", 987_654_321, false, null, [], {}];

/**
 * Lists mutations that each break one constraint at one location of a valid
 * value, plus whole-value replacements of every type as a last resort. The
 * caller keeps only those that ajv rejects.
 */
export function violationCandidates(root: unknown, locations: readonly ValueLocation[]): Candidate[] {
  const candidates: Candidate[] = [];

  for (const { path, value, schema } of locations) {
    const put = (mutation: string, replacement: unknown) =>
      candidates.push({ mutation, path, build: () => ({ value: path === "" ? replacement : replaceAt(root, path, replacement) }) });

    for (const [type, representative] of TYPE_REPRESENTATIVES) {
      if (schema.types !== undefined && !schema.allowsType(type)) put("violation.wrong-type", representative);
    }
    if (schema.types === undefined || !schema.types.has("null")) put("violation.null", null);

    if (schema.enumValues !== undefined) enumMisses(schema, value, put);
    if (typeof value === "number") numberViolations(schema, value, put);
    if (typeof value === "string") stringViolations(schema, value, put);
    if (Array.isArray(value)) arrayViolations(schema, value, put);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      objectViolations(root, path, schema, value as Record<string, unknown>, candidates);
    }
  }

  for (const [, representative] of TYPE_REPRESENTATIVES) {
    candidates.push({ mutation: "violation.wrong-type", path: "", build: () => ({ value: representative }) });
  }
  candidates.push({ mutation: "violation.null", path: "", build: () => ({ value: null }) });
  return candidates;
}

/** Whole-value replacements; a schema that accepts all of them admits no violation sample. */
export const WHOLE_VALUE_REPLACEMENTS: readonly unknown[] = [...TYPE_REPRESENTATIVES.map(([, value]) => value), null];

type Put = (mutation: string, replacement: unknown) => void;

function enumMisses(schema: MergedSchema, value: unknown, put: Put): void {
  const mutation = schema.nodes.some((node) => Array.isArray(node.enum)) ? "violation.enum-miss" : "violation.const-miss";
  for (const miss of ENUM_MISSES) put(mutation, miss);
  if (typeof value === "string") {
    put(mutation, value.toUpperCase() === value ? value.toLowerCase() : value.toUpperCase());
    put(mutation, `${value} `);
  }
  if (typeof value === "number") put(mutation, value + 1);
}

function numberViolations(schema: MergedSchema, value: number, put: Put): void {
  const integer = schema.types !== undefined && !schema.types.has("number");
  const { lower, upper } = schema;

  if (lower !== undefined) {
    const below = integer ? (integerLowerBound(schema) ?? 0) - 1 : lower.value - Math.max(1, Math.abs(lower.value) * 1e-9);
    put("violation.out-of-range", lower.exclusive ? lower.value : below);
    if (lower.exclusive && integer) put("violation.out-of-range", Math.floor(lower.value));
  }
  if (upper !== undefined) {
    const above = integer ? (integerUpperBound(schema) ?? 0) + 1 : upper.value + Math.max(1, Math.abs(upper.value) * 1e-9);
    put("violation.out-of-range", upper.exclusive ? upper.value : above);
    if (upper.exclusive && integer) put("violation.out-of-range", Math.ceil(upper.value));
  }
  for (const divisor of schema.multipleOf) {
    put("violation.not-multiple-of", value + divisor / 2);
    put("violation.not-multiple-of", divisor * 1.5);
  }
  if (integer) put("violation.wrong-type", value + 0.5);
}

function stringViolations(schema: MergedSchema, value: string, put: Put): void {
  if (schema.maxLength !== undefined) {
    put("violation.too-long", fitCodePoints(value, schema.maxLength + 1, schema.maxLength + 1));
  }
  if (schema.minLength > 0) put("violation.too-short", fitCodePoints(value, schema.minLength - 1, schema.minLength - 1));

  for (const pattern of schema.patterns) {
    const regex = compilePattern(pattern, "#");
    for (const miss of [...PATTERN_MISSES, `${value}\n`, value.split("").reverse().join("")]) {
      if (!regex.test(miss)) put("violation.pattern-miss", miss);
    }
  }
  for (const format of schema.formats) {
    put("violation.format-miss", `not-a-${format}`);
    for (const miss of FORMAT_MISSES[format] ?? []) put("violation.format-miss", miss);
  }
}

function arrayViolations(schema: MergedSchema, value: unknown[], put: Put): void {
  if (schema.maxItems !== undefined) {
    const longer = [...value];
    while (longer.length <= schema.maxItems) longer.push(value.length > 0 ? value[longer.length % value.length] : null);
    put("violation.too-long", longer);
  }
  if (schema.minItems > 0) put("violation.too-short", value.slice(0, schema.minItems - 1));
  if (schema.uniqueItems && value.length > 0) put("violation.duplicate-items", [...value, value[0]]);
}

function objectViolations(
  root: unknown,
  path: string,
  schema: MergedSchema,
  value: Record<string, unknown>,
  candidates: Candidate[],
): void {
  for (const name of schema.required) {
    if (!Object.hasOwn(value, name)) continue;
    const at = appendPointer(path, name);
    candidates.push({ mutation: "violation.missing-required", path: at, build: () => ({ value: removeAt(root, at) }) });
  }
  if (schema.closed && !schema.declaredProperties.has(EXTRA_PROPERTY)) {
    const at = appendPointer(path, EXTRA_PROPERTY);
    candidates.push({ mutation: "violation.extra-property", path: at, build: () => ({ value: replaceAt(root, at, "unexpected") }) });
  }
}
