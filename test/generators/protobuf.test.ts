import path from "node:path";

import fc from "fast-check";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";

import { SchemaError } from "../../generators/errors.ts";
import { fromProtobuf, loadProtoType } from "../../generators/protobuf/index.ts";
import type { Sample } from "../../generators/sample.ts";

const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures/proto");
const SEED = 20_240_601;
/** Small sizes keep 1,000 samples fast; the amplification test uses the default size. */
const FAST = { amplifiedBytes: 4096, longStringLength: 300 };

const kitchen = loadProtoType(path.join(FIXTURES, "kitchen_sink.proto"), "kitchen.KitchenSink");
const legacy = loadProtoType(path.join(FIXTURES, "legacy.proto"), "legacy.Reading");
const order = loadProtoType(path.join(FIXTURES, "orders.proto"), "shop.Order");

/** Normal form for comparing decoded messages: exact 64-bit strings, enum numbers, base64 bytes. */
const NORMAL: protobuf.IConversionOptions = { longs: String, enums: Number, bytes: String, defaults: true, oneofs: true };

function draw(type: protobuf.Type, numRuns = 1000, options = FAST): Sample[] {
  return fc.sample(fromProtobuf(type, options), { numRuns, seed: SEED });
}

const samples = new Map<protobuf.Type, Sample[]>([
  [kitchen, draw(kitchen)],
  [legacy, draw(legacy)],
  [order, draw(order)],
]);

const COMMON_MUTATIONS = [
  "valid.message",
  "boundary.integer",
  "boundary.string",
  "boundary.empty-message",
  "corrupt.wrong-wire-type",
  "corrupt.unknown-field-varint",
  "corrupt.unknown-field-i64",
  "corrupt.unknown-field-len",
  "corrupt.unknown-field-group",
  "corrupt.unknown-field-i32",
  "corrupt.repeated-singular",
  "corrupt.invalid-utf8",
  "corrupt.truncate-mid-tag",
  "corrupt.truncate-mid-varint",
  "corrupt.truncate-mid-length-delimited",
  "corrupt.overlong-varint",
  "corrupt.length-past-end",
  "corrupt.length-huge",
  "corrupt.unclosed-groups",
  "corrupt.invalid-wire-type",
  "corrupt.field-number-zero",
  "adversarial.injection-string",
];

const EXPECTED_MUTATIONS = new Map<protobuf.Type, string[]>([
  [
    kitchen,
    [
      ...COMMON_MUTATIONS,
      "boundary.float",
      "boundary.bytes",
      "boundary.timestamp",
      "boundary.enum-unknown",
      "boundary.max-nesting",
      "corrupt.oneof-multiple",
      "corrupt.deep-recursion",
      "adversarial.map-key",
      "oversized.packed-varint64",
      "oversized.empty-messages",
      "oversized.empty-bytes",
    ],
  ],
  [
    legacy,
    [
      ...COMMON_MUTATIONS,
      "boundary.float",
      "boundary.bytes",
      "boundary.enum-unknown",
      "boundary.max-nesting",
      "corrupt.oneof-multiple",
      "corrupt.missing-required",
      "corrupt.deep-recursion",
      "adversarial.map-key",
    ],
  ],
  [order, [...COMMON_MUTATIONS, "boundary.timestamp", "oversized.empty-messages"]],
]);

function decodeError(type: protobuf.Type, bytes: Uint8Array): string | null {
  try {
    type.decode(bytes);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

describe.each([
  ["kitchen.KitchenSink", kitchen],
  ["legacy.Reading", legacy],
  ["shop.Order", order],
])("fromProtobuf on %s", (_name, type) => {
  const drawn = samples.get(type)!;

  it("covers every mutation within 1,000 samples", () => {
    const seen = new Set(drawn.map((sample) => sample.mutation));
    for (const mutation of EXPECTED_MUTATIONS.get(type)!) {
      expect(seen, mutation).toContain(mutation);
    }
  });

  it("round-trips every accept sample", () => {
    for (const sample of drawn.filter((candidate) => candidate.expect === "accept")) {
      const label = `${sample.mutation} at ${sample.path}`;
      const decoded = type.decode(sample.bytes);
      expect(type.verify(decoded), label).toBeNull();
      const again = type.decode(type.encode(decoded).finish());
      expect(type.toObject(again, NORMAL), label).toEqual(type.toObject(decoded, NORMAL));
    }
  });

  it("labels every valid sample accept with a value that matches its bytes", () => {
    const valid = drawn.filter((sample) => sample.class === "valid");
    expect(valid.length).toBeGreaterThan(100);
    for (const sample of valid) {
      expect(sample.expect).toBe("accept");
      const fromValue = type.toObject(type.fromObject(sample.value as Record<string, unknown>), NORMAL);
      expect(type.toObject(type.decode(sample.bytes), NORMAL)).toEqual(fromValue);
    }
  });

  it("fails to decode truncated and overlong samples", () => {
    const broken = drawn.filter((sample) => /^corrupt\.(truncate-|overlong-varint|length-)/.test(sample.mutation));
    expect(broken.length).toBeGreaterThan(50);
    for (const sample of broken) {
      expect(sample.expect).toBe("reject");
      expect(decodeError(type, sample.bytes), sample.mutation).not.toBeNull();
    }
  });

  it("hits the depth limit with unclosed groups and deep nesting", () => {
    const deep = drawn.filter((sample) => sample.mutation === "corrupt.unclosed-groups" || sample.mutation === "corrupt.deep-recursion");
    expect(deep.length).toBeGreaterThan(5);
    for (const sample of deep) {
      expect(sample.expect).toBe("reject");
      expect(decodeError(type, sample.bytes), sample.mutation).toBe("max depth exceeded");
    }
  });

  it("labels every reject sample so that decoding fails", () => {
    for (const sample of drawn.filter((candidate) => candidate.expect === "reject")) {
      let failure: string | null;
      try {
        failure = type.verify(type.decode(sample.bytes));
      } catch (error) {
        failure = (error as Error).message;
      }
      expect(failure, `${sample.mutation} at ${sample.path}`).not.toBeNull();
    }
  });

  it("sets a path on field mutations", () => {
    for (const sample of drawn.filter((candidate) => candidate.mutation === "boundary.integer" || candidate.mutation === "corrupt.repeated-singular")) {
      expect(sample.path).toMatch(/^[a-z_][a-z0-9_]*(\[\d+\])?(\.[a-z_][a-z0-9_]*(\[\d+\])?)*$/);
    }
  });
});

describe("fromProtobuf labels", () => {
  it("rejects a missing proto2 required field", () => {
    const missing = samples.get(legacy)!.filter((sample) => sample.mutation === "corrupt.missing-required");
    expect(missing.length).toBeGreaterThan(0);
    for (const sample of missing) {
      expect(decodeError(legacy, sample.bytes)).toMatch(/^missing required '/);
    }
  });

  it("rejects invalid UTF-8 in proto3 strings", () => {
    const invalid = samples.get(kitchen)!.filter((sample) => sample.mutation === "corrupt.invalid-utf8");
    expect(invalid.length).toBeGreaterThan(0);
    for (const sample of invalid) expect(sample.expect).toBe("reject");
  });

  it("accepts invalid UTF-8 in proto2 strings", () => {
    const invalid = samples.get(legacy)!.filter((sample) => sample.mutation === "corrupt.invalid-utf8");
    expect(invalid.length).toBeGreaterThan(0);
    for (const sample of invalid) expect(sample.expect).toBe("accept");
  });

  it("keeps the last oneof member", () => {
    const both = samples.get(kitchen)!.filter((sample) => sample.mutation === "corrupt.oneof-multiple" && !sample.path.includes("."));
    expect(both.length).toBeGreaterThan(0);
    for (const sample of both) {
      expect(sample.expect).toBe("accept");
      const decoded = kitchen.toObject(kitchen.decode(sample.bytes), { oneofs: true });
      expect(decoded.choice).toBe(sample.path);
    }
  });

  it("keeps prototype keys as own map entries", () => {
    const keyed = samples.get(kitchen)!.filter((sample) => sample.mutation === "adversarial.map-key");
    expect(keyed.length).toBeGreaterThan(0);
    for (const sample of keyed) {
      const key = JSON.parse(/\[("[^"]+")\]$/.exec(sample.path)![1]) as string;
      expect(sample.expect).toBe("accept");
      const decoded = kitchen.decode(sample.bytes) as unknown as Record<string, Record<string, unknown>>;
      const map = sample.path.split("[")[0].split(".").reduce<Record<string, unknown>>(
        (holder, name) => {
          const next = holder[name] as unknown;
          return (Array.isArray(next) ? next[next.length - 1] : next) as Record<string, unknown>;
        },
        decoded as unknown as Record<string, unknown>,
      );
      expect(Object.hasOwn(map, key), sample.path).toBe(true);
      expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
    }
  });

  it("nests max-nesting samples exactly 100 levels", () => {
    const deepest = samples.get(kitchen)!.filter((sample) => sample.mutation === "boundary.max-nesting");
    expect(deepest.length).toBeGreaterThan(0);
    for (const sample of deepest) {
      expect(sample.expect).toBe("accept");
      let levels = 0;
      let node: Record<string, unknown> | undefined = kitchen.decode(sample.bytes) as unknown as Record<string, unknown>;
      while (node) {
        const child: unknown = node.tree ?? node.next ?? (node.children as unknown[] | undefined)?.[0];
        node = child as Record<string, unknown> | undefined;
        if (node) levels++;
      }
      expect(levels).toBe(100);
    }
  });

  it("keeps valid samples within maxDepth", () => {
    const shallow = fc.sample(fromProtobuf(kitchen, { ...FAST, classes: ["valid"], maxDepth: 2 }), { numRuns: 300, seed: SEED });
    const depth = (value: unknown): number => {
      if (Array.isArray(value)) return Math.max(0, ...value.map(depth));
      if (value && typeof value === "object" && !(value instanceof Uint8Array)) {
        return Math.max(0, ...Object.values(value).map((child) => (child && typeof child === "object" && !(child instanceof Uint8Array) && !Array.isArray(child) ? 1 + depth(child) : depth(child))));
      }
      return 0;
    };
    const tree = shallow.map((sample) => (sample.value as { tree?: unknown }).tree).filter(Boolean);
    expect(tree.length).toBeGreaterThan(0);
    // tree sits at level 1, so at maxDepth 2 it contains at most one more message level.
    for (const value of tree) expect(depth(value)).toBeLessThanOrEqual(1);
  });
});

describe("fromProtobuf field coverage", () => {
  it("sets every kitchen-sink field in some valid sample", () => {
    const valid = samples.get(kitchen)!.filter((sample) => sample.class === "valid");
    const seen = new Set<string>();
    for (const sample of valid) {
      const value = sample.value as Record<string, unknown>;
      for (const [name, field] of Object.entries(value)) {
        if (field !== undefined && !(Array.isArray(field) && field.length === 0)) seen.add(name);
      }
      const scalars = value.scalars as Record<string, unknown> | undefined;
      for (const name of Object.keys(scalars ?? {})) seen.add(`scalars.${name}`);
    }
    for (const field of kitchen.fieldsArray) expect(seen, field.name).toContain(field.name);
    for (const field of kitchen.lookupType("Scalars").fieldsArray) expect(seen, field.name).toContain(`scalars.${field.name}`);
  });

  it("writes proto2 defaults only when set", () => {
    const valid = samples.get(legacy)!.filter((sample) => sample.class === "valid");
    const withoutUnit = valid.find((sample) => !("unit" in (sample.value as object)));
    expect(withoutUnit).toBeDefined();
    expect(legacy.decode(withoutUnit!.bytes).toJSON().unit).toBeUndefined();
    expect((legacy.decode(withoutUnit!.bytes) as unknown as { unit: string }).unit).toBe("celsius");
  });
});

describe("fromProtobuf order ids", () => {
  it("draws distinct order ids that collide as JS numbers", () => {
    const drawn = draw(order, 3000);
    const ids = new Set<string>();
    for (const sample of drawn) {
      if (sample.expect !== "accept") continue;
      const decoded = order.toObject(order.decode(sample.bytes), { longs: String });
      if (typeof decoded.order_id === "string") ids.add(decoded.order_id);
    }
    const byNumber = new Map<number, Set<string>>();
    for (const id of ids) {
      if (BigInt(id) <= 2n ** 53n) continue;
      const group = byNumber.get(Number(id)) ?? new Set<string>();
      group.add(id);
      byNumber.set(Number(id), group);
    }
    const colliding = [...byNumber.values()].filter((group) => group.size > 1);
    expect(colliding.length).toBeGreaterThan(0);
    expect(ids).toContain("9007199254740993");
    expect(ids).toContain("18446744073709551615");
  });
});

describe("fromProtobuf options", () => {
  it("draws only the listed classes", () => {
    const drawn = fc.sample(fromProtobuf(order, { ...FAST, classes: ["corrupt"] }), { numRuns: 200, seed: SEED });
    expect(new Set(drawn.map((sample) => sample.class))).toEqual(new Set(["corrupt"]));
  });

  it("raises SchemaError for a class the type cannot produce", () => {
    const scalarsOnly = kitchen.lookupType("common.Quantity");
    expect(() => fromProtobuf(scalarsOnly, { classes: ["oversized"] })).toThrow(SchemaError);
    expect(() => fromProtobuf(order, { classes: ["violation"] })).toThrow(/cannot produce class violation/);
  });

  it("rejects invalid option values", () => {
    expect(() => fromProtobuf(order, { maxDepth: -1 })).toThrow(/maxDepth must be an integer >= 0, got -1/);
    expect(() => fromProtobuf(order, { weights: { valid: -2 } })).toThrow(/weights.valid must be a finite number >= 0, got -2/);
    expect(() => fromProtobuf(order, { classes: [] })).toThrow(/at least one class/);
    expect(() => fromProtobuf(order, { classes: ["valid"], weights: { valid: 0 } })).toThrow(/weight 0/);
  });
});
