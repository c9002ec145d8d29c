import { describe, expect, it } from "vitest";

import { pointerTokens } from "../../generators/json-schema/pointer.ts";
import type { Sample } from "../../generators/sample.ts";
import { independentValidator, loadSchema, parseBytes, sampleSchema, textOf } from "./json-schema-helpers.ts";

const order = loadSchema("order-created.schema.json");
const isValidOrder = independentValidator(order);
const orderSamples = sampleSchema(order, 1_000);

function valueAt(root: unknown, path: string): unknown {
  let current = root;
  for (const token of pointerTokens(path)) current = (current as Record<string, unknown>)[token];
  return current;
}

function withMutation(samples: Sample[], mutation: string): Sample[] {
  return samples.filter((sample) => sample.mutation === mutation);
}

describe("fromJsonSchema labels", () => {
  it("accept samples validate", () => {
    const accepted = orderSamples.filter((sample) => sample.expect === "accept");
    expect(accepted.length).toBeGreaterThan(100);
    for (const sample of accepted) {
      const parsed = parseBytes(sample.bytes);
      expect(parsed, sample.mutation).toBeDefined();
      expect(isValidOrder(parsed!.value), `${sample.mutation} ${textOf(sample)}`).toBe(true);
    }
  });

  it("reject samples fail to parse or validate", () => {
    for (const sample of orderSamples.filter((s) => s.expect === "reject")) {
      const parsed = parseBytes(sample.bytes);
      if (parsed !== undefined) expect(isValidOrder(parsed.value), sample.mutation).toBe(false);
    }
  });

  it("valid and boundary samples are accepted", () => {
    for (const sample of orderSamples.filter((s) => s.class === "valid" || s.class === "boundary")) {
      expect(sample.expect, `${sample.mutation} ${textOf(sample)}`).toBe("accept");
    }
  });

  it("violation samples are rejected", () => {
    const violations = orderSamples.filter((sample) => sample.class === "violation");
    expect(violations.length).toBeGreaterThan(50);
    for (const sample of violations) {
      expect(sample.expect).toBe("reject");
      expect(isValidOrder(parseBytes(sample.bytes)!.value), textOf(sample)).toBe(false);
    }
  });

  it("value matches the bytes", () => {
    // Thousands of nesting levels overflow the recursive deep-equality check; the corrupt tests cover them.
    for (const sample of orderSamples.filter((s) => s.mutation !== "corrupt.deep-nesting")) {
      const parsed = parseBytes(sample.bytes);
      if (parsed === undefined) expect(sample.value).toBeUndefined();
      else expect(sample.value).toEqual(parsed.value);
    }
  });

  it("same seed gives same bytes", () => {
    const again = sampleSchema(order, 200);
    expect(again.map((sample) => Buffer.from(sample.bytes).toString("hex"))).toEqual(
      orderSamples.slice(0, 200).map((sample) => Buffer.from(sample.bytes).toString("hex")),
    );
  });
});

describe("fromJsonSchema coverage for order.created", () => {
  it.each(["valid", "boundary", "violation", "adversarial", "corrupt"])("class %s appears", (sampleClass) => {
    expect(orderSamples.some((sample) => sample.class === sampleClass)).toBe(true);
  });

  it.each([
    "valid.generated",
    "boundary.zero",
    "boundary.negative",
    "boundary.large",
    "boundary.empty-string",
    "boundary.max-length",
    "boundary.format-edge",
    "boundary.astral-plane",
    "boundary.combining-mark",
    "boundary.rtl-text",
    "boundary.zero-width-joiner",
    "violation.wrong-type",
    "violation.null",
    "violation.missing-required",
    "violation.extra-property",
    "violation.format-miss",
    "adversarial.sql-injection",
    "adversarial.shell-injection",
    "adversarial.path-traversal",
    "adversarial.log-forging",
    "adversarial.template-injection",
    "adversarial.lone-surrogate",
    "adversarial.nul",
    "adversarial.rtl-override",
    "adversarial.bom",
    "adversarial.proto-key",
    "adversarial.constructor-key",
    "adversarial.max-safe-integer",
    "adversarial.unsafe-integer",
    "adversarial.negative-zero",
    "adversarial.huge-number",
    "adversarial.long-number",
    "corrupt.truncate",
    "corrupt.invalid-utf8",
    "corrupt.empty",
    "corrupt.not-json",
    "corrupt.deep-nesting",
    "corrupt.trailing-garbage",
    "corrupt.bom-prefix",
  ])("mutation %s appears", (mutation) => {
    expect(withMutation(orderSamples, mutation).length).toBeGreaterThan(0);
  });

  it("boundary quantity goes negative", () => {
    const negative = orderSamples.filter(
      (sample) =>
        sample.class === "boundary" &&
        sample.path === "/quantity" &&
        (sample.value as { quantity: number }).quantity < 0,
    );
    expect(negative.length).toBeGreaterThan(0);
    for (const sample of negative) expect(sample.expect).toBe("accept");
  });

  it("missing-required path names the removed key", () => {
    const samples = withMutation(orderSamples, "violation.missing-required");
    expect(samples.length).toBeGreaterThan(0);
    for (const sample of samples) {
      const key = pointerTokens(sample.path)[0]!;
      expect(order.required).toContain(key);
      expect(Object.hasOwn(sample.value as object, key)).toBe(false);
    }
  });

  it("extra-property path names the added key", () => {
    for (const sample of withMutation(orderSamples, "violation.extra-property")) {
      expect(valueAt(sample.value, sample.path)).toBeDefined();
      expect(Object.keys((order as { properties: object }).properties)).not.toContain(pointerTokens(sample.path)[0]);
    }
  });
});

describe("fromJsonSchema adversarial bytes", () => {
  it("lone surrogates are escaped in the text", () => {
    const samples = withMutation(orderSamples, "adversarial.lone-surrogate");
    expect(samples.length).toBeGreaterThan(0);
    for (const sample of samples) {
      // textOf decodes strictly, so this also proves the bytes are well-formed UTF-8.
      expect(textOf(sample)).toMatch(/\\ud[89ab][0-9a-f]{2}|\\ud[c-f][0-9a-f]{2}/);
      const decoded = valueAt(sample.value, sample.path) as string;
      // A surrogate not paired with its partner: a high one not followed by a low one, or a low one alone.
      expect(decoded).toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    }
  });

  it("__proto__ key is in the bytes", () => {
    const samples = withMutation(orderSamples, "adversarial.proto-key");
    expect(samples.length).toBeGreaterThan(0);
    for (const sample of samples) {
      expect(textOf(sample)).toContain('"__proto__":{"polluted":true}');
      expect(Object.hasOwn(sample.value as object, "__proto__")).toBe(true);
      expect(sample.path).toBe("/__proto__");
      expect(sample.expect).toBe("reject");
    }
  });

  it("constructor key is in the bytes", () => {
    for (const sample of withMutation(orderSamples, "adversarial.constructor-key")) {
      expect(textOf(sample)).toContain('"constructor":{"prototype":{"polluted":true}}');
    }
  });

  it("2^53+1 is written exactly", () => {
    const texts = withMutation(orderSamples, "adversarial.unsafe-integer").map(textOf);
    expect(texts.length).toBeGreaterThan(0);
    for (const text of texts) expect(text).toMatch(/"quantity":-?9007199254740993[,}]/);
  });

  it("negative zero is written as -0", () => {
    const texts = withMutation(orderSamples, "adversarial.negative-zero").map(textOf);
    expect(texts.length).toBeGreaterThan(0);
    for (const text of texts) expect(text).toMatch(/"quantity":-0(\.0)?[,}]/);
  });

  it("long numbers have the configured digits", () => {
    const samples = sampleSchema(order, 300, { classes: ["adversarial"], bigNumberDigits: 700 });
    const long = withMutation(samples, "adversarial.long-number");
    expect(long.length).toBeGreaterThan(0);
    for (const sample of long) expect(textOf(sample)).toMatch(/\d{700}/);
  });

  it("hostile strings reach the text", () => {
    const texts = withMutation(orderSamples, "adversarial.shell-injection").map(textOf);
    expect(texts.some((text) => text.includes("$(touch /tmp/poisonpill-canary)") || text.includes("`touch"))).toBe(true);
    const forged = withMutation(orderSamples, "adversarial.log-forging").map(textOf);
    expect(forged.some((text) => text.includes("\\r\\n") || text.includes("\\n"))).toBe(true);
  });
});

describe("fromJsonSchema corrupt bytes", () => {
  const corrupt = sampleSchema(order, 400, { classes: ["corrupt"], nestingDepth: 10_000 });

  it("unparseable bytes are rejected", () => {
    for (const sample of corrupt) {
      if (parseBytes(sample.bytes) === undefined) expect(sample.expect).toBe("reject");
    }
  });

  it("invalid UTF-8 does not decode", () => {
    const samples = withMutation(corrupt, "corrupt.invalid-utf8");
    expect(samples.length).toBeGreaterThan(0);
    for (const sample of samples) expect(() => textOf(sample)).toThrow(TypeError);
  });

  it("deep nesting reaches the configured depth", () => {
    const samples = withMutation(corrupt, "corrupt.deep-nesting");
    expect(samples.length).toBeGreaterThan(0);
    for (const sample of samples) {
      const text = textOf(sample);
      expect(text.startsWith("[".repeat(10_000)) || text.startsWith('{"a":'.repeat(10_000))).toBe(true);
      expect(sample.expect).toBe("reject");
    }
  });

  it("BOM prefix is in the bytes", () => {
    const samples = withMutation(corrupt, "corrupt.bom-prefix");
    expect(samples.length).toBeGreaterThan(0);
    for (const sample of samples) {
      expect([...sample.bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(sample.expect).toBe("reject");
    }
  });

  it("empty body has no bytes", () => {
    const samples = withMutation(corrupt, "corrupt.empty");
    expect(samples.length).toBeGreaterThan(0);
    for (const sample of samples) expect(sample.bytes.length).toBe(0);
  });

  it("truncation shortens the text", () => {
    for (const sample of withMutation(corrupt, "corrupt.truncate")) {
      expect(parseBytes(sample.bytes)).toBeUndefined();
      expect(sample.bytes.length).toBeGreaterThan(0);
    }
  });
});

describe("fromJsonSchema options", () => {
  it("classes restricts output", () => {
    const samples = sampleSchema(order, 200, { classes: ["violation", "corrupt"] });
    expect(new Set(samples.map((sample) => sample.class))).toEqual(new Set(["violation", "corrupt"]));
  });

  it("weights steer the mix", () => {
    const samples = sampleSchema(order, 500, { weights: { valid: 0, boundary: 0, violation: 1, adversarial: 0, corrupt: 0 } });
    expect(samples.every((sample) => sample.class === "violation")).toBe(true);
  });

  it("maxStringLength caps plain strings", () => {
    const samples = sampleSchema(order, 300, { classes: ["valid"], maxStringLength: 3 });
    for (const sample of samples) {
      const value = sample.value as { product_id: string; user_id: string };
      expect([...value.product_id].length).toBeLessThanOrEqual(3);
      expect([...value.user_id].length).toBeLessThanOrEqual(3);
    }
  });

  it.each([
    [{ maxDepth: -1 }, /maxDepth must be an integer >= 0, got -1/],
    [{ nestingDepth: 0 }, /nestingDepth must be an integer >= 1, got 0/],
    [{ bigNumberDigits: 1.5 }, /bigNumberDigits must be an integer >= 1, got 1.5/],
    [{ classes: ["oversized"] }, /oversized needs maxPayloadBytes/],
    [{ classes: [] }, /at least one sample class/],
    [{ weights: { valid: -1 } }, /weights.valid must be an integer >= 0, got -1/],
  ] as const)("rejects invalid option %j", (options, message) => {
    expect(() => sampleSchema(order, 1, options as never)).toThrow(message);
  });

  it("permissive schema drops violation", () => {
    const samples = sampleSchema({}, 300);
    expect(samples.some((sample) => sample.class === "violation")).toBe(false);
    expect(samples.some((sample) => sample.class === "valid")).toBe(true);
  });

  it("permissive schema refuses explicit violation", () => {
    expect(() => sampleSchema({}, 1, { classes: ["violation"] })).toThrow(/accepts every JSON value/);
  });

  it("generates a flood's worth of samples", () => {
    const samples = sampleSchema(order, 3_000, { classes: ["valid", "boundary", "violation"] }, 7);
    expect(samples).toHaveLength(3_000);
  });
});
