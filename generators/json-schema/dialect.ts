import { SchemaError } from "../errors.ts";
import type { SchemaObject } from "./schema.ts";
import { walkSchema } from "./walk.ts";

/** JSON Schema drafts that ajv 8 validates out of the box. */
export type Dialect = "draft-07" | "2019-09" | "2020-12";

/**
 * Picks the dialect from `$schema`. Without `$schema`, a schema that uses
 * `prefixItems` anywhere is read as 2020-12 (the keyword exists in no earlier
 * draft) and every other schema as draft 7, the most widely deployed draft.
 */
export function detectDialect(schema: SchemaObject): Dialect {
  const declared = schema.$schema;

  if (declared === undefined) return usesPrefixItems(schema) ? "2020-12" : "draft-07";
  if (typeof declared !== "string") {
    throw new SchemaError(`$schema must be a string, got ${typeof declared}`, "#/$schema", "$schema");
  }
  if (declared.includes("draft/2020-12")) return "2020-12";
  if (declared.includes("draft/2019-09")) return "2019-09";
  if (declared.includes("draft-07")) return "draft-07";

  throw new SchemaError(
    `unsupported $schema "${declared}": use draft-07, 2019-09 or 2020-12 ` +
      `(https://json-schema.org/draft/2020-12/schema)`,
    "#/$schema",
    "$schema",
  );
}

function usesPrefixItems(schema: SchemaObject): boolean {
  let found = false;
  walkSchema(schema, (node) => {
    if ("prefixItems" in node) found = true;
  });
  return found;
}
