import fc from "fast-check";

import { SchemaError } from "../errors.ts";
import { boundedFilter } from "./bounded-filter.ts";
import type { MergedSchema } from "./merge.ts";

/** Half-width of the range used for a numeric side without a bound; a typical magnitude, not a limit. */
const TYPICAL_SPAN = 1_000_000;

/** Draws per value before a `multipleOf` constraint is declared unsatisfiable. */
const MULTIPLE_OF_TRIES = 50;

/** Tests `multipleOf` exactly as ajv 8 does without `multipleOfPrecision`. */
export function isMultipleOf(value: number, divisor: number): boolean {
  const quotient = value / divisor;
  return quotient === Number.parseInt(String(quotient), 10);
}

/** Smallest whole number allowed by the lower bound, or undefined without one. */
export function integerLowerBound(merged: MergedSchema): number | undefined {
  const lower = merged.lower;
  if (lower === undefined) return undefined;
  return lower.exclusive ? Math.floor(lower.value) + 1 : Math.ceil(lower.value);
}

/** Largest whole number allowed by the upper bound, or undefined without one. */
export function integerUpperBound(merged: MergedSchema): number | undefined {
  const upper = merged.upper;
  if (upper === undefined) return undefined;
  return upper.exclusive ? Math.ceil(upper.value) - 1 : Math.floor(upper.value);
}

/**
 * Builds values honouring minimum/maximum, their exclusive forms and
 * `multipleOf`. Returns null when the bounds leave no value.
 */
export function numberArbitrary(merged: MergedSchema, integer: boolean, pointer: string): fc.Arbitrary<number> | null {
  if (merged.multipleOf.length > 0) return multipleArbitrary(merged, integer, pointer);

  if (integer) {
    const [min, max] = integerRange(merged);
    return min > max ? null : fc.integer({ min, max });
  }

  const { lower, upper } = merged;
  if (lower !== undefined && upper !== undefined) {
    if (lower.value > upper.value) return null;
    if (lower.value === upper.value && (lower.exclusive || upper.exclusive)) return null;
  }
  return fc.double({
    min: lower?.value,
    max: upper?.value,
    minExcluded: lower?.exclusive ?? false,
    maxExcluded: upper?.exclusive ?? false,
    noNaN: true,
    noDefaultInfinity: true,
  });
}

function integerRange(merged: MergedSchema): [number, number] {
  const lower = integerLowerBound(merged);
  const upper = integerUpperBound(merged);
  const min = lower ?? (upper !== undefined ? upper - 2 * TYPICAL_SPAN : -TYPICAL_SPAN);
  const max = upper ?? min + 2 * TYPICAL_SPAN;
  return [Math.max(min, Number.MIN_SAFE_INTEGER), Math.min(max, Number.MAX_SAFE_INTEGER)];
}

/**
 * Draws k and returns k × divisor, then filters, because floating-point
 * products such as 7 × 0.01 are not always exact multiples for ajv.
 */
function multipleArbitrary(merged: MergedSchema, integer: boolean, pointer: string): fc.Arbitrary<number> | null {
  const divisor = merged.multipleOf[0]!;
  const lower = merged.lower?.value ?? (merged.upper !== undefined ? merged.upper.value - TYPICAL_SPAN : -TYPICAL_SPAN);
  const upper = merged.upper?.value ?? lower + 2 * TYPICAL_SPAN;
  const minFactor = Math.max(Math.ceil(lower / divisor), Number.MIN_SAFE_INTEGER);
  const maxFactor = Math.min(Math.floor(upper / divisor), Number.MAX_SAFE_INTEGER);
  if (minFactor > maxFactor) return null;

  const fits = (value: number): boolean =>
    (!integer || Number.isInteger(value)) &&
    merged.multipleOf.every((d) => isMultipleOf(value, d)) &&
    withinBounds(merged, value);

  return boundedFilter(
    fc.integer({ min: minFactor, max: maxFactor }).map((factor) => factor * divisor),
    fits,
    MULTIPLE_OF_TRIES,
    () =>
      new SchemaError(
        `no ${integer ? "integer" : "number"} satisfying multipleOf ${merged.multipleOf.join(", ")} and the bounds at ` +
          `${pointer} was found in ${MULTIPLE_OF_TRIES} draws: check that the constraints admit a value`,
        pointer,
        "multipleOf",
      ),
  );
}

export function withinBounds(merged: MergedSchema, value: number): boolean {
  const { lower, upper } = merged;
  if (lower !== undefined && (lower.exclusive ? value <= lower.value : value < lower.value)) return false;
  if (upper !== undefined && (upper.exclusive ? value >= upper.value : value > upper.value)) return false;
  return true;
}
