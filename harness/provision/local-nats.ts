import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import createDebug from "debug";
import { EnvironmentError } from "../errors.ts";
import { trackProcessGroup } from "../process/child-registry.ts";
import { onInterrupt } from "../process/shutdown.ts";
import { stopProcessGroup } from "../process/stop-child.ts";
import { freePort } from "./free-port.ts";
import type { ProvisionedBroker } from "./types.ts";

const debug = createDebug("poisonpill:provision");

export interface LocalNatsOptions {
  /** Path or name of the server binary. Default `nats-server` (from PATH). */
  binary?: string;
  /** How long to wait for "Server is ready". Default 15_000 ms: a cold start takes well under a second here. */
  startTimeoutMs?: number;
}

/**
 * Starts a private `nats-server -js` bound to 127.0.0.1 on free ports, with
 * its own store directory and the HTTP monitoring endpoint enabled. The
 * server is a child of the harness and is stopped by `stop()`.
 */
export async function startLocalNats(options: LocalNatsOptions = {}): Promise<ProvisionedBroker> {
  const binary = options.binary ?? "nats-server";
  const startTimeoutMs = options.startTimeoutMs ?? 15_000;
  const storeDir = await mkdtemp(join(tmpdir(), "poisonpill-nats-"));
  const port = await freePort();
  const monitorPort = await freePort();
  const args = ["-js", "-a", "127.0.0.1", "-p", String(port), "-m", String(monitorPort), "-sd", storeDir];

  debug("Starting %s %s", binary, args.join(" "));
  const child = spawn(binary, args, { detached: true, stdio: ["ignore", "ignore", "pipe"] });
  trackProcessGroup(child);

  let log = "";
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new EnvironmentError(`nats-server did not report "Server is ready" within ${startTimeoutMs} ms`, { value: binary, hint: `check its output: ${log.slice(-300)}` }));
    }, startTimeoutMs);
    child.stderr!.on("data", (chunk: Buffer) => {
      if (log.length < 64_000) log += chunk.toString("utf8");
      if (log.includes("Server is ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const missing = error.code === "ENOENT";
      reject(
        new EnvironmentError(missing ? `nats-server binary "${binary}" not found` : `could not start ${binary}: ${error.message}`, {
          value: binary,
          hint: missing ? "install nats-server (Debian: apt-get install nats-server), or give a broker URL with --broker-url or POISONPILL_NATS_URL" : "check the binary and its permissions",
          cause: error,
        }),
      );
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new EnvironmentError(`nats-server exited during start-up (code ${code}, signal ${signal})`, { value: binary, hint: `its output: ${log.slice(-300)}` }));
    });
  });

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    child.stderr?.removeAllListeners("data");
    await stopProcessGroup(child, 5_000);
    await rm(storeDir, { recursive: true, force: true });
    forgetOnInterrupt();
    debug("Stopped nats-server pid %d", child.pid);
  };
  // The process registry kills the server on a signal; this also deletes its store.
  const forgetOnInterrupt = onInterrupt(`stop nats-server pid ${child.pid}`, stop);

  try {
    await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  // The server keeps writing to stderr; drain it so a full pipe never blocks it.
  child.stderr!.removeAllListeners("data");
  child.stderr!.resume();
  debug("Started nats-server pid %d on 127.0.0.1:%d", child.pid, port);
  return {
    family: "nats",
    url: `nats://127.0.0.1:${port}`,
    monitorUrl: `http://127.0.0.1:${monitorPort}`,
    via: "local",
    pid: child.pid,
    stop,
  };
}
