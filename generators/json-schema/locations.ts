import type { SchemaContext } from "./context.ts";
import { flatten } from "./flatten.ts";
import { MergedSchema } from "./merge.ts";
import { appendPointer } from "./pointer.ts";
import { jsonTypeOf, type SchemaNode, type SchemaObject } from "./schema.ts";

/** One place in a decoded value, with the constraints that apply there. */
export interface ValueLocation {
  /** JSON pointer into the value; "" for the whole value. */
  path: string;
  value: unknown;
  schema: MergedSchema;
}

/**
 * `$ref` expansions allowed per level while locating. Locating walks an
 * existing finite value, so this only stops a `$ref` that points to itself.
 */
const LOCATE_REF_BUDGET = 32;

/**
 * Lists every location of `value` (parents before children) with the
 * constraints that apply to it. At `anyOf`/`oneOf` the first branch whose
 * types admit the value is taken. That is an approximation, and it is safe
 * because mutations only use the constraints to pick candidate values and ajv
 * labels the result.
 */
export function locateValues(ctx: SchemaContext, value: unknown): ValueLocation[] {
  const locations: ValueLocation[] = [];
  visit(ctx, [ctx.root], value, "", locations);
  return locations;
}

function visit(ctx: SchemaContext, schemas: SchemaNode[], value: unknown, path: string, out: ValueLocation[]): void {
  const schema = new MergedSchema(settle(ctx, schemas, value), ctx.dialect);
  out.push({ path, value, schema });

  if (Array.isArray(value)) {
    value.forEach((item, index) => visit(ctx, schema.itemSchemas(index), item, appendPointer(path, index), out));
  } else if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      visit(ctx, schema.propertySchemas(key), record[key], appendPointer(path, key), out);
    }
  }
}

/** Flattens `schemas` and resolves each anyOf/oneOf to one branch that fits the value's type. */
function settle(ctx: SchemaContext, schemas: SchemaNode[], value: unknown): SchemaObject[] {
  const nodes: SchemaObject[] = [];
  const pending: SchemaNode[] = [...schemas];
  const type = jsonTypeOf(value);

  while (pending.length > 0) {
    const conjunction = flatten(ctx, pending.splice(0), LOCATE_REF_BUDGET);
    nodes.push(...conjunction.nodes);
    for (const branches of conjunction.choices) {
      const fitting = branches.find((branch) => {
        if (typeof branch === "boolean") return branch;
        const branchTypes = new MergedSchema(flatten(ctx, [branch], LOCATE_REF_BUDGET).nodes, ctx.dialect);
        return branchTypes.allowsType(type);
      });
      if (fitting !== undefined && typeof fitting !== "boolean" && !nodes.includes(fitting)) pending.push(fitting);
    }
  }
  return nodes;
}
