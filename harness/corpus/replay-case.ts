import { dirname } from "node:path";
import { ConfigError } from "../errors.ts";
import type { Observation } from "../run/observe.ts";
import { loadScenario } from "../scenario/load.ts";
import { withReplaySession, type ReplaySessionOptions } from "../triage/replay-session.ts";
import { assertSamePayloadType } from "./payload-type.ts";
import { caseScenarioFile, readCase, writeCase, type StoredCase } from "./store.ts";

export interface CaseReplayResult {
  stored: StoredCase;
  observation: Observation;
  /** True when the consumer failed with the case's signature (with any failure for a case that has none yet). */
  stillFails: boolean;
}

/**
 * Sends a corpus case's messages to a fresh consumer of its scenario. A case
 * imported without a signature gets the one observed here written to
 * case.json, so later replays and shrinks compare against it. A scenario of
 * another payload type is a ConfigError unless `anyScenario` is set.
 */
export async function replayCaseDir(dir: string, options: ReplaySessionOptions & { scenarioFile?: string; anyScenario?: boolean } = {}): Promise<CaseReplayResult> {
  const stored = await readCase(dir);
  const scenarioFile = options.scenarioFile ?? caseScenarioFile(stored);
  if (scenarioFile === undefined) throw new ConfigError(`corpus case ${stored.case.id} names no scenario file`, { value: dir, hint: "pass --scenario FILE" });
  const loaded = await loadScenario(scenarioFile);
  assertSamePayloadType({ name: `corpus case ${stored.case.id}`, payloadType: stored.case.payloadType }, loaded, options.anyScenario === true);
  const observation = await withReplaySession(loaded, options, (replay) => replay(stored.samples));
  const expected = stored.case.signature;
  const stillFails = observation.kind === "failure" && (expected === undefined || observation.signature === expected);
  if (observation.kind === "failure" && expected === undefined) {
    const kase = { ...stored.case, detector: observation.detector, signature: observation.signature };
    await writeCase(dirname(stored.dir), kase, stored.samples, stored.original);
    return { stored: { ...stored, case: kase }, observation, stillFails };
  }
  return { stored, observation, stillFails };
}
