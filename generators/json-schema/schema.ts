/** A JSON Schema node: an object of keywords, or `true` (anything) / `false` (nothing). */
export type SchemaNode = boolean | SchemaObject;

export type SchemaObject = { readonly [keyword: string]: unknown };

/** The seven JSON types as JSON Schema names them in `type`. */
export type JsonType = "null" | "boolean" | "integer" | "number" | "string" | "array" | "object";

export const JSON_TYPES: readonly JsonType[] = ["null", "boolean", "integer", "number", "string", "array", "object"];

export function isSchemaObject(node: unknown): node is SchemaObject {
  return typeof node === "object" && node !== null && !Array.isArray(node);
}

export function isSchemaNode(node: unknown): node is SchemaNode {
  return typeof node === "boolean" || isSchemaObject(node);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Returns the JSON Schema type of a decoded JSON value; whole numbers count as `integer`. */
export function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  switch (typeof value) {
    case "boolean":
      return "boolean";
    case "number":
      return Number.isInteger(value) ? "integer" : "number";
    case "string":
      return "string";
    default:
      return "object";
  }
}
