import type { Sample, SampleClass } from "../../generators/sample.ts";

export type BrokerKind = "nats" | "jetstream" | "rabbitmq";
export type ProvisionChoice = "auto" | "url" | "local" | "testcontainers";

export interface NatsBrokerConfig {
  /** `nats` publishes on core NATS (no acknowledgements); `jetstream` through a stream. */
  kind: "nats" | "jetstream";
  /** Broker URL; else POISONPILL_NATS_URL; else a private nats-server is started. */
  url?: string;
  /**
   * Base subject. Each consumer start gets its own subject below it,
   * `<subject>.<run>.<start>`, passed to the consumer as `${subject}`.
   */
  subject: string;
  /** Base stream name (JetStream); each consumer start gets its own stream. Default derived from the subject. */
  stream?: string;
  provision?: ProvisionChoice;
}

export interface RabbitMqBrokerConfig {
  kind: "rabbitmq";
  /**
   * Broker URL; else POISONPILL_AMQP_URL; else a private RabbitMQ node is
   * started. The consumer gets `${brokerUrl}`, which points at a relay that
   * poisonpill reads acknowledgements from; it must connect there.
   */
  url?: string;
  /**
   * Base queue name. Each consumer start gets its own queue
   * `<queue>.<run>.<start>`, passed as `${queue}`, declared by poisonpill with
   * a dead-letter exchange of its own. The consumer must not redeclare it
   * with other arguments (checkQueue, or no declaration, is fine).
   */
  queue: string;
  /** Exchange to publish through (declared as `direct` if missing). Default: publish straight to the queue. */
  exchange?: string;
  /** Base routing key; each start's queue is bound with `<routingKey>.<run>.<start>`. Default: the queue name. */
  routingKey?: string;
  provision?: ProvisionChoice;
}

export type BrokerConfig = NatsBrokerConfig | RabbitMqBrokerConfig;

export type SchemaConfig =
  | { jsonSchema: string | object }
  | { proto: string; type: string; includePaths?: string[] };

export interface ReadyConfig {
  /** A regular expression matched against each line of the consumer's stdout and stderr. */
  output?: string | RegExp;
  /** Time allowed for the consumer to become ready. Default 20_000 ms. */
  timeoutMs?: number;
}

/** A consumer under test that runs as a child program. */
export interface ProgramConsumerConfig {
  /** Program and arguments; values may use the placeholders listed in `env`. */
  command: string[];
  handler?: undefined;
  /**
   * Extra environment. Values may use `${brokerUrl}`, `${subject}`,
   * `${stream}`, `${queue}` and `${stateDir}`, and `${livenessPort}` when
   * the scenario has a liveness probe. On RabbitMQ also `${exchange}`,
   * `${routingKey}` and `${deadLetterQueue}`.
   */
  env?: Record<string, string>;
  /** Working directory, relative to the scenario file. Default: the scenario's directory. */
  cwd?: string;
  /**
   * Readiness: an output pattern, else the consumer's subscription or
   * JetStream consumer appearing on the broker.
   */
  ready?: ReadyConfig;
  /** Time between SIGTERM and SIGKILL when the consumer is stopped. Default 2_000 ms. */
  stopGraceMs?: number;
}

/**
 * A consumer under test that is a TypeScript or JavaScript function, run by
 * poisonpill in a worker thread that subscribes to the lane for it.
 */
export interface HandlerConsumerConfig {
  /**
   * Module path relative to the scenario file, then `#` and the export name,
   * e.g. `"./handlers/inventory.ts#handleOrder"`. Without `#name`, the
   * default export. The export must be a MessageHandler.
   */
  handler: string;
  command?: undefined;
  /**
   * Milliseconds one call of the handler may take. A call still running after
   * it (a synchronous infinite loop included) is stopped and reported as a
   * hang. Default: the scenario's `hangTimeoutMs`.
   */
  timeoutMs?: number;
  /** Values for `message.env` and the worker's `process.env`; placeholders as for a program. */
  env?: Record<string, string>;
  /** Only `timeoutMs` applies: the worker reports readiness itself. */
  ready?: Pick<ReadyConfig, "timeoutMs">;
  /** Time the worker gets to close its broker connection before it is terminated. Default 2_000 ms. */
  stopGraceMs?: number;
}

export type ConsumerConfig = ProgramConsumerConfig | HandlerConsumerConfig;

/** One message as a MessageHandler receives it. */
export interface HandlerMessage {
  /** The message body. */
  data: Uint8Array;
  /** Message headers, when the message has any. */
  headers?: Record<string, string>;
  /** The subject (NATS) or queue (RabbitMQ) the message arrived on. */
  subject: string;
  /**
   * Position of the message on its lane, counted from 1: the stream sequence
   * on JetStream, the order of arrival on core NATS and RabbitMQ.
   */
  seq: number;
  /** The consumer start's private state directory. */
  stateDir: string;
  /** `consumer.env` with its placeholders expanded. */
  env: Record<string, string>;
}

/**
 * An in-process consumer. Returning (or resolving) acknowledges the message;
 * `"reject"` rejects it (JetStream term, RabbitMQ nack without requeue,
 * nothing on core NATS); a throw or rejection is a crash of the consumer.
 */
export type MessageHandler = (message: HandlerMessage) => void | "reject" | Promise<void | "reject">;

/** A message the consumer has acknowledged in the current consumer start. */
export interface DeliveredMessage {
  /** Position in this consumer start: 1 for the first message published to it. */
  seq: number;
  sample: Sample;
}

export interface InvariantContext {
  /** The consumer's private state directory for this start. */
  stateDir: string;
  /** Every message published to this consumer start, in order; all were acknowledged when the check runs. */
  messages: readonly DeliveredMessage[];
}

/** Returns true (or nothing) when the invariant holds, or false / a message explaining the violation. */
export type InvariantCheck = (context: InvariantContext) => boolean | string | void | Promise<boolean | string | void>;

export interface FunctionInvariant {
  name: string;
  check: InvariantCheck;
}

export interface CommandInvariant {
  name: string;
  /**
   * Exit 0 means the invariant holds; any other exit is a violation, explained
   * by the output. Arguments may use `${stateDir}` and `${messagesFile}` (a
   * JSON Lines file of the messages, see DeliveredMessage) and the consumer
   * placeholders.
   */
  command: string[];
}

export type InvariantConfig = FunctionInvariant | CommandInvariant;

/**
 * The memory-growth detector. Resident memory of the consumer's process group
 * is sampled during the flood, and growth is decided from the Theil–Sen slope
 * of memory over processed messages: a finding needs the lower end of its 99 %
 * confidence interval above `maxGrowthBytesPerMessage`.
 */
export interface MemoryConfig {
  /** Set to false to turn the detector off. Default true. */
  enabled?: boolean;
  /**
   * Messages a consumer start processes before its memory counts: module
   * loading, JIT compilation and heap sizing grow memory at first in any
   * runtime. Default 2_000.
   */
  warmupMessages?: number;
  /**
   * Growth tolerated, in bytes per processed message. Default 256: far below
   * a cache that keeps each message (its payload plus bookkeeping, usually
   * over 500 bytes), far above what a garbage-collected runtime's heap
   * growth amounts to over thousands of messages.
   */
  maxGrowthBytesPerMessage?: number;
  /** Milliseconds between memory samples. Default 200. */
  sampleIntervalMs?: number;
}

/**
 * A probe polled while the consumer runs. A consumer whose event loop is
 * blocked stops answering; no answer for `hangTimeoutMs`, after at least one
 * answer, is a hang. Give `url` or `command`.
 */
export interface LivenessConfig {
  /**
   * HTTP URL on a loopback host; any 2xx status is alive. May use
   * `${livenessPort}`, a free port chosen for each consumer start and also
   * available to `consumer.env`.
   */
  url?: string;
  /** Program and arguments; exit status 0 is alive. May use the consumer placeholders. */
  command?: string[];
  /** Milliseconds between probes. Default 250. */
  intervalMs?: number;
  /** Milliseconds one probe may take before it counts as unanswered. Default 1_000. */
  timeoutMs?: number;
}

/** Wire encoding of payloads: `gzip` compresses every sample and adds decompression bombs to the `oversized` class. */
export type ContentEncoding = "identity" | "gzip";

export interface GeneratorConfig {
  /** Restrict the sample classes sent. Default: all. */
  classes?: SampleClass[];
}

export interface Scenario {
  name: string;
  broker: BrokerConfig;
  schema: SchemaConfig;
  consumer: ConsumerConfig;
  invariants?: InvariantConfig[];
  /**
   * A delivered message not acknowledged within this time is a hang; also the
   * time allowed for acknowledgements to catch up before an invariant check.
   * Default 5_000 ms.
   */
  hangTimeoutMs?: number;
  /** Invariants run after every this many messages, and at the end. Default 100. */
  checkEveryMessages?: number;
  /**
   * Maximum messages published but not yet acknowledged. Bounds how many
   * candidates a crash has to be attributed among. Default 16.
   */
  maxInFlight?: number;
  /**
   * A message delivered more than this many times is a redelivery loop: the
   * consumer keeps requeueing (RabbitMQ nack/reject with requeue, JetStream
   * nak) a message it can never process. Default 10.
   */
  maxDeliveries?: number;
  /** Permit a broker host that is not a loopback address. Default false. */
  allowRemoteBroker?: boolean;
  generator?: GeneratorConfig;
  /** Memory-growth detection; on by default. */
  memory?: MemoryConfig;
  /** Liveness probe; off unless given. */
  liveness?: LivenessConfig;
  /** How the consumer expects payloads to be encoded. Default `identity`. JSON Schema scenarios only. */
  contentEncoding?: ContentEncoding;
}
