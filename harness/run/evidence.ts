import type { FindingEvidence } from "../findings/types.ts";
import type { Failure } from "./observe.ts";

/**
 * Evidence fields that describe one observation of the consumer, as opposed
 * to notes about the finding (replays spent, first reproducer, corpus case).
 */
const OBSERVATION_FIELDS = ["exitCode", "signal", "outputTail", "invariant", "invariantOutput", "unacknowledgedMs"] as const;

/**
 * Builds a confirmed finding's evidence from the replay that confirmed it,
 * in which the consumer received only the reproducer. The flood's
 * observation is kept as `floodObservation`: that consumer also handled
 * other messages, so its output and exit status may belong to them.
 */
export function confirmedEvidence(replay: Failure, flood: FindingEvidence, notes: FindingEvidence): FindingEvidence {
  return { ...replay.evidence, ...notes, observedIn: "replay", floodObservation: flood };
}

/** Replaces the observation in `evidence` with that of a later replay (of a smaller reproducer), keeping the notes. */
export function withReplayEvidence(evidence: FindingEvidence, replay: Failure): FindingEvidence {
  const notes: FindingEvidence = { ...evidence };
  for (const field of OBSERVATION_FIELDS) delete notes[field];
  return { ...notes, ...replay.evidence, observedIn: "replay" };
}
