import { safeEmit, type EventListener } from "../events.ts";
import type { Failure } from "../run/observe.ts";
import type { ReplayMessages } from "../triage/shrink-reproducer.ts";
import type { StoredCase } from "./store.ts";

/** A corpus case that failed again. */
export interface CorpusFailure {
  stored: StoredCase;
  observation: Failure;
}

/** Outcome of replaying a scenario's corpus. */
export interface CorpusReplay {
  /** Cases of the scenario's payload type, replayed. */
  replayed: StoredCase[];
  /** Cases of other payload types in the same directory, not replayed. */
  skipped: number;
  failures: CorpusFailure[];
}

/**
 * Replays every case of `payloadType`, each against a fresh consumer, in id
 * order. Any failure counts, with the case's recorded signature or another:
 * a regression case passes only when the consumer handles it.
 */
export async function replayCorpus(cases: readonly StoredCase[], payloadType: string, replay: ReplayMessages, onEvent?: EventListener): Promise<CorpusReplay> {
  const mine = cases.filter((stored) => stored.case.payloadType === payloadType);
  const failures: CorpusFailure[] = [];
  for (const stored of mine) {
    const observation = await replay(stored.samples);
    const failed = observation.kind === "failure";
    if (failed) failures.push({ stored, observation });
    safeEmit(onEvent, { type: "CorpusCaseReplayed", id: stored.case.id, dir: stored.dir, failed, signature: failed ? observation.signature : undefined });
  }
  return { replayed: mine, skipped: cases.length - mine.length, failures };
}
