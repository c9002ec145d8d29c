import type { Detector, Finding, ShrinkRecord } from "./findings/types.ts";
import type { ProvisionMethod } from "./provision/types.ts";

/** Lifecycle events of a run, consumed by the CLI's progress line and by reporters. */
export type HarnessEvent =
  /** `url` is redacted; `reason` says why `via` was chosen; `pid` or `containerId` identify a broker the run started. */
  | { type: "BrokerReady"; kind: string; url: string; via: ProvisionMethod; reason?: string; pid?: number; containerId?: string }
  /** `pid` is absent for an in-process handler, which runs in a worker thread of the harness. */
  | { type: "ConsumerStarted"; pid?: number; start: number; purpose: "flood" | "replay" }
  | { type: "ConsumerExited"; pid?: number; code: number | null; signal: string | null; purpose: "flood" | "replay" }
  | { type: "Progress"; sent: number; acknowledged: number; findings: number; elapsedMs: number }
  /** A failure with a new signature; attribution starts. */
  | { type: "FailureObserved"; detector: Detector; signature: string }
  | { type: "FindingConfirmed"; finding: Finding }
  | { type: "FindingRepeated"; id: string; count: number }
  /** A regression case was replayed before the flood; `signature` is the failure it caused, if any. */
  | { type: "CorpusCaseReplayed"; id: string; dir: string; failed: boolean; signature?: string }
  /** A confirmed finding was stored as a regression case (`kept`: a smaller case for its signature exists). */
  | { type: "CorpusCaseAdded"; id: string; dir: string; outcome: "added" | "replaced" | "kept" }
  /** A confirmed finding's culprit was shrunk and the finding rewritten; `smaller` false: nothing smaller failed, the finding is unchanged. */
  | { type: "FindingShrunk"; id: string; originalBytes: number; bytes: number; replays: number; stoppedBy: ShrinkRecord["stoppedBy"]; smaller: boolean }
  /** A repeat's smaller culprit failed the same way alone and became the finding's reproducer. */
  | { type: "ReproducerReplaced"; id: string; previousBytes: number; bytes: number; mutation: string }
  | { type: "FloodFinished"; sent: number; durationMs: number }
  | { type: "Warning"; message: string };

export type EventListener = (event: HarnessEvent) => void;

/** Calls a listener without letting its exceptions reach the harness. */
export function safeEmit(listener: EventListener | undefined, event: HarnessEvent): void {
  if (listener === undefined) return;
  try {
    listener(event);
  } catch {
    // A faulty reporter must not stop the run.
  }
}
