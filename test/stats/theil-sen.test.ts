import { describe, expect, it } from "vitest";
import { normalCdf, normalQuantile } from "../../harness/stats/normal.ts";
import { pairwiseSlopes, theilSen, thinEvenly } from "../../harness/stats/theil-sen.ts";

/** Deterministic uniform numbers in [0, 1): a 32-bit linear congruential generator. */
function uniforms(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe("normal distribution", () => {
  it("cdf matches known values", () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 6);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 5);
    expect(normalCdf(-2.326348)).toBeCloseTo(0.01, 5);
  });

  it("quantile inverts the cdf", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 4);
    expect(normalQuantile(0.995)).toBeCloseTo(2.575829, 4);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 6);
  });

  it("quantile rejects p outside (0, 1)", () => {
    expect(() => normalQuantile(0)).toThrow(RangeError);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});

describe("theilSen", () => {
  it("recovers an exact line", () => {
    const xs = [0, 1, 2, 3, 4, 5];
    const estimate = theilSen(xs, xs.map((x) => 3 * x + 7))!;
    expect(estimate.slope).toBe(3);
    expect(estimate.lower).toBe(3);
    expect(estimate.upper).toBe(3);
  });

  it("ignores a minority of outliers", () => {
    const xs = Array.from({ length: 40 }, (_, i) => i);
    const ys = xs.map((x) => 2 * x);
    for (const i of [3, 11, 19, 27, 35]) ys[i] = 10_000;
    const estimate = theilSen(xs, ys)!;
    expect(estimate.slope).toBeCloseTo(2, 6);
    expect(estimate.lower).toBeLessThanOrEqual(2);
    expect(estimate.upper).toBeGreaterThanOrEqual(2);
  });

  it("sees no trend in a sawtooth", () => {
    // Heap-like: grows 100 per step, drops back every 10 steps.
    const xs = Array.from({ length: 200 }, (_, i) => i);
    const ys = xs.map((x) => 50_000 + (x % 10) * 100);
    const estimate = theilSen(xs, ys)!;
    expect(estimate.lower).toBeLessThanOrEqual(0);
    expect(estimate.upper).toBeGreaterThanOrEqual(0);
  });

  it("bounds a real trend away from zero", () => {
    const random = uniforms(7);
    const xs = Array.from({ length: 100 }, (_, i) => i * 50);
    const ys = xs.map((x) => 1_000 * x + (random() - 0.5) * 2_000_000);
    const estimate = theilSen(xs, ys)!;
    expect(estimate.lower).toBeGreaterThan(500);
    expect(estimate.upper).toBeLessThan(1_500);
  });

  it("covers the true slope at about the nominal rate", () => {
    const random = uniforms(42);
    let covered = 0;
    const trials = 400;
    for (let trial = 0; trial < trials; trial += 1) {
      const xs = Array.from({ length: 30 }, (_, i) => i);
      const ys = xs.map((x) => 0.5 * x + (random() + random() + random() - 1.5) * 4);
      const { lower, upper } = theilSen(xs, ys, 0.9)!;
      if (lower <= 0.5 && 0.5 <= upper) covered += 1;
    }
    // 90 % nominal; the order-statistic interval is slightly conservative.
    expect(covered / trials).toBeGreaterThan(0.85);
    expect(covered / trials).toBeLessThan(0.97);
  });

  it("widens the interval at higher confidence", () => {
    const random = uniforms(3);
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const ys = xs.map((x) => x + random() * 20);
    const narrow = theilSen(xs, ys, 0.8)!;
    const wide = theilSen(xs, ys, 0.99)!;
    expect(wide.lower).toBeLessThanOrEqual(narrow.lower);
    expect(wide.upper).toBeGreaterThanOrEqual(narrow.upper);
  });

  it("returns undefined without enough distinct x", () => {
    expect(theilSen([1, 2], [1, 2])).toBeUndefined();
    expect(theilSen([4, 4, 4], [1, 2, 3])).toBeUndefined();
  });

  it("rejects mismatched lengths", () => {
    expect(() => pairwiseSlopes([1, 2, 3], [1, 2])).toThrow(RangeError);
  });
});

describe("thinEvenly", () => {
  it("keeps first and last points", () => {
    const points = Array.from({ length: 1_000 }, (_, i) => i);
    const kept = thinEvenly(points, 10);
    expect(kept).toHaveLength(10);
    expect(kept[0]).toBe(0);
    expect(kept[9]).toBe(999);
  });

  it("returns short inputs unchanged", () => {
    expect(thinEvenly([1, 2, 3], 10)).toEqual([1, 2, 3]);
  });
});
