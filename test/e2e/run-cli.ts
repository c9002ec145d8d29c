import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { killMarked, markedSurvivors, PROCESS_MARK_VARIABLE } from "./processes.ts";

/** Repository root: the CLI runs from here, as `npx poisonpill` would. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Time between SIGTERM and SIGKILL when a CLI run overstays its timeout. */
const KILL_GRACE_MS = 5_000;

export interface CliResult {
  /** Exit code, or null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** True when the run was killed for exceeding its timeout. */
  timedOut: boolean;
  /** Value of POISONPILL_E2E_MARK in the environment of the run and everything it started. */
  mark: string;
}

export interface CliOptions {
  /** Hard limit in milliseconds. The run then gets SIGTERM, and SIGKILL 5 s later. */
  timeoutMs: number;
  env?: Record<string, string>;
}

/**
 * Runs `node bin/poisonpill.mjs <args>` from the repository root. Broker URL
 * variables are removed from its environment, so a run starts its own
 * private nats-server unless the arguments name a broker.
 */
export async function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  const mark = randomBytes(6).toString("hex");
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, [PROCESS_MARK_VARIABLE]: mark };
  delete env.POISONPILL_NATS_URL;
  delete env.POISONPILL_AMQP_URL;

  const startedAt = Date.now();
  const child = spawn(process.execPath, ["bin/poisonpill.mjs", ...args], { cwd: REPO_ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));

  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const timeoutTimer = setTimeout(() => {
    timedOut = true;
    // SIGTERM lets the CLI stop its broker and consumer. SIGKILL follows if it does not exit.
    child.kill("SIGTERM");
    killTimer = setTimeout(() => {
      child.kill("SIGKILL");
      // A descendant holding the output pipes open would delay "close" for ever.
      void killMarked(mark);
    }, KILL_GRACE_MS);
  }, options.timeoutMs);

  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  });
  clearTimeout(timeoutTimer);
  clearTimeout(killTimer);
  if (timedOut) await killMarked(mark);

  return {
    code,
    signal,
    stdout: Buffer.concat(stdout).toString("utf8"),
    stderr: Buffer.concat(stderr).toString("utf8"),
    durationMs: Date.now() - startedAt,
    timedOut,
    mark,
  };
}

/** Runs the CLI like `runCli`, then asserts that it finished in time and that no process it started is left. */
export async function runCliChecked(args: string[], options: CliOptions): Promise<CliResult> {
  const result = await runCli(args, options);
  try {
    expect(result.timedOut, `stderr: ${result.stderr}`).toBe(false);
    expect(await markedSurvivors(result.mark)).toEqual([]);
  } finally {
    await killMarked(result.mark);
  }
  return result;
}
