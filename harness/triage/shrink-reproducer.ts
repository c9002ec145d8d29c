import type { Sample } from "../../generators/sample.ts";
import type { ShrinkRecord } from "../findings/types.ts";
import type { Failure, Observation } from "../run/observe.ts";
import type { SampleSource } from "../scenario/sample-source.ts";
import { ShrinkBudget, type ShrinkLimits } from "./budget.ts";
import { shrinkCaptured } from "./shrink-captured.ts";
import { shrinkGenerated } from "./shrink-generated.ts";
import { parseJsonPayload } from "./shrink-json.ts";
import { sampleKey } from "./sample-key.ts";
import { headersSize } from "./sample-size.ts";

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
  /** The shrunk culprit, or the original one when no smaller candidate failed the same way. */
  culprit: Sample;
  /** False when `culprit` is the original: nothing smaller failed with the signature. */
  smaller: boolean;
  /** The replay in which `culprit` failed; undefined when `smaller` is false (the original was not replayed here). */
  observation?: Failure;
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
 * it is, so only the culprit can get smaller. A result that is not smaller
 * than the original (see isSmaller) is dropped and the original returned.
 * Replay errors of the harness (a consumer that never gets ready) propagate.
 */
export async function shrinkReproducer(target: ReproducerToShrink, signature: string, replay: ReplayMessages, limits: ShrinkLimits): Promise<ShrunkReproducer> {
  const budget = new ShrinkBudget(limits);
  const failures = new Map<string, Failure>();
  const failsSame = async (candidate: Sample): Promise<boolean> => {
    const observation = await replay([...target.prefix, candidate]);
    const same = observation.kind === "failure" && observation.signature === signature;
    if (same) failures.set(sampleKey(candidate), observation);
    return same;
  };
  const { culprit, samplePath, seed, source } = target;

  let found: { culprit: Sample; samplePath?: string; method: ShrinkRecord["method"] };
  if (samplePath !== undefined && seed !== undefined && source !== undefined) {
    const result = await shrinkGenerated(source.arbitrary, seed, samplePath, culprit, failsSame, budget);
    found = { culprit: result.sample, samplePath: result.path, method: "fast-check" };
  } else {
    const toSample = (bytes: Uint8Array): Sample => ({ ...culprit, bytes, value: parseJsonPayload(bytes)?.value });
    const result = await shrinkCaptured(culprit.bytes, (bytes) => failsSame(toSample(bytes)), budget, { protobuf: target.protobuf });
    found = { culprit: result.bytes === culprit.bytes ? culprit : toSample(result.bytes), samplePath, method: result.method };
  }

  const stats = { replays: budget.used, durationMs: budget.elapsedMs, stoppedBy: budget.stopReason() };
  const observation = failures.get(sampleKey(found.culprit));
  // fast-check's shrink tree orders values by its own measure, which can lengthen the payload.
  if (!isSmaller(found.culprit, culprit) || observation === undefined) return { culprit, samplePath, smaller: false, method: found.method, ...stats };
  return { ...found, smaller: true, observation, ...stats };
}

/** True when `candidate` has fewer payload bytes, or as many and smaller headers. */
export function isSmaller(candidate: Sample, original: Sample): boolean {
  if (candidate.bytes.length !== original.bytes.length) return candidate.bytes.length < original.bytes.length;
  return headersSize(candidate.headers) < headersSize(original.headers);
}
