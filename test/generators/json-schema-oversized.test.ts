import fc from "fast-check";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { fromJsonSchema } from "../../generators/json-schema/index.ts";
import type { Sample } from "../../generators/sample.ts";

const order = {
  type: "object",
  properties: {
    order_id: { type: "string" },
    items: { type: "array", items: { type: "integer" } },
    quantity: { type: "integer" },
  },
  required: ["order_id", "items", "quantity"],
  additionalProperties: false,
};

const LIMIT = 1_048_576;

function oversized(options: { maxPayloadBytes: number; contentEncoding?: "gzip" }, runs = 120): Sample[] {
  return fc.sample(fromJsonSchema(order, { classes: ["oversized"], ...options }), { seed: 11, numRuns: runs });
}

function byMutation(samples: Sample[]): Map<string, Sample[]> {
  const groups = new Map<string, Sample[]>();
  for (const sample of samples) groups.set(sample.mutation, [...(groups.get(sample.mutation) ?? []), sample]);
  return groups;
}

describe("oversized class", () => {
  const groups = byMutation(oversized({ maxPayloadBytes: LIMIT }));

  it("produces every size mutation", () => {
    expect([...groups.keys()].sort()).toEqual([
      "oversized.deep-nesting",
      "oversized.long-array",
      "oversized.long-number",
      "oversized.long-string",
      "oversized.max-payload",
      "oversized.over-limit",
    ]);
  });

  it("max-payload is exactly the limit", () => {
    for (const sample of groups.get("oversized.max-payload")!) {
      expect(sample.bytes.length).toBe(LIMIT);
      expect(sample.expect).toBe("accept");
    }
  });

  it("over-limit is one byte over and rejected", () => {
    for (const sample of groups.get("oversized.over-limit")!) {
      expect(sample.bytes.length).toBe(LIMIT + 1);
      expect(sample.expect).toBe("reject");
    }
  });

  it("long strings and arrays are one byte under", () => {
    for (const name of ["oversized.long-string", "oversized.long-array"]) {
      for (const sample of groups.get(name)!) {
        expect(sample.bytes.length).toBe(LIMIT - 1);
        expect(() => JSON.parse(Buffer.from(sample.bytes).toString("utf8"))).not.toThrow();
      }
    }
  });

  it("deep nesting reaches 100k levels", () => {
    for (const sample of groups.get("oversized.deep-nesting")!) {
      const text = Buffer.from(sample.bytes).toString("utf8");
      const depth = text.startsWith("[") ? text.indexOf("]") : text.split('{"a":').length - 1;
      expect(depth).toBe(100_000);
      expect(sample.bytes.length).toBeLessThanOrEqual(LIMIT);
    }
  });

  it("long numbers have 100k digits", () => {
    for (const sample of groups.get("oversized.long-number")!) {
      const digits = /\d{1000,}/.exec(Buffer.from(sample.bytes).toString("utf8"))![0];
      expect(digits.length).toBe(100_000);
    }
  });

  it("caps sizes to a small limit", () => {
    const small = byMutation(oversized({ maxPayloadBytes: 4_096 }));
    for (const sample of small.get("oversized.deep-nesting")!) expect(sample.bytes.length).toBeLessThanOrEqual(4_096);
    for (const sample of small.get("oversized.long-number")!) expect(sample.bytes.length).toBeLessThanOrEqual(4_096);
    for (const sample of small.get("oversized.max-payload")!) expect(sample.bytes.length).toBe(4_096);
  });

  it("requires maxPayloadBytes", () => {
    expect(() => fromJsonSchema(order, { classes: ["oversized"] })).toThrow(/oversized needs maxPayloadBytes/);
  });

  it("is left out of the default classes", () => {
    const samples = fc.sample(fromJsonSchema(order, { maxPayloadBytes: LIMIT }), { seed: 3, numRuns: 200 });
    expect(samples.some((sample) => sample.class === "oversized")).toBe(false);
  });
});

describe("gzip content encoding", () => {
  const limit = 200_000;
  const groups = byMutation(oversized({ maxPayloadBytes: limit, contentEncoding: "gzip" }, 150));

  it("bomb expands about a thousand-fold", () => {
    const [bomb] = groups.get("oversized.gzip-bomb")!;
    const inflated = gunzipSync(bomb!.bytes);
    expect(inflated.length / bomb!.bytes.length).toBeGreaterThan(900);
    expect(bomb!.expect).toBe("reject");
    expect(Buffer.from(inflated.subarray(0, 12)).toString()).toBe('{"padding":"');
  });

  it("sizes count the compressed wire bytes", () => {
    for (const sample of groups.get("oversized.max-payload")!) expect(sample.bytes.length).toBe(limit);
    for (const sample of groups.get("oversized.over-limit")!) expect(sample.bytes.length).toBe(limit + 1);
    for (const sample of groups.get("oversized.long-string")!) {
      expect(sample.bytes.length).toBe(limit - 1);
      expect(sample.expect).toBe("accept");
    }
  });

  it("compresses the other classes", () => {
    const samples = fc.sample(fromJsonSchema(order, { contentEncoding: "gzip", classes: ["valid"] }), { seed: 5, numRuns: 20 });
    for (const sample of samples) {
      const json = JSON.parse(gunzipSync(sample.bytes).toString("utf8"));
      expect(json).toEqual(sample.value);
      expect(sample.expect).toBe("accept");
    }
  });
});
