import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { OutputTail } from "../consumer/output-tail.ts";
import { ConfigError, describeThrown } from "../errors.ts";
import { trackProcessGroup } from "../process/child-registry.ts";
import { stopProcessGroup } from "../process/stop-child.ts";
import type { CommandInvariant, InvariantConfig } from "../scenario/types.ts";
import type { ConsumerStart } from "./consumer-start.ts";
import { expandPlaceholders } from "./placeholders.ts";

export interface InvariantViolation {
  name: string;
  /** What the invariant reported. */
  output: string;
}

/** Time an invariant command may take; a check reads a state file, so ten seconds is generous. */
const INVARIANT_COMMAND_TIMEOUT_MS = 10_000;

async function runCommandInvariant(invariant: CommandInvariant, start: ConsumerStart): Promise<InvariantViolation | undefined> {
  const messagesFile = await start.syncMessagesFile();
  const values = { ...start.placeholders, messagesFile };
  const [program, ...args] = invariant.command.map((part, i) => expandPlaceholders(part, values, `invariants "${invariant.name}" command[${i}]`));
  const child = spawn(program!, args, {
    cwd: start.context.loaded.baseDir,
    env: { ...process.env, POISONPILL_STATE_DIR: start.stateDir, POISONPILL_MESSAGES_FILE: messagesFile },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = new OutputTail(60);
  child.stdout!.on("data", (chunk: Buffer) => output.push(chunk));
  child.stderr!.on("data", (chunk: Buffer) => output.push(chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void stopProcessGroup(child, 500);
  }, INVARIANT_COMMAND_TIMEOUT_MS);
  const result = await new Promise<{ code: number | null; signal: string | null } | { error: NodeJS.ErrnoException }>((resolveResult) => {
    child.once("error", (error) => resolveResult({ error }));
    child.once("spawn", () => trackProcessGroup(child));
    child.once("close", (code, signal) => resolveResult({ code, signal }));
  });
  clearTimeout(timer);
  if ("error" in result) {
    throw new ConfigError(`invariant "${invariant.name}" command "${program}" could not be started (${result.error.code ?? result.error.message})`, {
      value: invariant.command,
      hint: `check the command; relative paths resolve from ${resolve(start.context.loaded.baseDir)}`,
      cause: result.error,
    });
  }
  if (timedOut) return { name: invariant.name, output: `the command did not finish within ${INVARIANT_COMMAND_TIMEOUT_MS} ms; ${output.tail(10)}` };
  if (result.code === 0) return undefined;
  return { name: invariant.name, output: output.tail(40) || `exited with code ${result.code}, signal ${result.signal}` };
}

async function runInvariant(invariant: InvariantConfig, start: ConsumerStart): Promise<InvariantViolation | undefined> {
  if ("check" in invariant) {
    try {
      const verdict = await invariant.check({ stateDir: start.stateDir, messages: start.messages });
      if (verdict === undefined || verdict === true) return undefined;
      return { name: invariant.name, output: verdict === false ? "the check returned false" : String(verdict) };
    } catch (error) {
      return { name: invariant.name, output: `the check threw ${describeThrown(error)}` };
    }
  }
  return runCommandInvariant(invariant, start);
}

/** Runs the scenario's invariants in order; returns the first violation, or undefined when all hold. */
export async function checkInvariants(invariants: readonly InvariantConfig[], start: ConsumerStart): Promise<InvariantViolation | undefined> {
  for (const invariant of invariants) {
    const violation = await runInvariant(invariant, start);
    if (violation !== undefined) return violation;
  }
  return undefined;
}

