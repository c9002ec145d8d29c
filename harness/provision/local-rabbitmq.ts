import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import createDebug from "debug";
import { EnvironmentError } from "../errors.ts";
import { trackProcessGroup } from "../process/child-registry.ts";
import { onInterrupt } from "../process/shutdown.ts";
import { stopProcessGroup } from "../process/stop-child.ts";
import { freePort } from "./free-port.ts";
import { killAndWait, processesWithEnvironmentEntry } from "./owned-processes.ts";
import { rabbitMqConfig, rabbitMqEnabledPlugins, rabbitMqNodeEnvironment, type RabbitMqNodePorts } from "./rabbitmq-node-config.ts";
import type { ProvisionedBroker } from "./types.ts";
import { waitForAmqp } from "./wait-for-amqp.ts";
import { waitForTcpPort } from "./wait-for-port.ts";

const debug = createDebug("poisonpill:provision");

/**
 * The server start script itself. Debian's /usr/sbin/rabbitmq-server is a
 * wrapper that switches to the rabbitmq user, whose files a private node must
 * not share, so the script behind it is run directly.
 */
export const DEBIAN_SERVER_SCRIPT = "/usr/lib/rabbitmq/bin/rabbitmq-server";

/** Environment variable, set to a unique value, that marks every process of one private node. */
const OWNER_VARIABLE = "POISONPILL_RABBITMQ_OWNER";

/** Characters of the node's output kept for error messages. */
const OUTPUT_TAIL_CHARS = 4_000;

export interface LocalRabbitMqOptions {
  /** Path of the `rabbitmq-server` start script. Default: /usr/lib/rabbitmq/bin/rabbitmq-server if present, else `rabbitmq-server` from PATH. */
  serverScript?: string;
  /** Enable the management plugin on a free 127.0.0.1 port and set `monitorUrl`. Default true. */
  management?: boolean;
  /**
   * Time for the node to accept an AMQP connection. Default 60_000 ms.
   * A start of RabbitMQ 3.10.8 (Erlang 25) with the management plugin took
   * 3.8-4.9 s on a 2-core Debian 12 VM, measured by
   * test/provision/local-rabbitmq.test.ts; the default leaves room for a
   * loaded CI host.
   */
  startTimeoutMs?: number;
  /**
   * Time between SIGTERM and SIGKILL on stop. Default 2_000 ms. The node's data
   * is deleted anyway, and a clean shutdown with the management plugin takes
   * over 5 s.
   */
  stopGraceMs?: number;
  /** Extra rabbitmq.conf lines, e.g. `max_message_size = 1024` for a test that needs a small limit. */
  extraConfig?: string[];
}

/** A private node started by `startLocalRabbitMq`. */
export interface LocalRabbitMqBroker extends ProvisionedBroker {
  pid: number;
  /** Erlang node name, `poisonpill-<id>@localhost`. */
  nodeName: string;
  /** Port of the node's own epmd on 127.0.0.1. */
  epmdPort: number;
  /** Process ids of every process that belongs to this node, including its epmd. */
  processIds(): Promise<number[]>;
}

/**
 * Starts a private RabbitMQ node as a child of the harness, in its own
 * process group. The node gets its own node name and free 127.0.0.1 ports
 * for AMQP, epmd, distribution and management. Its Erlang cookie, database,
 * logs and configuration live in a temporary directory. A RabbitMQ already
 * running on the machine (5672, epmd on 4369) is therefore neither used nor
 * disturbed. `stop()` ends the node and its epmd and deletes the directory.
 */
export async function startLocalRabbitMq(options: LocalRabbitMqOptions = {}): Promise<LocalRabbitMqBroker> {
  const serverScript = options.serverScript ?? (existsSync(DEBIAN_SERVER_SCRIPT) ? DEBIAN_SERVER_SCRIPT : "rabbitmq-server");
  const management = options.management ?? true;
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const stopGraceMs = options.stopGraceMs ?? 2_000;
  const startedAt = Date.now();

  const id = randomUUID().slice(0, 8);
  const nodeName = `poisonpill-${id}@localhost`;
  const ownerToken = randomUUID();
  const ownerEntry = `${OWNER_VARIABLE}=${ownerToken}`;
  const ports: RabbitMqNodePorts = {
    amqpPort: await freePort(),
    epmdPort: await freePort(),
    distributionPort: await freePort(),
    managementPort: management ? await freePort() : undefined,
  };
  const directory = await mkdtemp(join(tmpdir(), "poisonpill-rabbitmq-"));
  const env = await writeNodeFiles(directory, nodeName, ports, management, options.extraConfig ?? []);

  debug("Starting RabbitMQ node %s from %s in %s", nodeName, serverScript, directory);
  const child = spawn(serverScript, [], {
    detached: true,
    cwd: directory,
    env: { ...inheritedEnvironment(), ...env, [OWNER_VARIABLE]: ownerToken },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // The registry kills this process group at once on exit or a signal. The
  // node's epmd runs in a session of its own, so a signal also runs stop()
  // (registered below), which finds epmd by the owner marker.
  trackProcessGroup(child);

  let output = "";
  const keepOutput = (chunk: Buffer): void => {
    output = (output + chunk.toString("utf8")).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout!.on("data", keepOutput);
  child.stderr!.on("data", keepOutput);
  let exitReason: string | undefined;
  child.once("exit", (code, signal) => {
    exitReason = `exited with code ${code}, signal ${signal}`;
  });
  child.once("error", (error: NodeJS.ErrnoException) => {
    exitReason = error.code === "ENOENT" ? `${serverScript} not found: install rabbitmq-server (Debian: apt-get install rabbitmq-server)` : `spawn failed: ${error.message}`;
  });

  const processIds = (): Promise<number[]> => processesWithEnvironmentEntry(ownerEntry);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    debug("Stopping RabbitMQ node %s (pid %d)", nodeName, child.pid);
    await stopProcessGroup(child, stopGraceMs);

    // epmd and beam's helper programs (erl_child_setup, inet_gethost) run in
    // sessions of their own. The marker in their environment finds them.
    const leftovers = await processIds();
    const stillRunning = await killAndWait(leftovers, 2_000);
    if (stillRunning.length > 0) debug("Processes of node %s still running after SIGKILL: %o", nodeName, stillRunning);
    await rm(directory, { recursive: true, force: true });
    forgetOnInterrupt();
    debug("Stopped RabbitMQ node %s; killed %d leftover process(es)", nodeName, leftovers.length);
  };
  const forgetOnInterrupt = onInterrupt(`stop RabbitMQ node ${nodeName}`, stop);

  const url = `amqp://guest:guest@127.0.0.1:${ports.amqpPort}`;
  try {
    const serverName = `RabbitMQ node ${nodeName}`;
    await waitForTcpPort(ports.amqpPort, { timeoutMs: startTimeoutMs, serverName, failure: () => exitReason });
    await waitForAmqp(url, { timeoutMs: Math.max(1_000, startTimeoutMs - (Date.now() - startedAt)), serverName });
  } catch (error) {
    await stop();
    if (error instanceof EnvironmentError) error.message += `; node output: ${output.trim().slice(-1_000) || "(none)"}`;
    throw error;
  }

  // Drain the output from now on so a full pipe never blocks the node.
  child.stdout!.off("data", keepOutput);
  child.stderr!.off("data", keepOutput);
  child.stdout!.resume();
  child.stderr!.resume();
  debug("Started RabbitMQ node %s (pid %d) on 127.0.0.1:%d in %d ms", nodeName, child.pid, ports.amqpPort, Date.now() - startedAt);

  return {
    family: "rabbitmq",
    url,
    monitorUrl: ports.managementPort === undefined ? undefined : `http://127.0.0.1:${ports.managementPort}`,
    via: "local",
    pid: child.pid!,
    nodeName,
    epmdPort: ports.epmdPort,
    processIds,
    stop,
  };
}

/**
 * Writes the node's configuration files into `directory` and returns the
 * environment that points the start script at them and at private data and
 * log directories.
 */
async function writeNodeFiles(directory: string, nodeName: string, ports: RabbitMqNodePorts, management: boolean, extraConfig: readonly string[]): Promise<Record<string, string>> {
  const configFile = join(directory, "rabbitmq.conf");
  const pluginsFile = join(directory, "enabled_plugins");
  // An empty env file replaces /etc/rabbitmq/rabbitmq-env.conf, which may set
  // NODENAME or ERL_FLAGS for the system broker.
  const envFile = join(directory, "rabbitmq-env.conf");
  await writeFile(configFile, rabbitMqConfig(ports) + extraConfig.map((line) => `${line}\n`).join(""));
  await writeFile(pluginsFile, rabbitMqEnabledPlugins(management));
  await writeFile(envFile, "");

  return {
    ...rabbitMqNodeEnvironment(nodeName, ports),
    // The Erlang cookie is created in $HOME.
    HOME: directory,
    RABBITMQ_CONFIG_FILE: configFile,
    RABBITMQ_CONF_ENV_FILE: envFile,
    RABBITMQ_ENABLED_PLUGINS_FILE: pluginsFile,
    // Not created: keeps /etc/rabbitmq/advanced.config of the system broker out.
    RABBITMQ_ADVANCED_CONFIG_FILE: join(directory, "advanced.config"),
    RABBITMQ_MNESIA_BASE: join(directory, "mnesia"),
    RABBITMQ_LOG_BASE: join(directory, "log"),
    RABBITMQ_LOGS: "-",
  };
}

/** Returns the harness's environment without RabbitMQ and Erlang settings meant for some other node. */
function inheritedEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(RABBITMQ_|ERL_|ERLANG_)/.test(name)));
}
