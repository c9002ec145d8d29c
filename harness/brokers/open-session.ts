import type { NatsBrokerConfig, Scenario } from "../scenario/types.ts";
import { ConfigError } from "../errors.ts";
import { provisionBroker, type ProvisionOptions } from "../provision/provision.ts";
import { NatsSession } from "./nats.ts";
import type { BrokerSession } from "./types.ts";

/** Provisions the scenario's broker and connects to it; the session owns the broker from then on. */
export async function openBrokerSession(scenario: Scenario, options: ProvisionOptions, runTag: string): Promise<BrokerSession> {
  const allowRemoteBroker = options.allowRemoteBroker ?? scenario.allowRemoteBroker ?? false;
  const broker = await provisionBroker(scenario.broker, { ...options, allowRemoteBroker });
  if (scenario.broker.kind === "rabbitmq") {
    await broker.stop();
    throw new ConfigError('broker.kind "rabbitmq" is not supported by this build', { value: scenario.broker.kind, hint: 'use "jetstream" or "nats"' });
  }
  const nats = scenario.broker as NatsBrokerConfig;
  try {
    return await NatsSession.open(nats.kind, broker, { subject: nats.subject, stream: nats.stream }, runTag);
  } catch (error) {
    await broker.stop();
    throw error;
  }
}
