import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openBrokerSession } from "../brokers/open-session.ts";
import type { BrokerSession } from "../brokers/types.ts";
import type { EventListener } from "../events.ts";
import { QUEUE_MONITORS, resourceMonitors } from "../run/monitors/index.ts";
import { observeReplay } from "../run/observe.ts";
import { resolveSettings } from "../run/settings.ts";
import type { LoadedScenario } from "../scenario/load.ts";
import type { ProvisionChoice } from "../scenario/types.ts";
import type { ReplayMessages } from "./shrink-reproducer.ts";

export interface ReplaySessionOptions {
  brokerUrl?: string;
  allowRemoteBroker?: boolean;
  provision?: ProvisionChoice;
  onEvent?: EventListener;
}

/**
 * Opens a broker session for `loaded` and hands `use` a function that
 * replays messages against a fresh consumer start each time. Consumer state
 * directories go to a temporary directory, removed afterwards with the
 * session.
 */
export async function withReplaySession<T>(loaded: LoadedScenario, options: ReplaySessionOptions, use: (replay: ReplayMessages, session: BrokerSession) => Promise<T>): Promise<T> {
  const runTag = randomBytes(3).toString("hex");
  const stateRoot = await mkdtemp(join(tmpdir(), `poisonpill-replay-${runTag}-`));
  let session;
  try {
    session = await openBrokerSession(loaded.scenario, options, runTag);
  } catch (error) {
    await rm(stateRoot, { recursive: true, force: true });
    throw error;
  }
  const settings = resolveSettings(loaded.scenario);
  // The same detectors as a run, so a replay reports the signature the run recorded.
  const context = { loaded, session, settings, stateRoot, onEvent: options.onEvent, monitors: [...resourceMonitors(loaded, settings), ...QUEUE_MONITORS] };
  let replays = 0;
  try {
    const replay: ReplayMessages = (samples) => {
      replays += 1;
      return observeReplay(context, samples, `t${replays}`);
    };
    return await use(replay, session);
  } finally {
    await session.close();
    await rm(stateRoot, { recursive: true, force: true });
  }
}
