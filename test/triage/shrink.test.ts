import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromJsonSchema } from "../../generators/json-schema/index.ts";
import { loadProtoType } from "../../generators/protobuf/index.ts";
import type { Sample } from "../../generators/sample.ts";
import { SampleSource } from "../../harness/scenario/sample-source.ts";
import { ShrinkBudget } from "../../harness/triage/budget.ts";
import { removeChunks } from "../../harness/triage/remove-chunks.ts";
import { shrinkBytes } from "../../harness/triage/shrink-bytes.ts";
import { shrinkCaptured } from "../../harness/triage/shrink-captured.ts";
import { shrinkGenerated } from "../../harness/triage/shrink-generated.ts";
import { parseJsonPayload, shrinkJson } from "../../harness/triage/shrink-json.ts";
import { shrinkProtobuf } from "../../harness/triage/shrink-protobuf.ts";

const encoder = new TextEncoder();
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8");
const budget = (maxReplays = 1_000) => new ShrinkBudget({ maxReplays, maxTimeMs: 60_000 });

function decodeOrder(bytes: Uint8Array): Record<string, unknown> | undefined {
  const parsed = parseJsonPayload(bytes)?.value;
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? parsed : undefined;
}

/** The planted inventory bug as a pure predicate: a safe negative integer quantity is accepted. */
const negativeQuantity = (bytes: Uint8Array) => {
  const quantity = decodeOrder(bytes)?.quantity;
  return typeof quantity === "number" && Number.isSafeInteger(quantity) && quantity < 0;
};

describe("removeChunks", () => {
  it("keeps only the items the predicate needs", async () => {
    const kept = await removeChunks([1, 2, 3, 4, 5, 6, 7, 8, 9], async (rest) => rest.includes(3) && rest.includes(8), () => false);
    expect(kept).toEqual([3, 8]);
  });

  it("stops when exhausted", async () => {
    let calls = 0;
    const kept = await removeChunks([1, 2, 3, 4], async () => { calls += 1; return false; }, () => calls >= 2);
    expect(calls).toBe(2);
    expect(kept).toEqual([1, 2, 3, 4]);
  });
});

describe("shrinkGenerated", () => {
  const schema = JSON.parse(readFileSync(new URL("../../fixtures/schemas/order-created.schema.json", import.meta.url), "utf8")) as object;
  const source = new SampleSource(fromJsonSchema(schema));
  const seed = 1;
  const samples = source.range(seed, 0, 300);
  const index = samples.findIndex((sample) => negativeQuantity(sample.bytes));

  it("shrinks quantity to -1, rest to simplest", async () => {
    const replays = budget(100);
    const calls: Sample[] = [];
    const result = await shrinkGenerated(source.arbitrary, seed, String(index), samples[index]!, async (sample) => {
      calls.push(sample);
      return negativeQuantity(sample.bytes);
    }, replays);

    const order = decodeOrder(result.sample.bytes)!;
    expect(order.quantity).toBe(-1);
    expect(order.product_id).toBe("");
    expect(order.user_id).toBe("");
    expect(order.order_id).toBe("00000000-0000-1000-8000-000000000000");
    expect(result.sample.mutation).toBe(samples[index]!.mutation);
    expect(replays.used).toBe(calls.length);
    expect(replays.used).toBeLessThanOrEqual(100);
    expect(replays.stopReason()).toBe("minimal");
  });

  it("records a path that rebuilds the shrunk sample", async () => {
    const result = await shrinkGenerated(source.arbitrary, seed, String(index), samples[index]!, async (sample) => negativeQuantity(sample.bytes), budget());
    expect(result.path.startsWith(`${index}:`)).toBe(true);
    expect(text(source.at(seed, result.path).bytes)).toBe(text(result.sample.bytes));
  });

  it("never replays a candidate with another mutation", async () => {
    const mutations = new Set<string>();
    await shrinkGenerated(source.arbitrary, seed, String(index), samples[index]!, async (sample) => {
      mutations.add(sample.mutation);
      return negativeQuantity(sample.bytes);
    }, budget());
    expect([...mutations]).toEqual([samples[index]!.mutation]);
  });

  it("stops at the replay budget with a failing sample", async () => {
    const replays = budget(3);
    const result = await shrinkGenerated(source.arbitrary, seed, String(index), samples[index]!, async (sample) => negativeQuantity(sample.bytes), replays);
    expect(replays.used).toBe(3);
    expect(replays.stopReason()).toBe("max-replays");
    expect(negativeQuantity(result.sample.bytes)).toBe(true);
  });

  it("rethrows a replay error instead of shrinking toward it", async () => {
    await expect(
      shrinkGenerated(source.arbitrary, seed, String(index), samples[index]!, async () => {
        throw new Error("broker went away");
      }, budget()),
    ).rejects.toThrow("broker went away");
  });

  it("keeps the original when nothing smaller fails", async () => {
    const original = samples[index]!;
    const result = await shrinkGenerated(source.arbitrary, seed, String(index), original, async (sample) => text(sample.bytes) === text(original.bytes), budget());
    expect(text(result.sample.bytes)).toBe(text(original.bytes));
  });

  it("fast-check paths agree with fc.sample", () => {
    const [again] = fc.sample(source.arbitrary, { seed, path: String(index), numRuns: 1 });
    expect(text(again!.bytes)).toBe(text(samples[index]!.bytes));
  });
});

describe("shrinkJson", () => {
  const bigOrder = {
    order_id: "0b1f9a52-2c55-4b8e-9d3a-6c1f1e0d2a11",
    customer: { name: "A. Customer", address: { street: "x".repeat(300), city: "Springfield", zip: "12345" }, tags: ["vip", "b2b", "newsletter"] },
    items: Array.from({ length: 40 }, (_, i) => ({ sku: `SKU-${i}-${"y".repeat(60)}`, quantity: i + 1, price: 9.99 + i })),
    payment: { method: "card", amount: -4_250.75, currency: "EUR" },
    notes: "n".repeat(500),
  };
  const bytes = encoder.encode(JSON.stringify(bigOrder, null, 2));
  const negativeAmount = async (candidate: Uint8Array) => {
    const payment = decodeOrder(candidate)?.payment as { amount?: unknown } | undefined;
    return typeof payment?.amount === "number" && payment.amount < 0;
  };

  it("keeps only the failing member, near zero", async () => {
    expect(bytes.length).toBeGreaterThan(5_000);
    const result = await shrinkJson(parseJsonPayload(bytes)!.value, negativeAmount, () => false);
    expect(text(result!)).toBe('{"payment":{"amount":-1}}');
  });

  it("needs few replays for a 5 KB payload", async () => {
    let calls = 0;
    await shrinkJson(parseJsonPayload(bytes)!.value, async (candidate) => {
      calls += 1;
      return negativeAmount(candidate);
    }, () => false);
    expect(calls).toBeLessThanOrEqual(100);
  });

  it("shortens a string that must stay non-empty", async () => {
    const result = await shrinkJson({ name: "abcdefghijklmnop", other: [1, 2, 3] }, async (candidate) => {
      const name = decodeOrder(candidate)?.name;
      return typeof name === "string" && name.startsWith("a");
    }, () => false);
    expect(text(result!)).toBe('{"name":"a"}');
  });

  it("keeps array items the failure needs", async () => {
    const result = await shrinkJson({ items: [1, 2, 3, 4, 5, 6, 7] }, async (candidate) => {
      const items = decodeOrder(candidate)?.items;
      return Array.isArray(items) && items.includes(6);
    }, () => false);
    expect(text(result!)).toBe('{"items":[6]}');
  });

  it("returns undefined when only the exact bytes fail", async () => {
    const result = await shrinkJson(parseJsonPayload(bytes)!.value, async (candidate) => text(candidate).includes("\n"), () => false);
    expect(result).toBeUndefined();
  });
});

describe("shrinkProtobuf", () => {
  const Order = loadProtoType(new URL("../../fixtures/proto/orders.proto", import.meta.url).pathname, "shop.Order");
  const order = Order.fromObject({
    order_id: 981_234,
    product_id: "widget-".repeat(20),
    quantity: -7,
    user_id: "someone@example.com",
    items: [
      { sku: "A".repeat(30), quantity: 3, unit_price_cents: 1999 },
      { sku: "poison", quantity: 4_000_000_000, unit_price_cents: 5 },
      { sku: "C", quantity: 1, unit_price_cents: 100 },
    ],
  });
  const bytes = Order.encode(order).finish();
  const hugeItemQuantity = async (candidate: Uint8Array) => {
    try {
      const decoded = Order.toObject(Order.decode(candidate), { defaults: true }) as { items: { quantity: number }[] };
      return decoded.items.some((item) => item.quantity > 1_000_000);
    } catch {
      return false;
    }
  };

  it("keeps only the nested field that fails", async () => {
    const result = await shrinkProtobuf(bytes, hugeItemQuantity, () => false);
    const decoded = Order.toObject(Order.decode(result)) as { items: { sku?: string; quantity: number }[]; product_id?: string };
    expect(decoded.product_id).toBeUndefined();
    expect(decoded.items).toEqual([{ quantity: 4_000_000_000 }]);
    expect(result.length).toBeLessThan(12);
  });

  it("is chosen by shrinkCaptured for protobuf scenarios", async () => {
    const result = await shrinkCaptured(bytes, hugeItemQuantity, budget(), { protobuf: true });
    expect(result.method).toBe("protobuf");
    expect(result.bytes.length).toBeLessThan(12);
  });
});

describe("shrinkBytes", () => {
  it("reduces to the bytes the failure needs", async () => {
    const bytes = encoder.encode("....\x00\x01 header ... BOOM ... trailer ....");
    const result = await shrinkBytes(bytes, async (candidate) => text(candidate).includes("BOOM"), budget());
    expect(text(result)).toBe("BOOM");
  });
});

describe("shrinkCaptured", () => {
  it("falls back to bytes when the compact JSON no longer fails", async () => {
    const bytes = encoder.encode('{ "a": 1,\n  "b": 2 }');
    const result = await shrinkCaptured(bytes, async (candidate) => text(candidate).includes("\n"), budget());
    expect(result.method).toBe("bytes");
    expect(text(result.bytes)).toBe("\n");
  });

  it("shrinks a non-JSON payload byte-wise", async () => {
    const result = await shrinkCaptured(encoder.encode("not json at all, with a ZAP inside"), async (candidate) => text(candidate).includes("ZAP"), budget());
    expect(result.method).toBe("bytes");
    expect(text(result.bytes)).toBe("ZAP");
  });

  it("replays each distinct candidate once and respects the budget", async () => {
    const seen = new Set<string>();
    let repeats = 0;
    const replays = budget(10);
    const bytes = encoder.encode(JSON.stringify({ list: Array.from({ length: 100 }, (_, i) => i), keep: -500 }));
    await shrinkCaptured(bytes, async (candidate) => {
      const key = text(candidate);
      if (seen.has(key)) repeats += 1;
      seen.add(key);
      const list = decodeOrder(candidate)?.list;
      return Array.isArray(list) && list.includes(37) && list.includes(73);
    }, replays);
    expect(repeats).toBe(0);
    expect(seen.size).toBe(10);
    expect(replays.stopReason()).toBe("max-replays");
  });
});
