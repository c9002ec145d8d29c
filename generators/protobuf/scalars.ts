/**
 * Values per scalar type: arbitraries for typical values and lists of
 * boundary values. 64-bit integers are decimal strings throughout, because a
 * JS number cannot hold every int64 or uint64 exactly and protobufjs accepts
 * decimal strings for those fields in `Type.fromObject`.
 */
import fc from "fast-check";

import type { ScalarType } from "./schema.ts";

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const UINT32_MAX = 2 ** 32 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const SAFE = 2n ** 53n;

/** The largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;
/** The smallest positive (denormal) float32. */
const FLOAT32_MIN_DENORMAL = 1.401298464324817e-45;

/**
 * 64-bit values above 2^53 that come in pairs which differ as integers but
 * round to the same JS number (2^53 and 2^53 + 1, 2^64 - 2 and 2^64 - 1, ...).
 * A consumer that parses them into numbers merges distinct ids.
 */
export const UNSIGNED_COLLIDING = [SAFE, SAFE + 1n, INT64_MAX, 2n ** 63n, UINT64_MAX - 1n, UINT64_MAX];
export const SIGNED_COLLIDING = [SAFE, SAFE + 1n, -SAFE, -SAFE - 1n, INT64_MAX - 1n, INT64_MAX, INT64_MIN, INT64_MIN + 1n];

/** Strings for boundary samples; the long one is built per call from `longLength`. */
const BOUNDARY_STRINGS = ["", "\u0000", "\uFEFF", "e\u0301", "\u{10FFFF}", "\u{1F600}\u200D\u{1F4BB}"];

/** An arbitrary of typical valid values for a scalar type. */
export function scalarArbitrary(type: ScalarType, maxStringLength: number): fc.Arbitrary<unknown> {
  switch (type) {
    case "double":
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case "float":
      return fc.float({ noNaN: true, noDefaultInfinity: true });
    case "int32":
    case "sint32":
    case "sfixed32":
      return fc.integer({ min: INT32_MIN, max: INT32_MAX });
    case "uint32":
    case "fixed32":
      return fc.integer({ min: 0, max: UINT32_MAX });
    case "int64":
    case "sint64":
    case "sfixed64":
      return fc.oneof(
        { arbitrary: fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), weight: 4 },
        { arbitrary: fc.constantFrom(...SIGNED_COLLIDING), weight: 1 },
      ).map(String);
    case "uint64":
    case "fixed64":
      return fc.oneof(
        { arbitrary: fc.bigInt({ min: 0n, max: UINT64_MAX }), weight: 4 },
        { arbitrary: fc.constantFrom(...UNSIGNED_COLLIDING), weight: 1 },
      ).map(String);
    case "bool":
      return fc.boolean();
    case "string":
      // "binary" draws any code point except lone surrogates, which UTF-8 cannot encode.
      return fc.string({ unit: "binary", maxLength: maxStringLength });
    case "bytes":
      return fc.uint8Array({ maxLength: maxStringLength });
  }
}

/** Boundary values for a scalar type; `longLength` sizes the long string and bytes. */
export function scalarBoundaries(type: ScalarType, longLength: number): unknown[] {
  switch (type) {
    case "double":
      return [NaN, Infinity, -Infinity, -0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53 + 2];
    case "float":
      return [NaN, Infinity, -Infinity, -0, FLOAT32_MAX, -FLOAT32_MAX, FLOAT32_MIN_DENORMAL];
    case "int32":
    case "sint32":
    case "sfixed32":
      return [INT32_MIN, INT32_MAX, -1, 0];
    case "uint32":
    case "fixed32":
      return [0, UINT32_MAX, 2 ** 31];
    case "int64":
    case "sint64":
    case "sfixed64":
      return [...SIGNED_COLLIDING, -1n, 0n].map(String);
    case "uint64":
    case "fixed64":
      return [0n, ...UNSIGNED_COLLIDING].map(String);
    case "bool":
      return [true, false];
    case "string":
      return [...BOUNDARY_STRINGS, "x".repeat(longLength), "\u00E9".repeat(longLength)];
    case "bytes":
      return [new Uint8Array(0), new Uint8Array(1), new Uint8Array(longLength).fill(0xff)];
  }
}
