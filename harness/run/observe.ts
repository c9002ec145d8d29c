import type { Sample } from "../../generators/sample.ts";
import { redactText } from "../brokers/url-guard.ts";
import { crashSignature, hangSignature, invariantSignature } from "../findings/signature.ts";
import type { Detector, FindingEvidence } from "../findings/types.ts";
import { ConsumerStart, type FailureOutcome, type StartContext } from "./consumer-start.ts";
import { checkInvariants, type InvariantViolation } from "./invariants.ts";

/** Something going wrong, as a detector saw it. */
export interface Failure {
  kind: "failure";
  detector: Detector;
  /** Groups repeats of one bug: detector plus exit status and stack, or the invariant's name. */
  signature: string;
  evidence: FindingEvidence;
}

/** The outcome of sending a sequence of messages to a consumer. */
export type Observation = { kind: "ok" } | Failure;

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Waits until the lane has room for one more unacknowledged message. Returns
 * the failure instead when the consumer exits or stops acknowledging.
 * `inFlightPublishes` is read on every poll, since publishes complete while
 * this waits.
 */
export async function waitForWindow(start: ConsumerStart, inFlightPublishes: number | (() => number)): Promise<FailureOutcome | undefined> {
  const { maxInFlight, pollIntervalMs } = start.context.settings;
  for (;;) {
    if (start.exit !== undefined) {
      await start.poll();
      return { kind: "crash", exit: start.exit, progress: start.progress };
    }
    // Without acknowledgements there is no window to wait for, but monitors still watch the consumer.
    if (!start.lane.tracksAcks) return start.checkMonitors();
    const progress = await start.poll();
    const detected = await start.checkMonitors();
    if (detected !== undefined) return detected;
    if (start.hangDetected()) return { kind: "hang", progress, unacknowledgedMs: start.unacknowledgedMs() };
    const acked = progress?.ackedThrough ?? 0;
    const inFlight = typeof inFlightPublishes === "function" ? inFlightPublishes() : inFlightPublishes;
    if (start.published + inFlight - acked < maxInFlight) return undefined;
    await Promise.race([delay(pollIntervalMs), start.process.exited]);
  }
}

/** Turns a settle outcome into an observation, with the signature findings are grouped by. */
export function observationOf(outcome: FailureOutcome, start: ConsumerStart): Failure {
  const outputTail = redactText(start.process.outputTail());
  switch (outcome.kind) {
    case "crash": {
      const { code, signal } = outcome.exit;
      return { kind: "failure", detector: "crash", signature: crashSignature(code, signal, start.process.stderr.tail(80)), evidence: { exitCode: code, signal, outputTail } };
    }
    case "hang":
      return { kind: "failure", detector: "hang", signature: hangSignature(), evidence: { unacknowledgedMs: outcome.unacknowledgedMs, outputTail } };
    case "detected":
      return { kind: "failure", detector: outcome.detector, signature: outcome.signature, evidence: { ...outcome.evidence, outputTail } };
  }
}

/** Builds the observation for a violated invariant. */
export function invariantFailure(violation: InvariantViolation, start: ConsumerStart): Failure {
  return {
    kind: "failure",
    detector: "invariant",
    signature: invariantSignature(violation.name),
    evidence: {
      invariant: violation.name,
      invariantOutput: redactText(violation.output),
      outputTail: redactText(start.process.outputTail()),
      // A consumer that exited after acknowledging the messages still left the state the check read.
      ...(start.exit === undefined ? {} : { exitCode: start.exit.code, signal: start.exit.signal }),
    },
  };
}

/**
 * Sends `samples` in order to a fresh consumer start, waits for it to settle,
 * runs the invariants and reports what happened. The start is always ended.
 */
export async function observeReplay(context: StartContext, samples: readonly Sample[], tag: string): Promise<Observation> {
  const start = await ConsumerStart.begin(context, tag, "replay");
  try {
    for (const sample of samples) {
      const interrupted = await waitForWindow(start, 0);
      if (interrupted !== undefined) return observationOf(interrupted, start);
      try {
        await start.publish(sample);
      } catch {
        // The broker rejected this message (for example over its size limit); the others still count.
      }
    }
    const outcome = await start.settle();
    if (outcome.kind !== "settled") return observationOf(outcome, start);
    const invariants = context.loaded.scenario.invariants ?? [];
    const violation = await checkInvariants(invariants, start);
    if (violation !== undefined) return invariantFailure(violation, start);
    // A consumer that died right after acknowledging its last message still crashed.
    if (start.exit !== undefined) return observationOf({ kind: "crash", exit: start.exit }, start);
    return { kind: "ok" };
  } finally {
    await start.end();
  }
}
