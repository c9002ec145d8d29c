import type { NatsBrokerConfig, Scenario } from "../scenario/types.ts";
import { provisionBroker, type ProvisionOptions } from "../provision/provision.ts";
import { isolateInVhost } from "../provision/rabbitmq-vhost.ts";
import type { ProvisionedBroker } from "../provision/types.ts";
import { NatsSession } from "./nats.ts";
import { RabbitMqSession } from "./rabbitmq.ts";
import type { BrokerSession } from "./types.ts";

/** Provisions the scenario's broker and connects to it; the session owns the broker from then on. */
export async function openBrokerSession(scenario: Scenario, options: ProvisionOptions, runTag: string): Promise<BrokerSession> {
  const allowRemoteBroker = options.allowRemoteBroker ?? scenario.allowRemoteBroker ?? false;
  let broker: ProvisionedBroker = await provisionBroker(scenario.broker, { ...options, allowRemoteBroker });
  try {
    if (scenario.broker.kind === "rabbitmq") {
      const { queue, exchange, routingKey } = scenario.broker;
      // A private node or container is isolated already; a shared broker given by URL gets a vhost if it can.
      if (broker.via === "url") broker = await isolateInVhost(broker, allowRemoteBroker);
      return await RabbitMqSession.open(broker, { queue, exchange, routingKey }, runTag);
    }
    const nats = scenario.broker as NatsBrokerConfig;
    return await NatsSession.open(nats.kind, broker, { subject: nats.subject, stream: nats.stream }, runTag);
  } catch (error) {
    await broker.stop();
    throw error;
  }
}
