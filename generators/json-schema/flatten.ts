import type { SchemaContext } from "./context.ts";
import { isSchemaNode, type SchemaNode, type SchemaObject } from "./schema.ts";

/** The schemas that all apply to one value, with the `anyOf`/`oneOf` choices still open. */
export interface Conjunction {
  /** Object nodes whose own keywords all apply; `$ref` and `allOf` already expanded. */
  nodes: SchemaObject[];
  /** One entry per `anyOf`/`oneOf`: the value must satisfy at least one branch of each. */
  choices: SchemaNode[][];
  /** `false` was reached, or a `$ref` needed more expansions than `refBudget` allowed. */
  impossible: boolean;
  /** `$ref` expansions left for the value's children. */
  refBudget: number;
}

/**
 * Expands `$ref` and `allOf` into a flat conjunction. Each `$ref` expansion
 * spends one unit of `refBudget`. A `$ref` met with no budget left makes the
 * conjunction impossible, and that is how recursive schemas stop at maxDepth.
 */
export function flatten(ctx: SchemaContext, schemas: readonly SchemaNode[], refBudget: number): Conjunction {
  const result: Conjunction = { nodes: [], choices: [], impossible: false, refBudget };
  const seen = new Set<SchemaObject>();
  const pending = [...schemas];

  while (pending.length > 0) {
    const node = pending.shift()!;
    if (node === true) continue;
    if (node === false) {
      result.impossible = true;
      continue;
    }
    if (seen.has(node)) continue;
    seen.add(node);
    result.nodes.push(node);

    if (node.$ref !== undefined) {
      if (result.refBudget <= 0) {
        result.impossible = true;
        continue;
      }
      result.refBudget -= 1;
      pending.push(ctx.refs.resolve(node));
    }
    if (Array.isArray(node.allOf)) pending.push(...node.allOf.filter(isSchemaNode));
    for (const keyword of ["anyOf", "oneOf"] as const) {
      const branches = node[keyword];
      // The array itself, not a copy, so that callers can key caches on it; ajv has checked its items.
      if (Array.isArray(branches)) result.choices.push(branches as SchemaNode[]);
    }
  }

  return result;
}
