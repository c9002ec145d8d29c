import fc from "fast-check";

import { SchemaError } from "../errors.ts";
import { boundedFilter } from "./bounded-filter.ts";
import { formatArbitrary } from "./formats.ts";
import type { MergedSchema } from "./merge.ts";

/** Draws per value before a pattern, format and length combination is declared unsatisfiable. */
const STRING_TRIES = 100;

/** Mostly printable ASCII, with one code point in nine drawn from all of Unicode. */
const codePoint = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
);

/** String length as JSON Schema counts it: in code points, so a surrogate pair counts once. */
export function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length += 1;
  return length;
}

/** Compiles a `pattern` as ajv 8 does by default: ECMAScript syntax with the `u` flag, unanchored. */
export function compilePattern(pattern: string, pointer: string): RegExp {
  try {
    return new RegExp(pattern, "u");
  } catch (error) {
    throw new SchemaError(`invalid pattern at ${pointer}: ${String(error)}`, pointer, "pattern", { cause: error });
  }
}

/**
 * Builds strings honouring minLength/maxLength, `pattern` and `format`.
 * A format, or else the first pattern, picks the generator; the length
 * limits and other patterns filter it. Returns null when minLength > maxLength.
 */
export function stringArbitrary(merged: MergedSchema, maxStringLength: number, pointer: string): fc.Arbitrary<string> | null {
  const minLength = merged.minLength;
  if (merged.maxLength !== undefined && minLength > merged.maxLength) return null;

  const patterns = merged.patterns.map((pattern) => compilePattern(pattern, pointer));
  const [firstFormat] = merged.formats;
  if (firstFormat === undefined && patterns.length === 0) {
    return fc.string({ unit: codePoint, minLength, maxLength: merged.maxLength ?? Math.max(minLength, maxStringLength) });
  }

  // maxStringLength does not cap formatted or patterned strings: a uuid needs 36 code points.
  const maxLength = merged.maxLength ?? Number.POSITIVE_INFINITY;
  const base =
    firstFormat !== undefined ? formatArbitrary(firstFormat, pointer) : patternArbitrary(patterns[0]!, merged.maxLength, pointer);

  const fits = (text: string): boolean => {
    const length = codePointLength(text);
    return length >= minLength && length <= maxLength && patterns.every((pattern) => pattern.test(text));
  };
  return boundedFilter(base, fits, STRING_TRIES, () => {
    const constraints = [...merged.formats.map((f) => `format ${f}`), ...merged.patterns.map((p) => `pattern /${p}/`)];
    return new SchemaError(
      `no string satisfying ${constraints.join(", ")} with length ${minLength}..${maxLength} at ${pointer} was found ` +
        `in ${STRING_TRIES} draws: check that these constraints can hold together`,
      pointer,
      firstFormat !== undefined ? "format" : "pattern",
    );
  });
}

function patternArbitrary(pattern: RegExp, maxLength: number | undefined, pointer: string): fc.Arbitrary<string> {
  try {
    return fc.stringMatching(pattern, maxLength === undefined ? {} : { maxLength });
  } catch (error) {
    throw new SchemaError(
      `fast-check's stringMatching cannot generate strings for pattern /${pattern.source}/ at ${pointer}` +
        `${maxLength === undefined ? "" : ` within maxLength ${maxLength}`} ` +
        `(${error instanceof Error ? error.message : String(error)}): simplify the pattern or relax maxLength`,
      pointer,
      "pattern",
      { cause: error },
    );
  }
}
