import { describe, expect, it } from "vitest";

import { SchemaError } from "../../generators/errors.ts";
import { fromJsonSchema } from "../../generators/json-schema/index.ts";
import { independentValidator, loadSchema, sampleSchema } from "./json-schema-helpers.ts";

const DRAFT_2020 = "https://json-schema.org/draft/2020-12/schema";

interface KeywordCase {
  name: string;
  schema: Record<string, unknown>;
  /** Extra check on the set of generated valid values, beyond ajv validation. */
  check?: (values: unknown[]) => void;
}

const codePoints = (text: unknown) => [...(text as string)].length;

const KEYWORD_CASES: KeywordCase[] = [
  {
    name: "type array",
    schema: { type: ["string", "null"] },
    check: (values) => {
      expect(values.some((value) => value === null)).toBe(true);
      expect(values.some((value) => typeof value === "string")).toBe(true);
    },
  },
  {
    name: "properties and required",
    schema: { type: "object", properties: { a: { type: "integer" }, b: { type: "boolean" } }, required: ["a"] },
    check: (values) => {
      expect(values.every((value) => Number.isInteger((value as { a: unknown }).a))).toBe(true);
      expect(values.some((value) => !Object.hasOwn(value as object, "b"))).toBe(true);
      expect(values.some((value) => Object.hasOwn(value as object, "b"))).toBe(true);
    },
  },
  {
    name: "additionalProperties false",
    schema: { type: "object", properties: { a: { type: "string" } }, additionalProperties: false },
    check: (values) => {
      for (const value of values) expect(Object.keys(value as object).every((key) => key === "a")).toBe(true);
    },
  },
  {
    name: "additionalProperties schema",
    schema: { type: "object", properties: { a: { type: "string" } }, additionalProperties: { type: "integer" } },
    check: (values) => {
      const extras = values.flatMap((value) => Object.entries(value as object).filter(([key]) => key !== "a"));
      expect(extras.length).toBeGreaterThan(0);
      for (const [, extra] of extras) expect(Number.isInteger(extra)).toBe(true);
    },
  },
  {
    name: "items with minItems and maxItems",
    schema: { type: "array", items: { type: "string", maxLength: 2 }, minItems: 2, maxItems: 4 },
    check: (values) => {
      for (const value of values) expect((value as unknown[]).length).toBeGreaterThanOrEqual(2);
      for (const value of values) expect((value as unknown[]).length).toBeLessThanOrEqual(4);
    },
  },
  {
    name: "uniqueItems",
    schema: { type: "array", items: { type: "integer", minimum: 0, maximum: 5 }, minItems: 3, uniqueItems: true },
    check: (values) => {
      for (const value of values) expect(new Set(value as number[]).size).toBe((value as number[]).length);
    },
  },
  {
    name: "prefixItems (2020-12)",
    schema: { $schema: DRAFT_2020, type: "array", prefixItems: [{ type: "string" }, { type: "integer" }], items: false },
    check: (values) => {
      for (const value of values) expect((value as unknown[]).length).toBeLessThanOrEqual(2);
      expect(values.some((value) => (value as unknown[]).length === 2)).toBe(true);
    },
  },
  {
    name: "array items and additionalItems (draft 7)",
    schema: { type: "array", items: [{ type: "boolean" }, { const: "x" }], additionalItems: { type: "null" } },
    check: (values) => {
      expect(values.some((value) => (value as unknown[]).length > 2)).toBe(true);
    },
  },
  {
    name: "enum",
    schema: { enum: ["red", "green", 3, null, { deep: [1] }] },
    check: (values) => expect(new Set(values.map((value) => JSON.stringify(value))).size).toBe(5),
  },
  { name: "const", schema: { const: { fixed: true } } },
  {
    name: "minimum and maximum",
    schema: { type: "number", minimum: -2.5, maximum: 2.5 },
    check: (values) => {
      for (const value of values) expect(Math.abs(value as number)).toBeLessThanOrEqual(2.5);
    },
  },
  {
    name: "exclusive bounds on integers",
    schema: { type: "integer", exclusiveMinimum: 1, exclusiveMaximum: 4 },
    check: (values) => expect(new Set(values)).toEqual(new Set([2, 3])),
  },
  {
    name: "exclusive bounds on numbers",
    schema: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 },
    check: (values) => {
      for (const value of values) expect((value as number) > 0 && (value as number) < 1).toBe(true);
    },
  },
  { name: "multipleOf fraction", schema: { type: "number", multipleOf: 0.01, minimum: 0, maximum: 10 } },
  { name: "multipleOf integer", schema: { type: "integer", multipleOf: 7 } },
  {
    name: "minLength and maxLength",
    schema: { type: "string", minLength: 3, maxLength: 5 },
    check: (values) => {
      for (const value of values) expect(codePoints(value)).toBeGreaterThanOrEqual(3);
      for (const value of values) expect(codePoints(value)).toBeLessThanOrEqual(5);
    },
  },
  { name: "pattern", schema: { type: "string", pattern: "^[A-Z]{3}-\\d{2,4}$" } },
  { name: "pattern with length", schema: { type: "string", pattern: "^[a-z]+$", minLength: 2, maxLength: 6 } },
  ...["date-time", "date", "time", "uuid", "email", "uri", "ipv4", "ipv6", "hostname"].map((format) => ({
    name: `format ${format}`,
    schema: { type: "string", format },
  })),
  {
    name: "$ref to definitions (draft 7)",
    schema: { definitions: { id: { type: "string", format: "uuid" } }, type: "object", properties: { id: { $ref: "#/definitions/id" } }, required: ["id"] },
  },
  {
    name: "$ref to a plain-name $id (draft 7)",
    schema: { definitions: { n: { $id: "#count", type: "integer", minimum: 10 } }, $ref: "#count" },
    check: (values) => {
      for (const value of values) expect(value as number).toBeGreaterThanOrEqual(10);
    },
  },
  {
    name: "allOf",
    schema: {
      allOf: [
        { type: "object", properties: { a: { type: "integer", minimum: 0 } }, required: ["a"] },
        { properties: { a: { maximum: 3 }, b: { type: "string" } }, required: ["b"] },
      ],
    },
    check: (values) => {
      for (const value of values) expect((value as { a: number }).a).toBeLessThanOrEqual(3);
    },
  },
  {
    name: "anyOf",
    schema: { anyOf: [{ type: "string", maxLength: 1 }, { type: "integer", minimum: 100 }] },
    check: (values) => {
      expect(values.some((value) => typeof value === "string")).toBe(true);
      expect(values.some((value) => typeof value === "number")).toBe(true);
    },
  },
  { name: "oneOf with overlap", schema: { oneOf: [{ type: "integer", minimum: 0 }, { type: "integer", maximum: 10 }] } },
  {
    name: "annotations",
    schema: {
      $id: "https://poisonpill.invalid/annotated.json",
      $comment: "ignored",
      title: "t",
      description: "d",
      examples: [1],
      default: 1,
      type: "object",
      properties: { a: { type: "integer", readOnly: true, writeOnly: false, deprecated: true } },
      required: ["a"],
    },
  },
];

describe("fromJsonSchema keywords", () => {
  it.each(KEYWORD_CASES)("valid samples honour $name", ({ schema, check }) => {
    const validate = independentValidator(schema);
    const samples = sampleSchema(schema, 150, { classes: ["valid"] });
    for (const sample of samples) {
      expect(sample.expect).toBe("accept");
      expect(validate(sample.value), JSON.stringify(sample.value)).toBe(true);
    }
    check?.(samples.map((sample) => sample.value));
  });

  it.each(KEYWORD_CASES)("violation samples break $name", ({ schema }) => {
    const validate = independentValidator(schema);
    for (const sample of sampleSchema(schema, 100, { classes: ["violation", "boundary"] })) {
      expect(validate(sample.value), `${sample.mutation} ${JSON.stringify(sample.value)}`).toBe(sample.class === "boundary");
    }
  });

  it.each([
    ["out-of-range", { type: "integer", minimum: 1, maximum: 9 }, "violation.out-of-range"],
    ["enum miss", { enum: ["a", "b"] }, "violation.enum-miss"],
    ["pattern miss", { type: "string", pattern: "^x+$" }, "violation.pattern-miss"],
    ["too long", { type: "string", maxLength: 3 }, "violation.too-long"],
    ["too short", { type: "string", minLength: 3 }, "violation.too-short"],
    ["too many items", { type: "array", maxItems: 1 }, "violation.too-long"],
    ["duplicate items", { type: "array", items: { type: "integer" }, minItems: 1, uniqueItems: true }, "violation.duplicate-items"],
    ["not multiple", { type: "integer", multipleOf: 5 }, "violation.not-multiple-of"],
  ] as const)("violation covers %s", (_name, schema, mutation) => {
    const samples = sampleSchema(schema, 300, { classes: ["violation"] });
    expect(samples.some((sample) => sample.mutation === mutation)).toBe(true);
  });

  it.each([
    ["minimum", { type: "integer", minimum: -3 }, "boundary.minimum", -3],
    ["maximum", { type: "integer", maximum: 12 }, "boundary.maximum", 12],
    ["exclusiveMinimum", { type: "integer", exclusiveMinimum: 4 }, "boundary.exclusive-minimum", 5],
    ["exclusiveMaximum", { type: "number", exclusiveMaximum: 1 }, "boundary.exclusive-maximum", 1 - Number.EPSILON / 2],
    ["empty array", { type: "array" }, "boundary.empty-array", []],
    ["empty string", { type: "string" }, "boundary.empty-string", ""],
    ["max length", { type: "string", maxLength: 4 }, "boundary.max-length", undefined],
  ] as const)("boundary covers %s", (_name, schema, mutation, expected) => {
    const samples = sampleSchema(schema, 300, { classes: ["boundary"] }).filter((sample) => sample.mutation === mutation);
    expect(samples.length).toBeGreaterThan(0);
    if (expected !== undefined) expect(samples.some((sample) => JSON.stringify(sample.value) === JSON.stringify(expected))).toBe(true);
  });
});

describe("fromJsonSchema recursion", () => {
  const tree = loadSchema("tree.schema.json");
  type Tree = { label: string; children: Tree[] };
  const height = (node: Tree): number => 1 + Math.max(0, ...node.children.map(height));

  it("tree samples validate", () => {
    const validate = independentValidator(tree);
    const samples = sampleSchema(tree, 200, { classes: ["valid"] });
    for (const sample of samples) expect(validate(sample.value)).toBe(true);
  });

  it("maxDepth bounds tree height", () => {
    for (const maxDepth of [1, 2, 3]) {
      const heights = sampleSchema(tree, 200, { classes: ["valid"], maxDepth }).map((sample) => height(sample.value as Tree));
      expect(Math.max(...heights)).toBe(maxDepth);
    }
  });

  it("maxDepth 0 cannot reach the root", () => {
    expect(() => fromJsonSchema(tree, { maxDepth: 0 })).toThrow(SchemaError);
  });

  it("unending recursion raises", () => {
    const schema = { $defs: { loop: { type: "object", properties: { next: { $ref: "#/$defs/loop" } }, required: ["next"] } }, $ref: "#/$defs/loop" };
    expect(() => fromJsonSchema(schema)).toThrow(/recursion through \$ref cannot end/);
  });
});

describe("fromJsonSchema errors", () => {
  it.each([
    ["if", { type: "object", properties: { x: { if: { type: "string" }, then: { minLength: 1 } } } }, "#/properties/x"],
    ["not", { not: { type: "null" } }, "#"],
    ["dependentRequired", { $schema: DRAFT_2020, dependentRequired: { a: ["b"] } }, "#"],
    ["patternProperties", { type: "object", patternProperties: { "^x": {} } }, "#"],
    ["propertyNames", { properties: { a: { propertyNames: { maxLength: 2 } } } }, "#/properties/a"],
    ["contains", { type: "array", items: { contains: { type: "integer" } } }, "#/items"],
    ["unevaluatedProperties", { $schema: DRAFT_2020, $defs: { a: { unevaluatedProperties: false } } }, "#/$defs/a"],
    ["$dynamicRef", { $schema: DRAFT_2020, anyOf: [{ type: "null" }, { $dynamicRef: "#node" }] }, "#/anyOf/1"],
    ["minProperties", { minProperties: 1 }, "#"],
    ["additionalItems", { $schema: DRAFT_2020, additionalItems: false }, "#"],
  ] as const)("unsupported %s names keyword and pointer", (keyword, schema, pointer) => {
    let error: unknown;
    try {
      fromJsonSchema(schema);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SchemaError);
    expect((error as SchemaError).keyword).toBe(keyword);
    expect((error as SchemaError).pointer).toBe(pointer);
    expect((error as SchemaError).message).toContain(`unsupported JSON Schema keyword "${keyword}" at ${pointer}`);
  });

  it("invalid schema carries ajv message", () => {
    expect(() => fromJsonSchema({ type: "strnig" })).toThrow(/invalid JSON Schema \(ajv draft-07\): .*type/);
  });

  it("unsupported format raises", () => {
    expect(() => fromJsonSchema({ type: "string", format: "json-pointer" })).toThrow(/unsupported format "json-pointer" at #/);
  });

  it("external $ref raises", () => {
    expect(() => fromJsonSchema({ $ref: "https://example.com/other.json" })).toThrow(SchemaError);
  });

  it("unknown $schema raises", () => {
    expect(() => fromJsonSchema({ $schema: "http://json-schema.org/draft-04/schema#" })).toThrow(/unsupported \$schema/);
  });

  it("contradiction raises", () => {
    expect(() => fromJsonSchema({ type: "integer", minimum: 5, maximum: 4 })).toThrow(/admits no value/);
  });

  it("pattern beyond maxLength raises", () => {
    expect(() => fromJsonSchema({ type: "string", pattern: "^a+$", maxLength: 0 })).toThrow(/within maxLength 0/);
  });

  it("unsatisfiable filter raises on sampling", () => {
    const schema = { type: "string", pattern: "^[ab]$", minLength: 2 };
    expect(() => fromJsonSchema(schema, { classes: ["valid"] })).not.toThrow();
    expect(() => sampleSchema(schema, 5, { classes: ["valid"] })).toThrow(/no string satisfying pattern/);
  });

  it("$anchor is unsupported", () => {
    const schema = { $schema: DRAFT_2020, $defs: { n: { $anchor: "n", type: "integer" } }, $ref: "#n" };
    expect(() => fromJsonSchema(schema)).toThrow(/unsupported JSON Schema keyword "\$anchor" at #\/\$defs\/n/);
  });
});
