import { SchemaError } from "../errors.ts";
import { unescapePointerToken } from "./pointer.ts";
import { isSchemaNode, isSchemaObject, type SchemaNode, type SchemaObject } from "./schema.ts";
import { walkSchema } from "./walk.ts";

/** Stands in for the base URI of a schema without `$id`; never fetched. */
const DEFAULT_BASE_URI = "https://poisonpill.invalid/schema.json";

/**
 * Resolves `$ref` values inside one schema document. Supports JSON-pointer
 * fragments, plain-name fragments declared as `$id: "#name"` (draft 7) and
 * `$id`s of embedded resources, resolved against the enclosing `$id` as
 * RFC 3986 prescribes. References to other documents raise a SchemaError
 * because generators do no I/O.
 */
export class RefResolver {
  /** Absolute URI without fragment → the schema resource with that `$id`. */
  private readonly resources = new Map<string, SchemaObject>();
  /** Absolute URI with `#name` → the node whose `$id` declares that name. */
  private readonly anchors = new Map<string, SchemaObject>();
  /** Each node's `#`-pointer from the root and the base URI its refs resolve against. */
  private readonly nodes = new WeakMap<object, { pointer: string; baseUri: string }>();

  constructor(root: SchemaObject) {
    this.index(root);
  }

  /** Returns `#/…`, the JSON pointer of a node of this schema, or "#?" for a node not in it. */
  pointerOf(node: SchemaNode): string {
    if (typeof node === "boolean") return "#?";
    return `#${this.nodes.get(node)?.pointer ?? "?"}`;
  }

  /** Returns the schema that `node.$ref` refers to. */
  resolve(node: SchemaObject): SchemaNode {
    const ref = node.$ref;
    const at = `${this.pointerOf(node)}/$ref`;
    if (typeof ref !== "string") throw new SchemaError(`$ref must be a string at ${at}`, at, "$ref");

    const base = this.nodes.get(node)?.baseUri ?? DEFAULT_BASE_URI;
    const target = new URL(ref, base);
    const fragment = decodeURIComponent(target.hash.slice(1));
    target.hash = "";

    const resource = this.resources.get(target.href);
    if (resource === undefined) {
      throw new SchemaError(
        `$ref "${ref}" at ${at} points outside this schema (${target.href}): inline the referenced schema under $defs`,
        at,
        "$ref",
      );
    }

    if (fragment === "") return resource;
    if (!fragment.startsWith("/")) {
      const anchored = this.anchors.get(`${target.href}#${fragment}`);
      if (anchored === undefined) throw new SchemaError(`$ref "${ref}" at ${at}: no $id "#${fragment}" declares this name`, at, "$ref");
      return anchored;
    }

    let current: unknown = resource;
    for (const token of fragment.slice(1).split("/").map(unescapePointerToken)) {
      current = isSchemaObject(current) || Array.isArray(current) ? (current as Record<string, unknown>)[token] : undefined;
    }
    if (!isSchemaNode(current)) {
      throw new SchemaError(`$ref "${ref}" at ${at} does not resolve to a schema`, at, "$ref");
    }
    return current;
  }

  private index(root: SchemaObject): void {
    const rootBase = withoutFragment(typeof root.$id === "string" ? new URL(root.$id, DEFAULT_BASE_URI).href : DEFAULT_BASE_URI);
    this.resources.set(rootBase, root);

    walkSchema<string>(root, (node, pointer, parentBase) => {
      let base = parentBase ?? rootBase;

      if (typeof node.$id === "string" && pointer !== "") {
        const id = new URL(node.$id, base);
        // Draft 7 writes plain-name anchors as `$id: "#name"`.
        if (node.$id.startsWith("#")) {
          this.anchors.set(id.href, node);
        } else {
          base = withoutFragment(id.href);
          this.resources.set(base, node);
        }
      }

      this.nodes.set(node, { pointer, baseUri: base });
      return base;
    });
  }
}

function withoutFragment(uri: string): string {
  const url = new URL(uri);
  url.hash = "";
  return url.href;
}
