import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import type { Sample } from "../../generators/sample.ts";
import { openBrokerSession } from "../brokers/open-session.ts";
import { ConfigError } from "../errors.ts";
import type { EventListener } from "../events.ts";
import type { Finding } from "../findings/types.ts";
import { FINDING_FORMAT_VERSION } from "../findings/write.ts";
import { loadScenario, type LoadedScenario } from "../scenario/load.ts";
import { observeReplay, type Observation } from "./observe.ts";
import { QUEUE_MONITORS, resourceMonitors } from "./monitors/index.ts";
import { resolveSettings } from "./settings.ts";
import { rm } from "node:fs/promises";
import { headersFromJson } from "../corpus/headers-json.ts";
import { assertSamePayloadType, payloadTypeOf } from "../corpus/payload-type.ts";

export interface ReplayResult {
  finding: Finding;
  observation: Observation;
  /** True when the consumer failed with the finding's signature. */
  stillFails: boolean;
}

/** Reads `<dir>/finding.json`, checking its format and version. */
export async function readFinding(dir: string): Promise<Finding> {
  const file = join(resolve(dir), "finding.json");
  let document: Record<string, unknown>;
  try {
    document = JSON.parse(await readFile(file, "utf8"), (key, value: unknown) => (key === "headers" && value !== null && typeof value === "object" ? headersFromJson(value) : value)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(code === "ENOENT" ? `${file} not found` : `${file} could not be read: ${(error as Error).message}`, {
      value: dir,
      hint: "pass a finding directory, e.g. poisonpill-out/findings/crash-1a2b3c4d5e",
      cause: error,
    });
  }
  if (document.format !== "poisonpill-finding" || document.version !== FINDING_FORMAT_VERSION) {
    throw new ConfigError(`${file} is not a poisonpill finding of format version ${FINDING_FORMAT_VERSION}`, { value: document.version, hint: "replay it with the poisonpill version that wrote it" });
  }
  return document as unknown as Finding;
}

/**
 * Returns the payload type a finding was recorded for: the stored one, else
 * that of the scenario file it names, else undefined (nothing to check against).
 */
export async function recordedPayloadType(finding: Finding): Promise<string | undefined> {
  if (finding.payloadType !== undefined) return finding.payloadType;
  if (finding.scenarioFile === undefined) return undefined;
  try {
    return payloadTypeOf((await loadScenario(finding.scenarioFile)).scenario);
  } catch {
    return undefined;
  }
}

/** Rejects a scenario of another payload type than the finding's, unless `anyScenario`. */
export async function assertScenarioFits(finding: Finding, loaded: LoadedScenario, anyScenario: boolean | undefined): Promise<void> {
  if (anyScenario === true) return;
  assertSamePayloadType({ name: `finding ${finding.id}`, payloadType: await recordedPayloadType(finding) }, loaded, false);
}

function toSample(message: Finding["messages"][number]): Sample {
  return { class: message.class, mutation: message.mutation, path: message.path, expect: message.expect, bytes: Buffer.from(message.base64, "base64"), headers: message.headers };
}

export interface ReplayFindingOptions {
  /** Scenario to replay against; default the one the finding names. */
  scenarioFile?: string;
  /** Accept a scenario whose payload type differs from the finding's. */
  anyScenario?: boolean;
  brokerUrl?: string;
  allowRemoteBroker?: boolean;
  onEvent?: EventListener;
}

/**
 * Sends a finding's messages to a fresh consumer of its scenario and reports
 * whether it still fails the same way. A scenario of another payload type
 * is a ConfigError unless `anyScenario` is set.
 */
export async function replayFinding(dir: string, options: ReplayFindingOptions = {}): Promise<ReplayResult> {
  const finding = await readFinding(dir);
  const scenarioFile = options.scenarioFile ?? finding.scenarioFile;
  if (scenarioFile === undefined) throw new ConfigError(`finding ${finding.id} names no scenario file`, { hint: "pass --scenario FILE" });
  if (finding.messages.length === 0) throw new ConfigError(`finding ${finding.id} has no messages to replay (it was never attributed)`, { value: dir, hint: "rerun the scenario to attribute it" });
  const loaded: LoadedScenario = await loadScenario(scenarioFile);
  await assertScenarioFits(finding, loaded, options.anyScenario);
  const runTag = randomBytes(3).toString("hex");
  const session = await openBrokerSession(loaded.scenario, options, runTag);
  const stateRoot = join(resolve(dir), "..", "..", ".state", runTag);
  try {
    const settings = resolveSettings(loaded.scenario);
    // NOTE: a memory-growth finding needs a class flood, not a replay of its sample, to show again; replay reports it as not failing.
    const context = { loaded, session, settings, stateRoot, onEvent: options.onEvent, monitors: [...resourceMonitors(loaded, settings), ...QUEUE_MONITORS] };
    const observation = await observeReplay(context, finding.messages.map(toSample), "replay");
    const stillFails = observation.kind === "failure" && observation.signature === finding.signature;
    return { finding, observation, stillFails };
  } finally {
    await session.close();
    await rm(stateRoot, { recursive: true, force: true });
  }
}
