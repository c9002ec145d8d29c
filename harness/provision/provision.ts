import { existsSync } from "node:fs";
import createDebug from "debug";
import { assertBrokerAllowed, assertUrlScheme, redactText, redactUrl } from "../brokers/url-guard.ts";
import { ConfigError, EnvironmentError } from "../errors.ts";
import { onInterrupt } from "../process/shutdown.ts";
import type { BrokerConfig, ProvisionChoice } from "../scenario/types.ts";
import { findExecutable } from "./find-executable.ts";
import { startLocalNats } from "./local-nats.ts";
import { DEBIAN_SERVER_SCRIPT, startLocalRabbitMq } from "./local-rabbitmq.ts";
import { createRabbitMqVhost } from "./rabbitmq-vhost.ts";
import { ContainerImageNotFoundError, engineAvailable, startNatsContainer, startRabbitMqContainer } from "./testcontainers.ts";
import type { BrokerFamily, ProvisionedBroker } from "./types.ts";

const debug = createDebug("poisonpill:provision");

export interface ProvisionOptions {
  /** Overrides the scenario's broker URL (the CLI's --broker-url). */
  brokerUrl?: string;
  allowRemoteBroker?: boolean;
  /** Overrides the scenario's `broker.provision` (the CLI's --provision). */
  provision?: ProvisionChoice;
  /** Value of the `poisonpill.run` label on containers the run starts. Default: a random id. */
  runLabel?: string;
}

const URL_VARIABLE = { nats: "POISONPILL_NATS_URL", jetstream: "POISONPILL_NATS_URL", rabbitmq: "POISONPILL_AMQP_URL" } as const;

/** Management API of an already running RabbitMQ, used when no private node can be started. */
const MANAGEMENT_URL_VARIABLE = "POISONPILL_RABBITMQ_MANAGEMENT_URL";
const DEFAULT_MANAGEMENT_URL = "http://127.0.0.1:15672";
const DEFAULT_RUNNING_RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672";

/** Name or path of the broker binaries for the local path; a path that does not exist disables it. */
const BINARY_VARIABLE = { nats: "POISONPILL_NATS_SERVER", rabbitmq: "POISONPILL_RABBITMQ_SERVER" } as const;

/**
 * Provides the broker for a run. `broker.provision` (or `options.provision`)
 * selects how:
 *
 * - `auto` (default): an explicit URL (`--broker-url`, `broker.url`,
 *   POISONPILL_NATS_URL / POISONPILL_AMQP_URL) comes first. Next is a
 *   Testcontainers container when a Docker-API engine responds and has the
 *   image, then a private broker from a local binary. Without any of them it
 *   throws an EnvironmentError listing the three ways to provide a broker.
 * - `url`: only an explicit URL; a ConfigError without one.
 * - `testcontainers`, `local`: only that path. `--broker-url` still overrides
 *   a choice made in the scenario.
 *
 * Every URL passes the loopback guard before any connection or name lookup.
 * The result's `via` and `reason` record the choice.
 */
export async function provisionBroker(broker: BrokerConfig, options: ProvisionOptions): Promise<ProvisionedBroker> {
  const family: BrokerFamily = broker.kind === "rabbitmq" ? "rabbitmq" : "nats";
  const choice = options.provision ?? broker.provision ?? "auto";
  const url = selectedUrl(broker, options, choice);

  let provisioned: ProvisionedBroker;
  if (url !== undefined) {
    assertUrlScheme(url.value, family);
    assertBrokerAllowed(url.value, options.allowRemoteBroker ?? false);
    provisioned = { family, url: url.value, via: "url", reason: `URL from ${url.source}`, stop: async () => {} };
  } else if (choice === "url") {
    throw new ConfigError(`broker.provision is "url" but no broker URL is set`, {
      value: choice,
      hint: `set broker.url, pass --broker-url, or set ${URL_VARIABLE[broker.kind]}`,
    });
  } else if (choice === "testcontainers") {
    provisioned = withReason(await startContainer(family, options.runLabel), 'provision "testcontainers"');
  } else if (choice === "local") {
    provisioned = await startLocal(family, 'provision "local"');
  } else {
    provisioned = await provisionAutomatically(family, options.runLabel);
  }

  debug("Selected %s broker via %s (%s): %s", family, provisioned.via, provisioned.reason, redactUrl(provisioned.url));
  return provisioned;
}

/** Picks the explicit URL that applies to this choice, with where it came from. */
function selectedUrl(broker: BrokerConfig, options: ProvisionOptions, choice: ProvisionChoice): { value: string; source: string } | undefined {
  const fromEnv = process.env[URL_VARIABLE[broker.kind]];
  const startsBroker = choice === "local" || choice === "testcontainers";
  if (options.brokerUrl !== undefined) {
    if (startsBroker && options.provision !== undefined) {
      throw new ConfigError(`--broker-url and --provision ${choice} contradict each other`, { value: choice, hint: "pass only one of them" });
    }
    return { value: options.brokerUrl, source: "--broker-url" };
  }
  if (broker.url !== undefined) {
    if (startsBroker) {
      throw new ConfigError(`broker.url is set but broker.provision is "${choice}", which starts its own broker`, {
        value: redactUrl(broker.url),
        hint: 'remove broker.url, or set broker.provision to "url" or "auto"',
      });
    }
    return { value: broker.url, source: "broker.url" };
  }
  if (fromEnv === undefined || fromEnv === "") return undefined;
  if (startsBroker) {
    debug("Ignoring %s because provision is %s", URL_VARIABLE[broker.kind], choice);
    return undefined;
  }
  return { value: fromEnv, source: URL_VARIABLE[broker.kind] };
}

/** Tries the `auto` paths after the URL: a container, then a local binary. */
async function provisionAutomatically(family: BrokerFamily, runLabel: string | undefined): Promise<ProvisionedBroker> {
  const dockerHost = redactText(process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock");
  const skipped: string[] = [];

  if (await engineAvailable()) {
    try {
      return withReason(await startContainer(family, runLabel), `auto: no broker URL, and a Docker-API engine responds at ${dockerHost}`);
    } catch (error) {
      if (!(error instanceof ContainerImageNotFoundError)) throw error;
      skipped.push(`the container engine at ${dockerHost} has no image ${error.image}`);
      debug("Not using Testcontainers: %s", error.message);
    }
  } else {
    skipped.push(`no Docker-API engine responds at ${dockerHost}`);
  }

  return startLocal(family, `auto: no broker URL, and ${skipped.join("; ")}`, skipped);
}

function startContainer(family: BrokerFamily, runLabel: string | undefined): Promise<ProvisionedBroker> {
  return family === "nats" ? startNatsContainer({ runLabel }) : startRabbitMqContainer({ runLabel });
}

/**
 * Starts a private broker from a local binary: $POISONPILL_NATS_SERVER or
 * $POISONPILL_RABBITMQ_SERVER, else the usual name on PATH (see
 * findExecutable). For RabbitMQ without the
 * binary, a fresh vhost on a RabbitMQ already running on 127.0.0.1 takes its
 * place. Throws the EnvironmentError listing every way to get a broker when
 * neither works; `skipped` contains why the earlier ways were not taken.
 */
async function startLocal(family: BrokerFamily, reason: string, skipped: string[] = []): Promise<ProvisionedBroker> {
  const configured = process.env[BINARY_VARIABLE[family]] || undefined;
  if (family === "nats") {
    const binary = await findExecutable(configured ?? "nats-server");
    if (binary !== undefined) return withReason(await startLocalNats({ binary }), `${reason}; local ${binary}`);
    throw noBrokerError(family, [...skipped, `${configured ?? "nats-server"} is not an executable on PATH`]);
  }

  const defaultScript = existsSync(DEBIAN_SERVER_SCRIPT) ? DEBIAN_SERVER_SCRIPT : "rabbitmq-server";
  const script = await findExecutable(configured ?? defaultScript);
  if (script !== undefined) return withReason(await startLocalRabbitMq({ serverScript: script }), `${reason}; private node from ${script}`);

  const managementUrl = process.env[MANAGEMENT_URL_VARIABLE] || DEFAULT_MANAGEMENT_URL;
  const vhost = await createRabbitMqVhost({ managementUrl, amqpUrl: DEFAULT_RUNNING_RABBITMQ_URL });
  if (!vhost.available) throw noBrokerError(family, [...skipped, `${configured ?? "rabbitmq-server"} is not an executable on PATH`, vhost.reason]);
  const unregister = onInterrupt(`delete vhost ${vhost.vhost}`, vhost.broker.stop);
  return {
    ...vhost.broker,
    via: "local",
    reason: `${reason}; vhost ${vhost.vhost} on the RabbitMQ at ${redactUrl(DEFAULT_RUNNING_RABBITMQ_URL)}`,
    stop: async () => {
      await vhost.broker.stop();
      unregister();
    },
  };
}

function withReason(broker: ProvisionedBroker, reason: string): ProvisionedBroker {
  broker.reason = reason;
  return broker;
}

/** Builds the exit-3 error when no path yields a broker: why each failed, and the three ways to fix it. */
function noBrokerError(family: BrokerFamily, skipped: string[]): EnvironmentError {
  const variable = family === "nats" ? "POISONPILL_NATS_URL" : "POISONPILL_AMQP_URL";
  const binary = family === "nats" ? "nats-server" : "rabbitmq-server";
  return new EnvironmentError(`no ${family} broker available: ${skipped.join("; ")}`, {
    value: family,
    hint:
      `provide a broker in one of three ways: ` +
      `(1) a broker URL, with --broker-url, broker.url in the scenario, or ${variable}; ` +
      `(2) a Docker-API container engine for Testcontainers, such as Docker or podman (scripts/setup-podman.sh), with DOCKER_HOST pointing at it; ` +
      `(3) the ${binary} binary on PATH or named by ${BINARY_VARIABLE[family]} (Debian: apt-get install ${binary})`,
  });
}
