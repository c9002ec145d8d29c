import fc from "fast-check";

import type { ChildBuilder } from "./arrays.ts";
import { setOwn } from "./json-value.ts";
import type { MergedSchema } from "./merge.ts";

/** Names for undeclared properties; all distinct from `__proto__` and other inherited names. */
const EXTRA_PROPERTY_NAME = fc.stringMatching(/^x_[a-z0-9_]{1,10}$/);

/** Maximum count of undeclared properties added where `additionalProperties` allows them. */
const MAX_EXTRA_PROPERTIES = 2;

/**
 * Builds objects honouring `properties`, `required` and
 * `additionalProperties`. Optional properties whose schema admits no value
 * (for instance a recursive `$ref` at maxDepth) are left out. Returns null
 * when a required property admits no value.
 */
export function objectArbitrary(
  merged: MergedSchema,
  refBudget: number,
  buildChild: ChildBuilder,
): fc.Arbitrary<Record<string, unknown>> | null {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  const requiredKeys: string[] = [];

  for (const name of new Set([...merged.declaredProperties, ...merged.required])) {
    // A name outside a closed node's `properties` gets that node's `false`, so it builds to null.
    const value = buildChild(merged.propertySchemas(name), refBudget);
    if (value === null) {
      if (merged.required.has(name)) return null;
      continue;
    }
    setOwn(model, name, value);
    if (merged.required.has(name)) requiredKeys.push(name);
  }

  const declared = fc.record(model, { requiredKeys });
  const extraValue = merged.closed ? null : buildChild(merged.extraPropertySchemas(), refBudget);
  if (extraValue === null) return declared;

  const extras = fc.array(fc.tuple(EXTRA_PROPERTY_NAME, extraValue), { maxLength: MAX_EXTRA_PROPERTIES });
  return fc.tuple(declared, extras).map(([object, entries]) => {
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(object)) setOwn(result, key, object[key]);
    for (const [key, value] of entries) {
      if (!merged.declaredProperties.has(key) && !merged.required.has(key)) setOwn(result, key, value);
    }
    return result;
  });
}
