import type { Expectation, HeaderValue, MessageClass } from "../../generators/sample.ts";
import type { Detector, ShrinkRecord } from "../findings/types.ts";

/** Format of case.json; bumped on any incompatible change. */
export const CORPUS_FORMAT_VERSION = 1;

/** Origin of a corpus case. */
export type CorpusCaseSource =
  /** A confirmed finding of a run: its seed and the culprit's fast-check path. */
  | { kind: "finding"; findingId: string; seed: number; samplePath?: string }
  /** A captured message brought in with `poisonpill import`; `from` names the file, queue or stream. */
  | { kind: "import"; from: string };

/** One message of a case; its bytes are in `file` beside case.json. */
export interface CorpusMessage {
  file: string;
  class: MessageClass;
  mutation: string;
  path: string;
  expect: Expectation;
  headers?: Record<string, HeaderValue>;
}

/**
 * A regression case, stored as `<corpus>/<id>/case.json` with the payloads
 * beside it: `payload.bin` for the culprit (the last message), `message-NNN.bin`
 * for messages sent before it, `original.bin` for the culprit before shrinking.
 */
export interface CorpusCase {
  id: string;
  /** Name of the scenario that produced or imported the case. */
  scenario: string;
  /** Message type (see payloadTypeOf); a run replays the cases of its scenario's payload type. */
  payloadType: string;
  /** Scenario file relative to the case directory, so a committed corpus works in any checkout. */
  scenarioFile?: string;
  /** The failure the case reproduces; undefined for an import that was never replayed. */
  detector?: Detector;
  signature?: string;
  source: CorpusCaseSource;
  /** In sending order; the culprit is last. */
  messages: CorpusMessage[];
  /** Shrink record of the culprit; the original is in `original.bin`. */
  shrink?: Omit<ShrinkRecord, "original"> & { originalFile: string };
  addedAt: string;
}
