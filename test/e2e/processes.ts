import { readdir, readFile } from "node:fs/promises";

/**
 * Environment variable the end-to-end tests set on every process they start.
 * Children inherit it (the harness passes its environment on to consumers,
 * brokers and invariant commands), so /proc shows whatever a run left behind.
 */
export const PROCESS_MARK_VARIABLE = "POISONPILL_E2E_MARK";

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * True while `pid` names a running process. `process.kill(pid, 0)` alone also
 * succeeds for a zombie, and the init process of a container may never reap
 * orphans, so a zombie counts as gone.
 */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // The state letter follows the parenthesised command name, which may itself contain ") ".
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** PIDs of live processes whose environment carries `mark` (Linux /proc; other users' processes are skipped). */
export async function markedProcesses(mark: string): Promise<number[]> {
  const needle = `\0${PROCESS_MARK_VARIABLE}=${mark}\0`;
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let environ: string;
    try {
      environ = `\0${await readFile(`/proc/${pid}/environ`, "latin1")}`;
    } catch {
      continue;
    }
    if (environ.includes(needle) && (await isAlive(pid))) found.push(pid);
  }
  return found;
}

/**
 * Waits up to `timeoutMs` for every PID in `pids` to be gone and returns the
 * ones still alive. A SIGKILL is delivered at once but the process takes a
 * few milliseconds to disappear, hence the short wait.
 */
export async function survivors(pids: Iterable<number>, timeoutMs = 3_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = [...pids];
  for (;;) {
    const checks = await Promise.all(alive.map(async (pid) => ((await isAlive(pid)) ? pid : undefined)));
    alive = checks.filter((pid): pid is number => pid !== undefined);
    if (alive.length === 0 || Date.now() >= deadline) return alive;
    await delay(50);
  }
}

/** Like `survivors`, for every process carrying `mark`. */
export async function markedSurvivors(mark: string, timeoutMs = 3_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = await markedProcesses(mark);
    if (alive.length === 0 || Date.now() >= deadline) return alive;
    await delay(50);
  }
}

/** SIGKILLs every process carrying `mark`: clean-up after a failed assertion, so a test never leaks processes. */
export async function killMarked(mark: string): Promise<void> {
  for (const pid of await markedProcesses(mark)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Exited in the meantime.
    }
  }
}
