import { normalQuantile } from "./normal.ts";

/** A Theil–Sen slope estimate with a two-sided confidence interval. */
export interface SlopeEstimate {
  /** Median of the pairwise slopes, in units of y per unit of x. */
  slope: number;
  /** Lower end of the confidence interval. */
  lower: number;
  /** Upper end of the confidence interval. */
  upper: number;
  /** Points used. */
  n: number;
  /** Two-sided confidence level of [lower, upper], e.g. 0.95. */
  confidence: number;
}

function median(sorted: readonly number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Slopes of every pair of points with different x, sorted ascending. */
export function pairwiseSlopes(xs: readonly number[], ys: readonly number[]): number[] {
  if (xs.length !== ys.length) throw new RangeError(`xs and ys must have the same length, got ${xs.length} and ${ys.length}`);
  const slopes: number[] = [];
  for (let i = 0; i < xs.length; i += 1) {
    for (let j = i + 1; j < xs.length; j += 1) {
      const dx = xs[j]! - xs[i]!;
      if (dx !== 0) slopes.push((ys[j]! - ys[i]!) / dx);
    }
  }
  return slopes.sort((a, b) => a - b);
}

/**
 * Theil–Sen estimator of the slope of y over x, with the rank-based
 * confidence interval of Sen (1968): the interval runs between two order
 * statistics of the pairwise slopes, chosen from the normal approximation of
 * the null distribution of Kendall's S. It needs no distributional
 * assumption about the residuals and tolerates up to about 29 % outliers,
 * which is what a garbage-collected sawtooth looks like next to a trend.
 *
 * Returns undefined for fewer than 3 points or when every x is the same.
 * NOTE: the variance of S is not corrected for tied x values; ties make the
 * interval slightly wider than it needs to be, never narrower.
 */
export function theilSen(xs: readonly number[], ys: readonly number[], confidence = 0.95): SlopeEstimate | undefined {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const n = xs.length;
  const slopes = pairwiseSlopes(xs, ys);
  if (n < 3 || slopes.length === 0) return undefined;

  const pairs = slopes.length;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const spread = z * Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18);
  // 1-based ranks of the interval ends, clamped to the available slopes.
  const lowerRank = Math.max(1, Math.floor((pairs - spread) / 2));
  const upperRank = Math.min(pairs, Math.ceil((pairs + spread) / 2) + 1);
  return { slope: median(slopes), lower: slopes[lowerRank - 1]!, upper: slopes[upperRank - 1]!, n, confidence };
}

/**
 * Keeps at most `max` points, evenly spaced over the input and always
 * including the last one, so the pairwise estimator stays O(max²).
 */
export function thinEvenly<T>(points: readonly T[], max: number): T[] {
  if (max < 2) throw new RangeError(`max must be >= 2, got ${max}`);
  if (points.length <= max) return [...points];
  const kept: T[] = [];
  const step = (points.length - 1) / (max - 1);
  for (let i = 0; i < max; i += 1) kept.push(points[Math.round(i * step)]!);
  return kept;
}
