import { describe, expect, it } from "vitest";
import { attributeToMessages, attributeToPrefix, ddmin, ReplayBudget } from "../../harness/run/attribute.ts";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("ddmin", () => {
  it("reduces to the two messages that fail together", async () => {
    const fails = async (items: number[]) => items.includes(13) && items.includes(71);
    const result = await ddmin(range(100), [], fails, new ReplayBudget(200));
    expect(result.sort((a, b) => a - b)).toEqual([13, 71]);
  });

  it("stops at the budget with a failing subset", async () => {
    let calls = 0;
    const fails = async (items: number[]) => {
      calls += 1;
      return items.includes(5);
    };
    const budget = new ReplayBudget(3);
    const result = await ddmin(range(64), [], fails, budget);
    expect(calls).toBe(3);
    expect(result).toContain(5);
  });
});

describe("attributeToMessages", () => {
  it("finds a single culprit by trying each alone", async () => {
    const budget = new ReplayBudget(40);
    const result = await attributeToMessages([3, 4, 5, 6], async (items) => items.includes(5), budget);
    expect(result).toEqual([5]);
    expect(budget.used).toBe(3);
  });

  it("returns undefined when nothing reproduces", async () => {
    const result = await attributeToMessages([1, 2, 3], async () => false, new ReplayBudget(40));
    expect(result).toBeUndefined();
  });
});

describe("attributeToPrefix", () => {
  it("finds a single state-corrupting message by prefix search", async () => {
    const messages = range(100);
    const budget = new ReplayBudget(40);
    const result = await attributeToPrefix(messages, 0, async (items) => items.includes(42), budget);
    expect(result).toEqual([42]);
    expect(budget.used).toBeLessThanOrEqual(10);
  });

  it("keeps an earlier message the failure depends on", async () => {
    const messages = range(100);
    const result = await attributeToPrefix(messages, 50, async (items) => items.includes(7) && items.includes(80), new ReplayBudget(60));
    expect(result).toEqual([7, 80]);
  });
});
