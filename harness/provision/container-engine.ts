import { request } from "node:http";
import createDebug from "debug";
import { getContainerRuntimeClient } from "testcontainers";
import { isLoopbackHost } from "../brokers/url-guard.ts";
import { describeThrown } from "../errors.ts";

const debug = createDebug("poisonpill:provision");

/** Label on every container poisonpill starts; its value is the run id. */
export const RUN_LABEL = "poisonpill.run";

/** Label whose value is unique per container, to remove exactly one after a failed start. */
export const CONTAINER_LABEL = "poisonpill.container";

/**
 * Limit for the engine's `_ping`. Podman's API service returns it in about
 * 60 ms on a 2-core VM, so 2 s means the engine is absent or hung.
 */
const PING_TIMEOUT_MS = 2_000;

/** Address of a Docker-API engine: a unix socket path, or a loopback host and port. */
type EngineAddress = { socketPath: string } | { host: string; port: number };

/**
 * Reads DOCKER_HOST (default unix:///var/run/docker.sock). Returns a reason
 * string for an address this harness will not use, such as a remote host.
 */
function engineAddress(): EngineAddress | string {
  const dockerHost = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
  if (dockerHost.startsWith("unix://")) return { socketPath: dockerHost.slice("unix://".length) };
  if (dockerHost.startsWith("tcp://")) {
    let parsed: URL;
    try {
      parsed = new URL(`http://${dockerHost.slice("tcp://".length)}`);
    } catch {
      return `DOCKER_HOST=${dockerHost} is not a valid tcp:// address`;
    }
    const host = parsed.hostname.replace(/^\[|\]$/g, "");
    if (!isLoopbackHost(host)) return `DOCKER_HOST=${dockerHost} is not on the loopback interface`;
    return { host, port: Number(parsed.port || 2375) };
  }
  return `DOCKER_HOST=${dockerHost} has an unsupported scheme (expected unix:// or tcp://)`;
}

/**
 * Checks whether a Docker-API engine returns `OK` to `GET /_ping` at
 * DOCKER_HOST (or /var/run/docker.sock) within 2 s. Never throws: any
 * failure, and a DOCKER_HOST that is not local, yields false.
 */
export async function engineAvailable(): Promise<boolean> {
  const address = engineAddress();
  if (typeof address === "string") {
    debug("Container engine not used: %s", address);
    return false;
  }
  return new Promise((resolve) => {
    const settle = (available: boolean, reason: string): void => {
      debug("Container engine %s: %s", available ? "available" : "unavailable", reason);
      resolve(available);
    };
    try {
      const req = request({ ...address, path: "/_ping", method: "GET", timeout: PING_TIMEOUT_MS }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (body.length < 100) body += chunk;
        });
        res.on("end", () => settle(res.statusCode === 200 && body.trim() === "OK", `_ping returned ${res.statusCode} ${body.slice(0, 100)}`));
        res.on("error", (error) => settle(false, describeThrown(error)));
      });
      req.on("timeout", () => req.destroy(new Error(`_ping timed out after ${PING_TIMEOUT_MS} ms`)));
      req.on("error", (error) => settle(false, describeThrown(error)));
      req.end();
    } catch (error) {
      // request() throws at once on invalid options, such as a port out of range.
      settle(false, describeThrown(error));
    }
  });
}

/**
 * Force-removes every container labelled `poisonpill.run` (with any value,
 * or only `runLabel` when given), running or not. Meant for the end of a run
 * and for interruption, because the Testcontainers reaper is not used. Returns
 * how many containers were removed. Returns 0 without an engine. Failures to
 * remove a single container are logged and skipped.
 */
export async function removeLeftoverContainers(runLabel?: string): Promise<number> {
  if (!(await engineAvailable())) return 0;
  const filter = runLabel === undefined ? RUN_LABEL : `${RUN_LABEL}=${runLabel}`;
  return removeContainersByLabel(filter);
}

/** Force-removes the containers matching a Docker label filter (`key` or `key=value`). */
export async function removeContainersByLabel(labelFilter: string): Promise<number> {
  const client = await getContainerRuntimeClient();
  const dockerode = client.container.dockerode;
  const containers = await dockerode.listContainers({ all: true, filters: { label: [labelFilter] } });
  let removed = 0;
  for (const info of containers) {
    try {
      await dockerode.getContainer(info.Id).remove({ force: true, v: true });
      removed += 1;
      debug("Removed container %s (%s, label %s)", info.Id.slice(0, 12), info.Image, labelFilter);
    } catch (error) {
      debug("Failed to remove container %s: %s", info.Id.slice(0, 12), describeThrown(error));
    }
  }
  return removed;
}
