import type { Sample } from "../../generators/sample.ts";
import type { ShrinkRecord } from "../findings/types.ts";
import type { Observation } from "../run/observe.ts";
import type { SampleSource } from "../scenario/sample-source.ts";
import { ShrinkBudget, type ShrinkLimits } from "./budget.ts";
import { shrinkCaptured } from "./shrink-captured.ts";
import { shrinkGenerated } from "./shrink-generated.ts";
import { parseJsonPayload } from "./shrink-json.ts";

/** A reproducer to shrink: messages sent unchanged first, then the culprit. */
export interface ReproducerToShrink {
  prefix: readonly Sample[];
  culprit: Sample;
  /** The culprit's fast-check path for `seed`; undefined for a captured payload. */
  samplePath?: string;
  seed?: number;
  /** The scenario's generator; needed to shrink a generated culprit. */
  source?: SampleSource;
  /** The scenario's payloads are protobuf. */
  protobuf: boolean;
}

export interface ShrunkReproducer {
  culprit: Sample;
  /** fast-check path of the shrunk culprit, when it is a generated sample. */
  samplePath?: string;
  method: ShrinkRecord["method"];
  replays: number;
  durationMs: number;
  stoppedBy: ShrinkRecord["stoppedBy"];
}

/** Sends messages to a fresh consumer and reports what it did. */
export type ReplayMessages = (samples: Sample[]) => Promise<Observation>;

/**
 * Shrinks a reproducer's culprit while the consumer keeps failing with
 * `signature`: through the generator's shrink tree for a generated sample,
 * structurally or byte-wise for a captured payload. The prefix is kept as
 * it is. Replay errors of the harness (a consumer that never gets ready)
 * propagate.
 */
export async function shrinkReproducer(target: ReproducerToShrink, signature: string, replay: ReplayMessages, limits: ShrinkLimits): Promise<ShrunkReproducer> {
  const budget = new ShrinkBudget(limits);
  const failsSame = async (candidate: Sample): Promise<boolean> => {
    const observation = await replay([...target.prefix, candidate]);
    return observation.kind === "failure" && observation.signature === signature;
  };
  const { culprit, samplePath, seed, source } = target;

  if (samplePath !== undefined && seed !== undefined && source !== undefined) {
    const result = await shrinkGenerated(source.arbitrary, seed, samplePath, culprit, failsSame, budget);
    return { culprit: result.sample, samplePath: result.path, method: "fast-check", replays: budget.used, durationMs: budget.elapsedMs, stoppedBy: budget.stopReason() };
  }

  const toSample = (bytes: Uint8Array): Sample => ({ ...culprit, bytes, value: parseJsonPayload(bytes)?.value });
  const result = await shrinkCaptured(culprit.bytes, (bytes) => failsSame(toSample(bytes)), budget, { protobuf: target.protobuf });
  const shrunk = result.bytes === culprit.bytes ? culprit : toSample(result.bytes);
  return { culprit: shrunk, method: result.method, replays: budget.used, durationMs: budget.elapsedMs, stoppedBy: budget.stopReason() };
}
