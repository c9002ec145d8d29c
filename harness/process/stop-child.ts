import type { ChildProcess } from "node:child_process";
import { signalGroup } from "./child-registry.ts";

/**
 * Stops a child that leads its own process group: SIGTERM to the group, then
 * SIGKILL once `graceMs` has passed. Resolves when the leader has exited.
 */
export async function stopProcessGroup(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.pid === undefined) return;
  if (child.exitCode !== null || child.signalCode !== null) {
    signalGroup(child.pid, "SIGKILL");
    return;
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  signalGroup(child.pid, "SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), graceMs);
  });
  const outcome = await Promise.race([exited.then(() => "exited" as const), deadline]);
  clearTimeout(timer);
  if (outcome === "timeout") {
    signalGroup(child.pid, "SIGKILL");
    await exited;
  }
  // Members of the group that ignored SIGTERM while the leader exited.
  signalGroup(child.pid, "SIGKILL");
}
