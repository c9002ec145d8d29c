import createDebug from "debug";
import { assertBrokerAllowed, redactUrl } from "../brokers/url-guard.ts";
import { ConfigError } from "../errors.ts";
import type { BrokerConfig } from "../scenario/types.ts";
import { startLocalNats } from "./local-nats.ts";
import type { ProvisionedBroker } from "./types.ts";

const debug = createDebug("poisonpill:provision");

export interface ProvisionOptions {
  /** Overrides the scenario's broker URL (the CLI's --broker-url). */
  brokerUrl?: string;
  allowRemoteBroker?: boolean;
}

const URL_VARIABLE = { nats: "POISONPILL_NATS_URL", jetstream: "POISONPILL_NATS_URL", rabbitmq: "POISONPILL_AMQP_URL" } as const;

/** The URL a run should use, in order: the override, the scenario, the environment variable. */
export function explicitBrokerUrl(broker: BrokerConfig, options: ProvisionOptions): string | undefined {
  const fromEnv = process.env[URL_VARIABLE[broker.kind]];
  return options.brokerUrl ?? broker.url ?? (fromEnv === "" ? undefined : fromEnv);
}

/**
 * Provides the broker for a run: a given URL (checked against the loopback
 * guard before any connection), else a private broker started from a local
 * binary.
 */
export async function provisionBroker(broker: BrokerConfig, options: ProvisionOptions): Promise<ProvisionedBroker> {
  const url = explicitBrokerUrl(broker, options);
  const provision = broker.provision ?? "auto";
  if (url !== undefined) {
    assertBrokerAllowed(url, options.allowRemoteBroker ?? false);
    debug("Using broker %s", redactUrl(url));
    return { family: broker.kind === "rabbitmq" ? "rabbitmq" : "nats", url, via: "url", stop: async () => {} };
  }
  if (provision === "url") {
    throw new ConfigError(`broker.provision is "url" but no broker URL is set`, {
      value: provision,
      hint: `set broker.url, pass --broker-url, or set ${URL_VARIABLE[broker.kind]}`,
    });
  }
  if (broker.kind === "rabbitmq") {
    throw new ConfigError("no RabbitMQ URL is set", { hint: "set broker.url, pass --broker-url, or set POISONPILL_AMQP_URL" });
  }
  return startLocalNats();
}
