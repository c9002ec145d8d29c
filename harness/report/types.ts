import type { Expectation, MessageClass } from "../../generators/sample.ts";
import type { Detector, FindingEvidence, ShrinkRecord } from "../findings/types.ts";
import type { ProvisionMethod } from "../provision/types.ts";

/** One finding as the JSON report lists it. */
export interface ReportFinding {
  id: string;
  detector: Detector;
  signature: string;
  class: MessageClass;
  mutation: string;
  expect: Expectation;
  reproduced: boolean;
  count: number;
  /** fast-check path of the culprit for `seed`; absent for captured payloads. */
  samplePath?: string;
  /** The reproducer's culprit: the minimal payload once shrunk. */
  payload: { base64: string; size: number };
  /** How the payload was shrunk, with the original; absent when it was not. */
  shrink?: ShrinkRecord;
  /** Messages in the reproducer (1 for most findings). */
  messageCount: number;
  evidence: FindingEvidence;
  dir: string;
  replayCommand: string;
}

/** The result of a run; version 1 of the JSON report format. */
export interface RunReport {
  version: 1;
  scenario: string;
  scenarioFile?: string;
  seed: number;
  /** `url` is redacted; `reason` says why `via` was chosen (see provisionBroker). */
  broker: { kind: string; url: string; via: ProvisionMethod; reason?: string };
  stats: {
    sent: number;
    /** Generated samples not sent because their mutation kept causing a known finding. */
    skipped: number;
    acknowledged: number;
    durationMs: number;
    consumerStarts: number;
    replays: number;
    /** Messages the broker refused (over its size limit, for example). */
    brokerRejected: number;
  };
  findings: ReportFinding[];
  /** Detectors that watched the run: crash always, hang where the broker reports acknowledgements, invariant with invariants, and every detector that reported a finding. */
  detectors: Detector[];
  /** The regression corpus, when the run used one. */
  corpus?: {
    dir: string;
    /** Ids of the cases replayed before the flood. */
    replayed: string[];
    /** Ids of the replayed cases that failed again; each also appears in `findings`. */
    failed: string[];
    /** Ids of cases this run added or replaced. */
    added: string[];
  };
  /** Directory the findings were written to. */
  outDir: string;
}
