import type { Expectation, HeaderValue, MessageClass } from "../../generators/sample.ts";

/** The detector that observed a problem in the consumer. */
export type Detector =
  | "crash"
  | "hang"
  | "invariant"
  | "redelivery-loop"
  | "stall"
  | "dead-lettered"
  | "memory-growth"
  | "cpu-spin";

/** One message of a reproducer, as published. */
export interface ReproMessage {
  /** fast-check path of the sample for the run's seed, e.g. "1843" or "1843:0:2"; undefined for imported messages. */
  samplePath?: string;
  class: MessageClass;
  mutation: string;
  /** Mutated location inside the payload. */
  path: string;
  expect: Expectation;
  /** Payload bytes, base64. */
  base64: string;
  headers?: Record<string, HeaderValue>;
}

export interface FindingEvidence {
  exitCode?: number | null;
  signal?: string | null;
  /** Last lines the consumer wrote before it died or hung. */
  outputTail?: string;
  invariant?: string;
  /** Output of the violated invariant. */
  invariantOutput?: string;
  /** How long the message stayed unacknowledged before the hang was declared. */
  unacknowledgedMs?: number;
  /** Replays spent attributing the finding. */
  attributionReplays?: number;
  /**
   * Source of the fields above. `replay` is a fresh consumer that received
   * only the reproducer. `flood` is the flood's consumer, which also handled
   * other messages: an unconfirmed finding, or memory growth.
   */
  observedIn?: "replay" | "flood";
  /** For a confirmed finding, what the detector saw in the flood; its output may come from other messages. */
  floodObservation?: FindingEvidence;
  [key: string]: unknown;
}

/** How a reproducer was shrunk. */
export interface ShrinkRecord {
  /** `fast-check`: the generator's shrink tree; the others reduce captured bytes. */
  method: "fast-check" | "json" | "protobuf" | "bytes";
  /** The culprit as first attributed, before shrinking. */
  original: ReproMessage;
  /** Replays (fresh consumer starts) spent. */
  replays: number;
  durationMs: number;
  /** `minimal`: no smaller candidate failed with the same signature; otherwise the budget that ran out. */
  stoppedBy: "minimal" | "max-replays" | "max-time";
}

/** A confirmed (or unconfirmed) problem in the consumer, attributed to the messages that cause it. */
export interface Finding {
  id: string;
  detector: Detector;
  /** Groups findings that are the same bug: detector plus exit status and stack, or the invariant's name. */
  signature: string;
  /** True when replaying the messages against a fresh consumer failed the same way. */
  reproduced: boolean;
  /** How many times this signature was observed in the run. */
  count: number;
  seed: number;
  /** The message that triggers the failure (the last of `messages`). */
  culprit: ReproMessage;
  /** Everything to replay, in order; usually just the culprit. */
  messages: ReproMessage[];
  /** Present once the culprit was shrunk; `culprit` is then the minimal payload. */
  shrink?: ShrinkRecord;
  evidence: FindingEvidence;
  /** Absolute directory of the finding on disk. */
  dir: string;
  replayCommand: string;
  scenarioName: string;
  /** Message type the scenario's consumer reads (see payloadTypeOf); absent in findings written before it was recorded. */
  payloadType?: string;
  /** Absolute path of the scenario file. */
  scenarioFile?: string;
  detectedAt: string;
}
