import fc from "fast-check";
import type { Sample } from "../../generators/sample.ts";
import type { ShrinkBudget } from "./budget.ts";
import { sampleKey } from "./sample-key.ts";

/** Replays a candidate against a fresh consumer; true when it fails with the finding's signature. */
export type SampleFails = (sample: Sample) => Promise<boolean>;

export interface GeneratedShrinkResult {
  sample: Sample;
  /** fast-check path of `sample` for the same seed; `SampleSource.at(seed, path)` rebuilds it. */
  path: string;
  /** Shrink steps taken, each to a smaller failing sample. */
  steps: number;
}

/**
 * Shrinks the generated sample at `path` with fast-check's own shrinker:
 * fast-check replays the seed to the path, then walks the arbitrary's shrink
 * tree, keeping each candidate for which `fails` holds.
 *
 * Candidates with another mutation label are skipped without a replay: the
 * shrink tree also reaches other mutations (its draws shrink toward the first
 * one), and a reproducer that keeps its label reads as the same bug.
 * Candidates whose bytes and headers were tried already reuse that answer.
 * The sample at `path` is known to fail and is not replayed again.
 */
export async function shrinkGenerated(
  arbitrary: fc.Arbitrary<Sample>,
  seed: number,
  path: string,
  original: Sample,
  fails: SampleFails,
  budget: ShrinkBudget,
): Promise<GeneratedShrinkResult> {
  const known = new Map<string, boolean>([[sampleKey(original), true]]);
  let replayError: unknown;

  // fast-check reads a property that returns false as a failure and shrinks toward it.
  const property = fc.asyncProperty(arbitrary, async (candidate) => {
    if (replayError !== undefined || candidate.mutation !== original.mutation) return true;
    const key = sampleKey(candidate);
    const cached = known.get(key);
    if (cached !== undefined) return !cached;
    if (!budget.take()) return true;
    try {
      const failed = await fails(candidate);
      known.set(key, failed);
      return !failed;
    } catch (error) {
      // fast-check would take a thrown error for a failure; stop the search and rethrow below.
      replayError = error;
      return true;
    }
  });
  const details = await fc.check(property, { seed, path, numRuns: 1 });
  if (replayError !== undefined) throw replayError;

  if (!details.failed || details.counterexample === null || details.counterexamplePath === null) {
    // The sample at `path` did not fail here: a different generator than the one that produced it.
    return { sample: original, path, steps: 0 };
  }
  return { sample: details.counterexample[0], path: details.counterexamplePath, steps: details.numShrinks };
}
