/** The way a broker for a run was obtained. */
export type ProvisionMethod = "url" | "local" | "testcontainers";

export type BrokerFamily = "nats" | "rabbitmq";

/**
 * A broker that a run can use. The owner calls `stop()` once the run ends;
 * `stop()` is idempotent and does nothing for a broker given by URL.
 */
export interface ProvisionedBroker {
  family: BrokerFamily;
  /** Client URL: `nats://127.0.0.1:PORT` or `amqp://user:pass@127.0.0.1:PORT/vhost`. */
  url: string;
  /**
   * HTTP base URL of the monitoring endpoint (NATS `/varz`, `/connz`) or the
   * RabbitMQ management API, where the broker has one.
   */
  monitorUrl?: string;
  via: ProvisionMethod;
  /** Why this path was chosen, e.g. "URL from --broker-url"; set by provisionBroker. */
  reason?: string;
  /** Process id of a broker started as a child of the harness. */
  pid?: number;
  /** Container id of a broker started through Testcontainers. */
  containerId?: string;
  stop(): Promise<void>;
}
