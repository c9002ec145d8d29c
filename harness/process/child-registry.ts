import type { ChildProcess } from "node:child_process";
import { onInterrupt } from "./shutdown.ts";

/**
 * Every process group the harness started and has not yet reaped. On exit,
 * SIGINT, SIGTERM or SIGHUP of the harness each group gets SIGKILL, so an
 * interrupted run leaves no consumer or broker behind. shutdown.ts owns the
 * signal handlers and the exit code. A SIGKILL of the harness itself cannot
 * be caught; children started then outlive it.
 */
const liveGroups = new Set<number>();
let hooksInstalled = false;

function killAllSync(): void {
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  liveGroups.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on("exit", killAllSync);
  // Synchronous, so the groups are dead before the slower cleanups (container
  // removal) finish and the harness exits.
  onInterrupt("process groups", killAllSync);
}

/** Registers a child started with `detached: true` (it leads its own process group). */
export function trackProcessGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  installHooks();
  const pgid = child.pid;
  liveGroups.add(pgid);
  child.once("exit", () => {
    // The leader is gone, but members of its group may live on: kill them too.
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // No member left.
    }
    liveGroups.delete(pgid);
  });
}

/** Sends a signal to a whole process group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Process group ids the harness still owns; used by tests to prove nothing leaks. */
export function liveProcessGroups(): number[] {
  return [...liveGroups];
}
