import { readFile, readdir } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Finds processes by an environment variable that the harness put into the
 * environment of a child it started. Every descendant inherits it, including
 * daemons that leave the child's process group (Erlang's `epmd -daemon`
 * calls setsid), so it identifies exactly the processes the harness started.
 * Linux only: reads /proc. Returns [] where /proc is missing.
 */
export async function processesWithEnvironmentEntry(entry: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir("/proc");
  } catch {
    return [];
  }
  const needle = Buffer.from(`\0${entry}\0`);
  const found: number[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    let environ: Buffer;
    try {
      environ = await readFile(`/proc/${name}/environ`);
    } catch {
      // Gone meanwhile, or owned by another user: not ours either way.
      continue;
    }
    // Entries are NUL-separated; a leading NUL lets the first entry match too.
    if (Buffer.concat([Buffer.from([0]), environ]).includes(needle)) found.push(Number(name));
  }
  return found;
}

/** True while the process exists and is not a zombie. */
export async function processRunning(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // The state letter follows the command name, which is in parentheses and may contain spaces.
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/**
 * Sends SIGKILL to each pid and waits up to `timeoutMs` until none runs.
 * Returns the pids still running after that.
 */
export async function killAndWait(pids: number[], timeoutMs: number): Promise<number[]> {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  const deadline = Date.now() + timeoutMs;
  let running = pids;
  while (running.length > 0 && Date.now() < deadline) {
    await sleep(50);
    const states = await Promise.all(running.map(processRunning));
    running = running.filter((_pid, index) => states[index]);
  }
  return running;
}
