import type { Sample } from "../../generators/sample.ts";
import type { ProvisionMethod, ProvisionedBroker } from "../provision/types.ts";

/**
 * What the broker says about consumption on a lane. Sequence numbers are
 * lane positions: 1 for the first message published to the lane.
 */
export interface LaneProgress {
  /** Consumers (subscriptions, JetStream consumers, AMQP consumers) attached to the lane. */
  consumerCount: number;
  /** Every message up to and including this position is acknowledged. */
  ackedThrough: number;
  /** The highest position delivered to a consumer at least once. */
  deliveredThrough: number;
  /** Highest delivery count of any message not yet acknowledged, where the broker reports it. */
  maxRedeliveries?: number;
}

/** How often one message was delivered, by lane position. */
export interface MessageDeliveries {
  seq: number;
  deliveries: number;
  /** True once the consumer acknowledged or rejected it. */
  settled: boolean;
}

/** A consumer's channel that the broker closed (a channel or connection exception). */
export interface ChannelClosure {
  channel: number;
  /** AMQP reply code, e.g. 406 PRECONDITION_FAILED. */
  replyCode: number;
  replyText: string;
  /** Lane positions the channel held unacknowledged; the broker requeued them. */
  unacknowledged: number[];
}

/** A message that reached the lane's dead-letter queue. */
export interface DeadLetter {
  seq: number;
  /** The broker's `x-death` reason: `rejected`, `expired`, `maxlen` or `delivery_limit`. */
  reason: string;
}

/**
 * One consumer start's private destination: its own subject and stream, or
 * its own queue, so nothing one start left unacknowledged reaches the next.
 */
export interface Lane {
  /** Values for `${subject}`, `${stream}`, `${queue}` in the consumer's configuration. */
  readonly placeholders: Readonly<Record<string, string>>;
  /** True when the broker reports acknowledgements (JetStream, RabbitMQ); false for core NATS. */
  readonly tracksAcks: boolean;
  /** Publishes one sample; resolves once the broker has accepted it, with its lane position. */
  publish(sample: Sample): Promise<number>;
  /** Reads consumption progress from the broker; undefined when the lane cannot tell. */
  progress(): Promise<LaneProgress | undefined>;
  /** True when `hasConsumer` can see consumers (core NATS needs the server's monitoring endpoint). */
  readonly canDetectConsumer: boolean;
  /** True once a consumer is attached (the readiness probe). */
  hasConsumer(): Promise<boolean>;
  /** Messages delivered more than once, where the lane can count deliveries per message. */
  deliveryCounts?(): Promise<MessageDeliveries[]>;
  /** Messages that reached the lane's dead-letter queue, oldest first (RabbitMQ). */
  deadLetters?(): readonly DeadLetter[];
  /** Consumer channels the broker closed, oldest first (RabbitMQ). */
  consumerChannelClosures?(): readonly ChannelClosure[];
  /** Deletes the lane's stream or queue; idempotent. */
  dispose(): Promise<void>;
}

/** A connection to a broker for a whole run, handing out lanes. */
export interface BrokerSession {
  readonly kind: "nats" | "jetstream" | "rabbitmq";
  /** The URL consumers connect to (given to them as `${brokerUrl}`). */
  readonly url: string;
  readonly via: ProvisionMethod;
  /** The provisioned broker behind the session: why it was chosen, its pid or container id. */
  readonly broker?: ProvisionedBroker;
  /** Largest payload the broker accepts, in bytes. */
  readonly maxPayloadBytes: number;
  /** HTTP base URL of the broker's monitoring endpoint (NATS `/connz`), where the broker has one. */
  readonly monitorUrl?: string;
  openLane(tag: string): Promise<Lane>;
  /** Closes the connection and stops a broker the session started; idempotent. */
  close(): Promise<void>;
}
