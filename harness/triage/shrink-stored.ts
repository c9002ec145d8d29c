import { dirname } from "node:path";
import type { Sample } from "../../generators/sample.ts";
import { caseScenarioFile, ORIGINAL_FILE, readCase, writeCase, type StoredCase } from "../corpus/store.ts";
import { reproToSample } from "../corpus/from-finding.ts";
import { assertSamePayloadType } from "../corpus/payload-type.ts";
import { ConfigError } from "../errors.ts";
import type { Detector, Finding, ReproMessage } from "../findings/types.ts";
import { writeFinding } from "../findings/write.ts";
import type { Failure, Observation } from "../run/observe.ts";
import { withReplayEvidence } from "../run/evidence.ts";
import { assertScenarioFits, readFinding } from "../run/replay-finding.ts";
import { loadScenario, type LoadedScenario } from "../scenario/load.ts";
import { buildSampleSource } from "../scenario/sample-source.ts";
import { DEFAULT_SHRINK_LIMITS, type ShrinkLimits } from "./budget.ts";
import { withReplaySession, type ReplaySessionOptions } from "./replay-session.ts";
import { shrinkReproducer, type ShrunkReproducer } from "./shrink-reproducer.ts";

export interface StoredShrinkOptions extends ReplaySessionOptions {
  /** Scenario file; default the one the case or finding names. */
  scenarioFile?: string;
  /** Accept a scenario whose payload type differs from the case's or finding's. */
  anyScenario?: boolean;
  shrink?: Partial<ShrinkLimits>;
}

/** Outcome of shrinking a stored case or finding. */
export type StoredShrinkResult =
  /** The payload no longer fails, so there is nothing to shrink. */
  | { kind: "passes"; observation: Observation }
  /** The payload fails with another signature than the one recorded; nothing was changed. */
  | { kind: "fails-differently"; observation: Failure; expectedSignature: string }
  /** `shrunk.smaller` is false when no smaller payload failed the same way; then nothing was changed. */
  | { kind: "shrunk"; detector: Detector; signature: string; originalBytes: number; shrunk: ShrunkReproducer; observation: Failure };

async function loadFor(scenarioFile: string | undefined, what: string): Promise<LoadedScenario> {
  if (scenarioFile === undefined) throw new ConfigError(`${what} names no scenario file`, { hint: "pass --scenario FILE" });
  return loadScenario(scenarioFile);
}

/**
 * Replays a reproducer once to learn its signature, then shrinks its last
 * message while the consumer keeps failing with that signature.
 */
async function shrinkMessages(
  loaded: LoadedScenario,
  samples: Sample[],
  expectedSignature: string | undefined,
  generated: { seed: number; samplePath: string } | undefined,
  options: StoredShrinkOptions,
): Promise<StoredShrinkResult> {
  return withReplaySession(loaded, options, async (replay, session) => {
    // A run builds its generator for the broker's payload limit; the same limit makes the same samples at each path.
    const source = generated === undefined ? undefined : await buildSampleSource(loaded, { maxPayloadBytes: session.maxPayloadBytes, frameMaxBytes: session.frameMaxBytes });
    const observation = await replay(samples);
    if (observation.kind !== "failure") return { kind: "passes", observation };
    if (expectedSignature !== undefined && observation.signature !== expectedSignature) return { kind: "fails-differently", observation, expectedSignature };
    const culprit = samples.at(-1)!;
    const shrunk = await shrinkReproducer(
      { prefix: samples.slice(0, -1), culprit, samplePath: generated?.samplePath, seed: generated?.seed, source, protobuf: "proto" in loaded.scenario.schema },
      observation.signature,
      replay,
      { ...DEFAULT_SHRINK_LIMITS, ...options.shrink },
    );
    return { kind: "shrunk", detector: observation.detector, signature: observation.signature, originalBytes: culprit.bytes.length, shrunk, observation: shrunk.observation ?? observation };
  });
}

/**
 * Shrinks a corpus case in place: case.json records the signature and the
 * shrink, payload.bin the minimal payload, original.bin the payload as first
 * stored (kept across repeated shrinks). Nothing is written when no smaller
 * payload failed.
 */
export async function shrinkCase(dir: string, options: StoredShrinkOptions = {}): Promise<StoredShrinkResult & { stored: StoredCase }> {
  const stored = await readCase(dir);
  const loaded = await loadFor(options.scenarioFile ?? caseScenarioFile(stored), `corpus case ${stored.case.id}`);
  assertSamePayloadType({ name: `corpus case ${stored.case.id}`, payloadType: stored.case.payloadType }, loaded, options.anyScenario === true);
  const { source } = stored.case;
  const generated = source.kind === "finding" && source.samplePath !== undefined ? { seed: source.seed, samplePath: source.samplePath } : undefined;
  const result = await shrinkMessages(loaded, stored.samples, stored.case.signature, generated, options);
  if (result.kind !== "shrunk" || !result.shrunk.smaller) return { ...result, stored };

  const { shrunk } = result;
  const culprit = stored.samples.at(-1)!;
  const kase = { ...stored.case, detector: result.detector, signature: result.signature };
  kase.messages = kase.messages.map((message, index) => (index === kase.messages.length - 1 ? { ...message, headers: shrunk.culprit.headers } : message));
  if (source.kind === "finding" && shrunk.samplePath !== undefined) kase.source = { ...source, samplePath: shrunk.samplePath };
  kase.shrink = { method: shrunk.method, replays: shrunk.replays, durationMs: shrunk.durationMs, stoppedBy: shrunk.stoppedBy, originalFile: ORIGINAL_FILE };
  const original = stored.original ?? culprit.bytes;
  await writeCase(dirname(stored.dir), kase, [...stored.samples.slice(0, -1), shrunk.culprit], original);
  return { ...result, stored: await readCase(stored.dir) };
}

/**
 * Shrinks a finding directory in place, as a run does after attribution.
 * The evidence is replaced by that of the replay in which the minimal
 * payload failed. Nothing is written when no smaller payload failed.
 */
export async function shrinkFindingDir(dir: string, options: StoredShrinkOptions = {}): Promise<StoredShrinkResult & { finding: Finding }> {
  const finding = await readFinding(dir);
  if (finding.messages.length === 0) throw new ConfigError(`finding ${finding.id} has no messages to shrink (it was never attributed)`, { value: dir, hint: "rerun the scenario to attribute it" });
  const loaded = await loadFor(options.scenarioFile ?? finding.scenarioFile, `finding ${finding.id}`);
  await assertScenarioFits(finding, loaded, options.anyScenario);
  const samplePath = finding.culprit.samplePath;
  const generated = samplePath === undefined ? undefined : { seed: finding.seed, samplePath };
  const result = await shrinkMessages(loaded, finding.messages.map(reproToSample), finding.signature, generated, options);
  if (result.kind !== "shrunk" || !result.shrunk.smaller) return { ...result, finding };

  const { shrunk } = result;
  const minimal: ReproMessage = { ...finding.culprit, samplePath: shrunk.samplePath ?? finding.culprit.samplePath, base64: Buffer.from(shrunk.culprit.bytes).toString("base64"), headers: shrunk.culprit.headers };
  const updated: Finding = {
    ...finding,
    culprit: minimal,
    messages: [...finding.messages.slice(0, -1), minimal],
    shrink: { method: shrunk.method, original: finding.shrink?.original ?? finding.culprit, replays: shrunk.replays, durationMs: shrunk.durationMs, stoppedBy: shrunk.stoppedBy },
    evidence: withReplayEvidence(finding.evidence, result.observation),
  };
  await writeFinding(dirname(finding.dir), updated);
  return { ...result, finding: updated };
}
