import { appendPointer } from "./pointer.ts";
import { isSchemaObject, type SchemaObject } from "./schema.ts";

/** Keywords whose value is one subschema. */
const SINGLE_SUBSCHEMA = ["additionalProperties", "additionalItems", "items"] as const;
/** Keywords whose value is an array of subschemas. */
const SUBSCHEMA_ARRAYS = ["allOf", "anyOf", "oneOf", "prefixItems", "items"] as const;
/** Keywords whose value maps names to subschemas. */
const SUBSCHEMA_MAPS = ["properties", "$defs", "definitions"] as const;

/**
 * Calls `visit` on every object subschema of `root` reachable through the
 * keywords this generator understands, parents before children. `pointer` is
 * the JSON pointer of the node without the leading `#`. What `visit` returns
 * is handed to the node's children as `inherited`. Malformed keyword values
 * are skipped because ajv reports them when it compiles the schema.
 */
export function walkSchema<State = undefined>(
  root: SchemaObject,
  visit: (node: SchemaObject, pointer: string, inherited: State | undefined) => State | void,
): void {
  const pending: Array<{ node: SchemaObject; pointer: string; inherited: State | undefined }> = [
    { node: root, pointer: "", inherited: undefined },
  ];

  while (pending.length > 0) {
    const { node, pointer, inherited } = pending.pop()!;
    const state = visit(node, pointer, inherited) ?? undefined;

    const children: Array<{ node: SchemaObject; pointer: string; inherited: State | undefined }> = [];
    const push = (child: unknown, childPointer: string) => {
      if (isSchemaObject(child)) children.push({ node: child, pointer: childPointer, inherited: state });
    };

    for (const keyword of SINGLE_SUBSCHEMA) {
      if (!Array.isArray(node[keyword])) push(node[keyword], appendPointer(pointer, keyword));
    }
    for (const keyword of SUBSCHEMA_ARRAYS) {
      const list = node[keyword];
      if (Array.isArray(list)) list.forEach((child, i) => push(child, appendPointer(appendPointer(pointer, keyword), i)));
    }
    for (const keyword of SUBSCHEMA_MAPS) {
      const map = node[keyword];
      if (isSchemaObject(map)) {
        for (const [name, child] of Object.entries(map)) push(child, appendPointer(appendPointer(pointer, keyword), name));
      }
    }

    // Reversed so that the first child is visited first.
    pending.push(...children.reverse());
  }
}
