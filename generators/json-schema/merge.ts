import type { Dialect } from "./dialect.ts";
import { jsonEqual } from "./json-value.ts";
import { ANNOTATION_KEYWORDS } from "./keywords.ts";
import { JSON_TYPES, isPlainObject, isSchemaNode, jsonTypeOf, type JsonType, type SchemaNode, type SchemaObject } from "./schema.ts";

export interface NumericBound {
  value: number;
  exclusive: boolean;
}

/** Keywords that only constrain values of one type, used to guess the type when `type` is absent. */
const TYPE_HINTS: ReadonlyArray<[JsonType, readonly string[]]> = [
  ["object", ["properties", "required", "additionalProperties"]],
  ["array", ["items", "prefixItems", "additionalItems", "minItems", "maxItems", "uniqueItems"]],
  ["string", ["minLength", "maxLength", "pattern", "format"]],
  ["number", ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]],
];

/** Keywords that flatten() has already expanded. */
const STRUCTURAL_KEYWORDS = new Set(["$ref", "allOf", "anyOf", "oneOf", "$defs", "definitions"]);

/**
 * The combined constraints of a conjunction of schema nodes: the tightest
 * bound of each numeric keyword, the intersection of types and enums, and the
 * child schemas per property and array index. Where two nodes cannot be
 * combined exactly (two patterns, two formats), all of them are kept and the
 * generator filters.
 */
export class MergedSchema {
  /** Allowed types; undefined when no node has `type`. `integer` stands for whole numbers. */
  readonly types: ReadonlySet<JsonType> | undefined;
  /** Values allowed by every `enum` and `const`; undefined when there is none. */
  readonly enumValues: readonly unknown[] | undefined;
  readonly lower: NumericBound | undefined;
  readonly upper: NumericBound | undefined;
  readonly multipleOf: readonly number[];
  readonly minLength: number;
  readonly maxLength: number | undefined;
  readonly patterns: readonly string[];
  readonly formats: readonly string[];
  readonly minItems: number;
  readonly maxItems: number | undefined;
  readonly uniqueItems: boolean;
  readonly required: ReadonlySet<string>;
  /** Names declared under `properties` by any node. */
  readonly declaredProperties: ReadonlySet<string>;
  /** Some node has `additionalProperties: false`, so only its declared names are allowed. */
  readonly closed: boolean;
  /** Number of positional items (`prefixItems`, or array-form `items` before 2020-12). */
  readonly prefixLength: number;

  constructor(
    readonly nodes: readonly SchemaObject[],
    private readonly dialect: Dialect,
  ) {
    this.types = intersectTypes(nodes);
    this.enumValues = intersectEnums(nodes, this.types);
    this.lower = tightestBound(nodes, "minimum", "exclusiveMinimum", (a, b) => a > b);
    this.upper = tightestBound(nodes, "maximum", "exclusiveMaximum", (a, b) => a < b);
    this.multipleOf = numbers(nodes, "multipleOf");
    this.minLength = Math.max(0, ...numbers(nodes, "minLength"));
    this.maxLength = minOrUndefined(numbers(nodes, "maxLength"));
    this.patterns = strings(nodes, "pattern");
    this.formats = [...new Set(strings(nodes, "format"))];
    this.minItems = Math.max(0, ...numbers(nodes, "minItems"));
    this.maxItems = minOrUndefined(numbers(nodes, "maxItems"));
    this.uniqueItems = nodes.some((node) => node.uniqueItems === true);
    this.required = new Set(nodes.flatMap((node) => (Array.isArray(node.required) ? node.required.map(String) : [])));
    this.declaredProperties = new Set(nodes.flatMap((node) => (isPlainObject(node.properties) ? Object.keys(node.properties) : [])));
    this.closed = nodes.some((node) => node.additionalProperties === false);
    this.prefixLength = Math.max(0, ...nodes.map((node) => this.prefixOf(node).length));
  }

  /** True when no node constrains the value at all, so any JSON value is valid. */
  get unconstrained(): boolean {
    return this.nodes.every((node) =>
      Object.keys(node).every((keyword) => ANNOTATION_KEYWORDS.has(keyword) || STRUCTURAL_KEYWORDS.has(keyword)),
    );
  }

  /** Types to generate: `types`, else the types hinted by type-specific keywords, else all. */
  get candidateTypes(): JsonType[] {
    if (this.types !== undefined) return [...this.types];
    const hinted = TYPE_HINTS.filter(([, keywords]) => this.nodes.some((node) => keywords.some((k) => k in node))).map(
      ([type]) => type,
    );
    return hinted.length > 0 ? hinted : [...JSON_TYPES];
  }

  allowsType(type: JsonType): boolean {
    if (this.types === undefined) return true;
    return this.types.has(type) || (type === "integer" && this.types.has("number"));
  }

  /** Schemas that apply to the property `name`; `false` among them means the name is not allowed. */
  propertySchemas(name: string): SchemaNode[] {
    const schemas: SchemaNode[] = [];
    for (const node of this.nodes) {
      const declared = isPlainObject(node.properties) ? node.properties[name] : undefined;
      if (isSchemaNode(declared)) schemas.push(declared);
      else if (isSchemaNode(node.additionalProperties)) schemas.push(node.additionalProperties);
    }
    return schemas;
  }

  /** Schemas that apply to properties not declared by any node. */
  extraPropertySchemas(): SchemaNode[] {
    return this.nodes.flatMap((node) => (isSchemaNode(node.additionalProperties) ? [node.additionalProperties] : []));
  }

  /** Schemas that apply to the array item at `index`; `false` among them means no item may be there. */
  itemSchemas(index: number): SchemaNode[] {
    const schemas: SchemaNode[] = [];
    for (const node of this.nodes) {
      const prefix = this.prefixOf(node);
      const schema = index < prefix.length ? prefix[index] : this.restOf(node);
      if (isSchemaNode(schema)) schemas.push(schema);
    }
    return schemas;
  }

  private prefixOf(node: SchemaObject): unknown[] {
    if (this.dialect === "2020-12") return Array.isArray(node.prefixItems) ? node.prefixItems : [];
    return Array.isArray(node.items) ? node.items : [];
  }

  private restOf(node: SchemaObject): unknown {
    if (this.dialect === "2020-12") return node.items;
    return Array.isArray(node.items) ? node.additionalItems : node.items;
  }
}

function intersectTypes(nodes: readonly SchemaObject[]): Set<JsonType> | undefined {
  let result: Set<JsonType> | undefined;
  for (const node of nodes) {
    if (node.type === undefined) continue;
    const declared = new Set((Array.isArray(node.type) ? node.type : [node.type]) as JsonType[]);
    // `number` admits whole numbers, so number ∩ integer is integer.
    if (declared.has("number")) declared.add("integer");
    result = result === undefined ? declared : new Set([...result].filter((type) => declared.has(type)));
  }
  if (result?.has("number") && result.has("integer")) result.delete("integer");
  return result;
}

function intersectEnums(nodes: readonly SchemaObject[], types: ReadonlySet<JsonType> | undefined): unknown[] | undefined {
  const sets = nodes.flatMap((node) => {
    const lists: unknown[][] = [];
    if (Array.isArray(node.enum)) lists.push(node.enum);
    if ("const" in node) lists.push([node.const]);
    return lists;
  });
  if (sets.length === 0) return undefined;

  return sets[0]!.filter((value) => {
    const type = jsonTypeOf(value);
    const typeAllowed = types === undefined || types.has(type) || (type === "integer" && types.has("number"));
    return typeAllowed && sets.every((set) => set.some((member) => jsonEqual(member, value)));
  });
}

function tightestBound(
  nodes: readonly SchemaObject[],
  inclusiveKeyword: string,
  exclusiveKeyword: string,
  tighter: (a: number, b: number) => boolean,
): NumericBound | undefined {
  let bound: NumericBound | undefined;
  const offer = (value: unknown, exclusive: boolean) => {
    if (typeof value !== "number") return;
    if (bound === undefined || tighter(value, bound.value) || (value === bound.value && exclusive)) {
      bound = { value, exclusive };
    }
  };
  for (const node of nodes) {
    offer(node[inclusiveKeyword], false);
    offer(node[exclusiveKeyword], true);
  }
  return bound;
}

function numbers(nodes: readonly SchemaObject[], keyword: string): number[] {
  return nodes.flatMap((node) => (typeof node[keyword] === "number" ? [node[keyword] as number] : []));
}

function strings(nodes: readonly SchemaObject[], keyword: string): string[] {
  return nodes.flatMap((node) => (typeof node[keyword] === "string" ? [node[keyword] as string] : []));
}

function minOrUndefined(values: number[]): number | undefined {
  return values.length === 0 ? undefined : Math.min(...values);
}
