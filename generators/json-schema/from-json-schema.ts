import fc from "fast-check";

import { SchemaError } from "../errors.ts";
import type { Sample } from "../sample.ts";
import { classArbitraries } from "./classes.ts";
import type { SchemaContext } from "./context.ts";
import { detectDialect } from "./dialect.ts";
import { encodeSample } from "./encoding.ts";
import { assertKeywordsSupported } from "./keywords.ts";
import { JSON_SCHEMA_SAMPLE_CLASSES, resolveOptions, type FromJsonSchemaOptions } from "./options.ts";
import { RefResolver } from "./refs.ts";
import { isSchemaObject } from "./schema.ts";
import { validValueArbitrary } from "./valid-value.ts";
import { validatorFor } from "./validator.ts";
import { WHOLE_VALUE_REPLACEMENTS } from "./violation.ts";

/**
 * Returns an arbitrary of labelled JSON samples for `schema`: valid and
 * boundary values, single-constraint violations, hostile content and corrupt
 * bytes, and (when named in `classes`) payloads sized from the broker's
 * limit. Every `expect` comes from ajv: bytes that are UTF-8 JSON (after
 * decompression, with gzip) get `accept` exactly when ajv validates the
 * parsed value, all other bytes get `reject`. Payloads over the broker limit
 * and decompression bombs are always `reject`.
 *
 * Raises a SchemaError for a keyword, format or `$ref` it cannot honour and
 * for a schema ajv cannot compile, and a RangeError or TypeError for invalid
 * options. The dialect comes from `$schema`; see detectDialect.
 */
export function fromJsonSchema(schema: object, options?: FromJsonSchemaOptions): fc.Arbitrary<Sample> {
  if (!isSchemaObject(schema)) {
    throw new SchemaError(`schema must be a JSON Schema object, got ${Array.isArray(schema) ? "an array" : typeof schema}`, "#");
  }
  const resolved = resolveOptions(options);

  const dialect = detectDialect(schema);
  assertKeywordsSupported(schema, dialect);
  const validate = validatorFor(schema, dialect);
  const ctx: SchemaContext = { root: schema, dialect, refs: new RefResolver(schema), validate, options: resolved };

  const arbitraries = classArbitraries(ctx, validValueArbitrary(ctx));

  const violable = WHOLE_VALUE_REPLACEMENTS.some((value) => !validate(value));
  if (!violable && resolved.requestedClasses?.includes("violation")) {
    throw new SchemaError("schema accepts every JSON value, so no violation sample exists: remove violation from classes", "#");
  }
  const classes = (resolved.requestedClasses ?? JSON_SCHEMA_SAMPLE_CLASSES).filter((name) => name !== "violation" || violable);

  const weighted = classes
    .filter((name) => resolved.weights[name] > 0)
    // Oversized samples size their wire bytes themselves, gzip included.
    .map((name) => ({
      arbitrary: name === "oversized" ? arbitraries[name] : arbitraries[name].map((sample) => encodeSample(sample, resolved.contentEncoding)),
      weight: resolved.weights[name],
    }));
  if (weighted.length === 0) {
    throw new RangeError(`weights: every selected class (${classes.join(", ")}) has weight 0; give one a weight >= 1`);
  }
  return fc.oneof(...weighted);
}
