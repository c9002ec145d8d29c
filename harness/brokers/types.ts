import type { Sample } from "../../generators/sample.ts";
import type { ProvisionMethod, ProvisionedBroker } from "../provision/types.ts";

/**
 * Consumption progress on a lane, as the broker reports it. Sequence numbers are
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
  /**
   * Acknowledgements and rejections of any message so far, where the lane
   * counts them. The hang clock restarts when this moves, so a consumer that
   * keeps acknowledging past a message it holds is not hung.
   */
  settlements?: number;
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
  /**
   * Lane position of the message the channel settled last before the close.
   * A second ack of that message (unknown delivery tag) is the usual cause,
   * and then it is no longer among the unacknowledged ones.
   */
  lastSettled?: number;
}

/** The consumer's prefetch window as the AMQP tap sees it. */
export interface PrefetchWindow {
  /** The consumer's last basic.qos prefetch count; 0 means unlimited, undefined that it never set one. */
  prefetch: number | undefined;
  /** Lane positions delivered and not yet acknowledged, rejected or requeued, in delivery order. */
  unacknowledged: number[];
  /** True when the consumer acknowledged a message delivered after the oldest unacknowledged one: it went past it. */
  overtaken: boolean;
  /** Messages delivered at least once. */
  delivered: number;
  /** Acknowledgements and rejections so far, any message: moves whenever the consumer settles anything. */
  settlements: number;
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
  /** Acks, nacks and rejects of delivery tags the consumer's channel did not hold; the broker closes the channel for each (RabbitMQ). */
  unknownDeliveryTags?(): number;
  /** The consumer's prefetch window, where the lane sees each delivery and acknowledgement (RabbitMQ). */
  prefetchWindow?(): PrefetchWindow;
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
  /** The connection's negotiated AMQP `frame_max` in bytes (RabbitMQ): sizes the header samples. */
  readonly frameMaxBytes?: number;
  /** HTTP base URL of the broker's monitoring endpoint (NATS `/connz`), where the broker has one. */
  readonly monitorUrl?: string;
  openLane(tag: string): Promise<Lane>;
  /** Closes the connection and stops a broker the session started; idempotent. */
  close(): Promise<void>;
}
