import { SchemaError } from "../errors.ts";
import type { Dialect } from "./dialect.ts";
import type { SchemaObject } from "./schema.ts";
import { walkSchema } from "./walk.ts";

/** Keywords that only describe a schema; generation ignores them safely. */
export const ANNOTATION_KEYWORDS: ReadonlySet<string> = new Set([
  "$schema",
  "$id",
  "$comment",
  "title",
  "description",
  "examples",
  "default",
  "readOnly",
  "writeOnly",
  "deprecated",
]);

/** Keywords that generated values honour in every supported dialect. */
const COMMON_KEYWORDS = [
  "type",
  "enum",
  "const",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "pattern",
  "format",
  "$ref",
  "$defs",
  "definitions",
  "allOf",
  "anyOf",
  "oneOf",
];

/**
 * Supported keywords per dialect. Draft 7 and 2019-09 express tuples as an
 * array-valued `items` plus `additionalItems`; 2020-12 replaces that with
 * `prefixItems` and a schema-valued `items`. `$anchor` is absent because
 * ajv 8.20 rejects it in strict mode.
 */
export const SUPPORTED_KEYWORDS: Readonly<Record<Dialect, ReadonlySet<string>>> = {
  "draft-07": new Set([...COMMON_KEYWORDS, "additionalItems"]),
  "2019-09": new Set([...COMMON_KEYWORDS, "additionalItems"]),
  "2020-12": new Set([...COMMON_KEYWORDS, "prefixItems"]),
};

/**
 * Raises a SchemaError for the first keyword, in document order, that the
 * generator would otherwise have to ignore. Unused `$defs` are checked too,
 * so a schema is either fully understood or rejected.
 */
export function assertKeywordsSupported(root: SchemaObject, dialect: Dialect): void {
  const supported = SUPPORTED_KEYWORDS[dialect];

  walkSchema(root, (node, pointer) => {
    for (const keyword of Object.keys(node)) {
      if (supported.has(keyword) || ANNOTATION_KEYWORDS.has(keyword)) continue;
      throw new SchemaError(
        `unsupported JSON Schema keyword "${keyword}" at #${pointer} (dialect ${dialect}): remove it or ` +
          `express the constraint with supported keywords; samples that ignore it would be mislabelled`,
        `#${pointer}`,
        keyword,
      );
    }
  });
}
