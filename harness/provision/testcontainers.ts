import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import createDebug from "debug";
import {
  GenericContainer,
  ImageName,
  Wait,
  getContainerRuntimeClient,
  type ContainerRuntimeClient,
  type ImagePullPolicy,
  type StartedTestContainer,
} from "testcontainers";
import { EnvironmentError, describeThrown } from "../errors.ts";
import { onInterrupt } from "../process/shutdown.ts";
import { CONTAINER_LABEL, RUN_LABEL, engineAvailable, removeContainersByLabel } from "./container-engine.ts";
import { freePort } from "./free-port.ts";
import { rabbitMqConfig, rabbitMqEnabledPlugins, rabbitMqNodeEnvironment } from "./rabbitmq-node-config.ts";
import type { BrokerFamily, ProvisionedBroker } from "./types.ts";
import { waitForAmqp } from "./wait-for-amqp.ts";
import { waitForTcpPort } from "./wait-for-port.ts";

export { RUN_LABEL, engineAvailable, removeLeftoverContainers } from "./container-engine.ts";

const debug = createDebug("poisonpill:provision");

/** Built by scripts/setup-podman.sh from the host's nats-server package. */
export const DEFAULT_NATS_IMAGE = "localhost/poisonpill-nats:2.9.10";
/** Built by scripts/setup-podman.sh from the host's rabbitmq-server and erlang packages. */
export const DEFAULT_RABBITMQ_IMAGE = "localhost/poisonpill-rabbitmq:3.10.8";

const SETUP_HINT = "run scripts/setup-podman.sh as root, then `source scripts/.podman-env`";

/**
 * Time between SIGTERM and SIGKILL when stopping a broker container. The
 * container and its state are discarded, so a clean shutdown buys nothing:
 * RabbitMQ 3.10.8 with the management plugin takes over 5 s for it, NATS
 * about 0.1 s.
 */
const STOP_GRACE_MS = 2_000;

/** Characters of a container's output kept for error messages. */
const LOG_TAIL_CHARS = 2_000;

/** Images are only ever built locally: no registry is reachable, and a pull must never be attempted. */
const neverPull: ImagePullPolicy = { shouldPull: () => false };

/** A container image that the engine does not have. It is never pulled. */
export class ContainerImageNotFoundError extends EnvironmentError {
  constructor(readonly image: string) {
    super(`image ${image} not found`, { value: image, hint: `poisonpill never pulls images: ${SETUP_HINT}` });
  }
}

export interface BrokerContainerOptions {
  /** Image reference. Default: $POISONPILL_NATS_IMAGE / $POISONPILL_RABBITMQ_IMAGE, else the image setup-podman.sh builds. */
  image?: string;
  /** Value of the `poisonpill.run` label, used by `removeLeftoverContainers(runLabel)`. Default: a random id. */
  runLabel?: string;
  /** Time for the container to report readiness and accept connections. Default 30_000 ms for NATS, 90_000 ms for RabbitMQ. */
  startTimeoutMs?: number;
  /** Output line that marks the broker ready. Default "Server is ready" (NATS), "Server startup complete" (RabbitMQ). */
  readyLogLine?: string;
}

export interface RabbitMqContainerOptions extends BrokerContainerOptions {
  /** Enable the management plugin on a free 127.0.0.1 port and set `monitorUrl`. Default true. */
  management?: boolean;
}

/**
 * Starts `nats-server -js` in a host-network container, listening on
 * 127.0.0.1 on free client and monitoring ports. The JetStream store lives
 * inside the container and goes with it.
 */
export async function startNatsContainer(options: BrokerContainerOptions = {}): Promise<ProvisionedBroker> {
  const image = options.image ?? process.env.POISONPILL_NATS_IMAGE ?? DEFAULT_NATS_IMAGE;
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const port = await freePort();
  const monitorPort = await freePort();

  const container = new GenericContainer(image)
    .withCommand(["-js", "-a", "127.0.0.1", "-p", String(port), "-m", String(monitorPort), "-sd", "/tmp/js"])
    .withWaitStrategy(Wait.forLogMessage(options.readyLogLine ?? "Server is ready"));

  const started = await startBrokerContainer("nats", container, image, options.runLabel, startTimeoutMs, async (remainingMs) => {
    await waitForTcpPort(port, { timeoutMs: remainingMs, serverName: `NATS container (${image})` });
  });
  return {
    family: "nats",
    url: `nats://127.0.0.1:${port}`,
    monitorUrl: `http://127.0.0.1:${monitorPort}`,
    via: "testcontainers",
    containerId: started.id,
    stop: started.stop,
  };
}

/**
 * Starts a RabbitMQ node in a host-network container. A RabbitMQ already
 * running on the host keeps its ports: this node listens on free 127.0.0.1
 * ports for AMQP, epmd, distribution and (by default) management, under its
 * own node name. Guest/guest may log in because clients connect over loopback.
 */
export async function startRabbitMqContainer(options: RabbitMqContainerOptions = {}): Promise<ProvisionedBroker> {
  const image = options.image ?? process.env.POISONPILL_RABBITMQ_IMAGE ?? DEFAULT_RABBITMQ_IMAGE;
  const startTimeoutMs = options.startTimeoutMs ?? 90_000;
  const management = options.management ?? true;
  const ports = {
    amqpPort: await freePort(),
    epmdPort: await freePort(),
    distributionPort: await freePort(),
    managementPort: management ? await freePort() : undefined,
  };
  const nodeName = `poisonpill-${randomUUID().slice(0, 8)}@localhost`;

  const container = new GenericContainer(image)
    .withEnvironment({
      ...rabbitMqNodeEnvironment(nodeName, ports),
      RABBITMQ_CONFIG_FILE: "/etc/rabbitmq/poisonpill.conf",
      RABBITMQ_ENABLED_PLUGINS_FILE: "/etc/rabbitmq/poisonpill_plugins",
    })
    .withCopyContentToContainer([
      { content: rabbitMqConfig(ports), target: "/etc/rabbitmq/poisonpill.conf", mode: 0o644 },
      { content: rabbitMqEnabledPlugins(management), target: "/etc/rabbitmq/poisonpill_plugins", mode: 0o644 },
    ])
    .withWaitStrategy(Wait.forLogMessage(options.readyLogLine ?? "Server startup complete"));

  const url = `amqp://guest:guest@127.0.0.1:${ports.amqpPort}`;
  const started = await startBrokerContainer("rabbitmq", container, image, options.runLabel, startTimeoutMs, async (remainingMs) => {
    await waitForTcpPort(ports.amqpPort, { timeoutMs: remainingMs, serverName: `RabbitMQ container (${image})` });
    await waitForAmqp(url, { timeoutMs: remainingMs, serverName: `RabbitMQ container (${image})` });
  });
  return {
    family: "rabbitmq",
    url,
    monitorUrl: ports.managementPort === undefined ? undefined : `http://127.0.0.1:${ports.managementPort}`,
    via: "testcontainers",
    containerId: started.id,
    stop: started.stop,
  };
}

/**
 * Runs the steps common to both brokers: check the engine and the image,
 * start the labelled host-network container, wait for its log line, then
 * run `waitUntilUsable` with the time left. On any failure the container is
 * removed before the error propagates.
 */
async function startBrokerContainer(
  family: BrokerFamily,
  container: GenericContainer,
  image: string,
  runLabel: string | undefined,
  startTimeoutMs: number,
  waitUntilUsable: (remainingMs: number) => Promise<void>,
): Promise<{ id: string; stop: () => Promise<void> }> {
  const startedAt = Date.now();
  const client = await engineClient();
  if (!(await client.image.exists(ImageName.fromString(image)))) throw new ContainerImageNotFoundError(image);

  const containerLabel = randomUUID();
  const logTail = new LogTail();
  container
    .withNetworkMode("host")
    .withPullPolicy(neverPull)
    // The reaper needs an image that would have to be pulled; labels and
    // removeLeftoverContainers() take its place.
    .withAutoCleanup(false)
    .withLabels({ [RUN_LABEL]: runLabel ?? randomUUID(), [CONTAINER_LABEL]: containerLabel })
    .withStartupTimeout(startTimeoutMs)
    .withLogConsumer((stream) => logTail.follow(stream));

  // Registered before the start, so a signal during it removes a half-started container too.
  const removeByLabel = (): Promise<number> => removeContainersByLabel(`${CONTAINER_LABEL}=${containerLabel}`);
  const forgetOnInterrupt = onInterrupt(`remove ${family} container ${containerLabel}`, removeByLabel);

  debug("Starting %s container from %s", family, image);
  let started: StartedTestContainer;
  try {
    started = await container.start();
  } catch (error) {
    await removeByLabel().catch(() => 0);
    forgetOnInterrupt();
    throw new EnvironmentError(`${family} container from ${image} failed to start: ${describeThrown(error)}`, {
      value: image,
      hint: `container output: ${logTail.text() || "(none)"}`,
      cause: error,
    });
  }
  const id = started.getId();

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    debug("Stopping %s container %s", family, id.slice(0, 12));
    try {
      await started.stop({ timeout: STOP_GRACE_MS, remove: true });
    } catch (error) {
      debug("Failed to stop container %s: %s; removing it by force", id.slice(0, 12), describeThrown(error));
      await removeByLabel();
    }
    forgetOnInterrupt();
    debug("Stopped %s container %s", family, id.slice(0, 12));
  };

  try {
    await waitUntilUsable(Math.max(1_000, startTimeoutMs - (Date.now() - startedAt)));
  } catch (error) {
    await stop();
    if (error instanceof EnvironmentError) error.message += `; container output: ${logTail.text() || "(none)"}`;
    throw error;
  }
  debug("Started %s container %s in %d ms", family, id.slice(0, 12), Date.now() - startedAt);
  return { id, stop };
}

async function engineClient(): Promise<ContainerRuntimeClient> {
  if (!(await engineAvailable())) {
    throw new EnvironmentError(`no Docker-API container engine responds at ${process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock"}`, {
      value: process.env.DOCKER_HOST,
      hint: SETUP_HINT,
    });
  }
  try {
    return await getContainerRuntimeClient();
  } catch (error) {
    throw new EnvironmentError(`Testcontainers could not use the container engine: ${describeThrown(error)}`, {
      value: process.env.DOCKER_HOST,
      hint: SETUP_HINT,
      cause: error,
    });
  }
}

/** The last LOG_TAIL_CHARS characters of a container's output. */
class LogTail {
  private buffer = "";

  follow(stream: Readable): void {
    stream.on("data", (chunk: Buffer | string) => {
      this.buffer = (this.buffer + chunk.toString()).slice(-LOG_TAIL_CHARS);
    });
    stream.on("error", () => undefined);
  }

  text(): string {
    return this.buffer.trim();
  }
}
