import fc from "fast-check";

import { SchemaError } from "../errors.ts";
import { boundedFilter } from "./bounded-filter.ts";
import { canonicalJson } from "./json-value.ts";
import type { MergedSchema } from "./merge.ts";
import type { SchemaNode } from "./schema.ts";

/** Builds values for child schemas; null when no value fits. */
export type ChildBuilder = (schemas: SchemaNode[], refBudget: number) => fc.Arbitrary<unknown> | null;

/** Draws per array before `uniqueItems` across positional and further items is declared unsatisfiable. */
const UNIQUE_TRIES = 50;

/**
 * Builds arrays honouring minItems/maxItems, positional items
 * (`prefixItems` or array-form `items`), the schema of further items and
 * `uniqueItems`. An item position that cannot be filled (a `false` schema, or
 * a recursive `$ref` beyond maxDepth) ends the array there. Returns null when
 * that leaves fewer than minItems.
 */
export function arrayArbitrary(
  merged: MergedSchema,
  refBudget: number,
  maxArrayLength: number,
  pointer: string,
  buildChild: ChildBuilder,
): fc.Arbitrary<unknown[]> | null {
  const minItems = merged.minItems;
  const maxItems = merged.maxItems ?? Math.max(minItems, maxArrayLength);
  if (minItems > maxItems) return null;

  const positional: fc.Arbitrary<unknown>[] = [];
  let blocked = false;
  for (let index = 0; index < Math.min(merged.prefixLength, maxItems); index += 1) {
    const item = buildChild(merged.itemSchemas(index), refBudget);
    if (item === null) {
      blocked = true;
      break;
    }
    positional.push(item);
  }
  if (merged.prefixLength > maxItems) blocked = true;

  const further = blocked ? null : buildChild(merged.itemSchemas(merged.prefixLength), refBudget);
  const minFurther = Math.max(0, minItems - positional.length);
  const maxFurther = further === null ? 0 : maxItems - positional.length;
  if (minFurther > maxFurther) return null;

  const furtherArbitrary =
    further === null
      ? fc.constant([] as unknown[])
      : merged.uniqueItems
        ? fc.uniqueArray(further, { minLength: minFurther, maxLength: maxFurther, selector: canonicalJson })
        : fc.array(further, { minLength: minFurther, maxLength: maxFurther });

  const arrays = fc.tuple(fc.tuple(...positional), furtherArbitrary).map(([head, tail]) => [...head, ...tail]);
  if (!merged.uniqueItems) return arrays;

  return boundedFilter(
    arrays,
    (items) => new Set(items.map(canonicalJson)).size === items.length,
    UNIQUE_TRIES,
    () =>
      new SchemaError(
        `no array of ${minItems}..${maxItems} unique items at ${pointer} was found in ${UNIQUE_TRIES} draws: ` +
          `check that the item schemas admit enough distinct values`,
        pointer,
        "uniqueItems",
      ),
  );
}
