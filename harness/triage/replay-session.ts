import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openBrokerSession } from "../brokers/open-session.ts";
import type { EventListener } from "../events.ts";
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
export async function withReplaySession<T>(loaded: LoadedScenario, options: ReplaySessionOptions, use: (replay: ReplayMessages) => Promise<T>): Promise<T> {
  const runTag = randomBytes(3).toString("hex");
  const stateRoot = await mkdtemp(join(tmpdir(), `poisonpill-replay-${runTag}-`));
  let session;
  try {
    session = await openBrokerSession(loaded.scenario, options, runTag);
  } catch (error) {
    await rm(stateRoot, { recursive: true, force: true });
    throw error;
  }
  const context = { loaded, session, settings: resolveSettings(loaded.scenario), stateRoot, onEvent: options.onEvent };
  let replays = 0;
  try {
    return await use((samples) => {
      replays += 1;
      return observeReplay(context, samples, `t${replays}`);
    });
  } finally {
    await session.close();
    await rm(stateRoot, { recursive: true, force: true });
  }
}
