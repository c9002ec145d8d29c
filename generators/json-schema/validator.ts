import { Ajv, type Options, type ValidateFunction } from "ajv";
import { Ajv2019 } from "ajv/dist/2019.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule, { type FormatsPlugin } from "ajv-formats";

import { SchemaError } from "../errors.ts";
import type { Dialect } from "./dialect.ts";
import type { SchemaObject } from "./schema.ts";

/**
 * Ajv options. Strict mode stays on so that ajv, too, rejects unknown
 * keywords and formats. It also turns on `strictNumbers`, which rejects NaN
 * and Infinity. JSON.parse reads literals beyond the double range, such as
 * 1e309 or a 5,000-digit integer, as Infinity, and no consumer should store
 * that as a number. `strictTypes` and `strictTuples` are off because they
 * reject valid schemas such as `properties` without `type`. `logger: false`
 * keeps a library from printing.
 */
const AJV_OPTIONS: Options = {
  strict: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  allErrors: false,
  logger: false,
};

// ajv-formats is CommonJS; under Node's ESM loader its default export is the
// `module.exports` object, which carries the plugin both as itself and as `.default`.
const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? (addFormatsModule as unknown as FormatsPlugin);

const cache = new WeakMap<object, ValidateFunction>();

/**
 * Returns the ajv validator for `schema`, compiling it on first use with
 * `ajv-formats` in its default (full) mode. One ajv instance per schema
 * object, so schemas with equal `$id`s do not collide.
 */
export function validatorFor(schema: SchemaObject, dialect: Dialect): ValidateFunction {
  const cached = cache.get(schema);
  if (cached !== undefined) return cached;

  const ajv = createAjv(dialect);
  addFormats(ajv);

  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new SchemaError(`invalid JSON Schema (ajv ${dialect}): ${message}`, "#", undefined, { cause: error });
  }

  cache.set(schema, validate);
  return validate;
}

function createAjv(dialect: Dialect): Ajv | Ajv2019 | Ajv2020 {
  switch (dialect) {
    case "2020-12":
      return new Ajv2020(AJV_OPTIONS);
    case "2019-09":
      return new Ajv2019(AJV_OPTIONS);
    case "draft-07":
      return new Ajv(AJV_OPTIONS);
  }
}
