import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from "amqplib";
import createDebug from "debug";
import { fieldTableBytes, HEADER_FRAME_RESERVE_BYTES } from "../../generators/headers/index.ts";
import type { HeaderValue, Sample } from "../../generators/sample.ts";
import { EnvironmentError, describeThrown } from "../errors.ts";
import { onInterrupt } from "../process/shutdown.ts";
import type { ProvisionedBroker } from "../provision/types.ts";
import { AmqpTap } from "./amqp-tap.ts";
import { DeliveryLedger } from "./delivery-ledger.ts";
import { DEFAULT_MAX_MESSAGE_SIZE, maxMessageSizeFromError, readMaxMessageSize } from "./rabbitmq-limits.ts";
import type { BrokerSession, ChannelClosure, DeadLetter, Lane, LaneProgress, MessageDeliveries, PrefetchWindow } from "./types.ts";
import { redactText, redactUrl } from "./url-guard.ts";

const debug = createDebug("poisonpill:broker");

/** Time allowed for the AMQP handshake, which a loopback broker completes in milliseconds. */
const CONNECT_TIMEOUT_MS = 5_000;

/** RabbitMQ's and amqplib's default `frame_max`, used until a connection has negotiated its own. */
const DEFAULT_FRAME_MAX_BYTES = 131_072;

/** Reconnections one session attempts after its connection was closed under it (a frame error, a forced close). */
const MAX_RECONNECTS = 20;

export interface RabbitMqLaneNames {
  /** Base queue name; each lane declares `<queue>.<run>.<start>`. */
  queue: string;
  /** Exchange to publish through; each lane binds its queue with its own routing key. Default: publish to the queue. */
  exchange?: string;
  /** Base routing key; each lane uses `<routingKey>.<run>.<start>`. Default: the base queue name. */
  routingKey?: string;
}

/** A publish the broker refused: a closed channel, a header table amqplib cannot encode. */
export class BrokerRejectionError extends Error {
  override readonly name = "BrokerRejectionError";
}

function toFieldValue(value: HeaderValue): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(toFieldValue);
  if (typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toFieldValue(inner)]));
  return value;
}

/**
 * Converts sample headers to an AMQP field table. amqplib 2.3 encodes
 * strings as long strings (S), Buffers as byte arrays (x), arrays as field
 * arrays (A), objects as nested tables (F), and numbers as the narrowest
 * integer or a double. So every shape a sample can carry reaches the broker.
 */
export function toAmqpHeaders(headers: Sample["headers"]): Record<string, unknown> | undefined {
  if (headers === undefined) return undefined;
  return Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, toFieldValue(value)]));
}

/** Builds a queue or exchange name from the scenario's base name, the run and the lane's tag. */
function laneName(base: string, runTag: string, tag: string): string {
  return `${base}.${runTag}.${tag}`;
}

/** A RabbitMQ connection for a run, handing out one queue per consumer start. */
export class RabbitMqSession implements BrokerSession {
  readonly kind = "rabbitmq" as const;
  private connection: ChannelModel | undefined;
  private connecting: Promise<ChannelModel> | undefined;
  private reconnects = 0;
  private closed = false;
  private maxMessageSize: number;
  private negotiatedFrameMax = DEFAULT_FRAME_MAX_BYTES;
  private readonly deadLetterExchange: string;
  private ownedExchange: string | undefined;
  private declared: Promise<void> | undefined;
  private readonly closeReasons = new WeakMap<Channel, string>();
  private unregisterCleanup: () => void = () => {};
  /** Lanes not disposed yet; close() deletes their queues, which matters after an interruption. */
  private readonly lanes = new Set<RabbitMqLane>();

  private constructor(
    readonly broker: ProvisionedBroker,
    readonly names: RabbitMqLaneNames,
    private readonly runTag: string,
    maxMessageSize: number,
  ) {
    this.maxMessageSize = maxMessageSize;
    this.deadLetterExchange = laneName(names.queue, runTag, "dlx");
  }

  /** Connects to a provisioned broker; fails with an EnvironmentError naming the URL when it cannot. */
  static async open(broker: ProvisionedBroker, names: RabbitMqLaneNames, runTag: string): Promise<RabbitMqSession> {
    if (!/^amqp:\/\//i.test(broker.url)) {
      throw new EnvironmentError(`RabbitMQ URL ${redactUrl(broker.url)} is not an amqp:// URL`, {
        value: redactUrl(broker.url),
        hint: "use amqp://user:password@127.0.0.1:5672[/vhost]; amqps is not supported because poisonpill relays the consumer's connection to watch its acknowledgements",
      });
    }
    const maxMessageSize = (await readMaxMessageSize(broker.url)) ?? DEFAULT_MAX_MESSAGE_SIZE;
    const session = new RabbitMqSession(broker, names, runTag, maxMessageSize);
    // A broker given by URL keeps whatever a run leaves, so an interrupted run still deletes its queues.
    session.unregisterCleanup = onInterrupt(`delete the RabbitMQ queues of run ${runTag}`, () => session.close());
    try {
      await session.ensureConnection();
    } catch (error) {
      session.unregisterCleanup();
      throw error;
    }
    debug("Opened RabbitMQ session on %s (max_message_size %d)", redactUrl(broker.url), maxMessageSize);
    return session;
  }

  get url(): string {
    return this.broker.url;
  }

  get via() {
    return this.broker.via;
  }

  /** The broker's `max_message_size`: read with rabbitmqctl when possible, and corrected by every oversized-message error. */
  get maxPayloadBytes(): number {
    return this.maxMessageSize;
  }

  /** The `frame_max` negotiated on the session's connection, in bytes: a content header frame over it closes the connection. */
  get frameMaxBytes(): number {
    return this.negotiatedFrameMax;
  }

  /** Returns the open connection, connecting (again) when it was closed under the session. */
  async ensureConnection(): Promise<ChannelModel> {
    if (this.connection !== undefined) return this.connection;
    if (this.closed) throw new EnvironmentError("the RabbitMQ session is closed", { value: redactUrl(this.broker.url) });
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<ChannelModel> {
    let connection: ChannelModel;
    try {
      connection = await amqp.connect(this.broker.url, { timeout: CONNECT_TIMEOUT_MS, clientProperties: { connection_name: `poisonpill-${this.runTag}` } });
    } catch (error) {
      throw new EnvironmentError(`could not connect to RabbitMQ at ${redactUrl(this.broker.url)} (${redactText(describeThrown(error))})`, {
        value: redactUrl(this.broker.url),
        hint: "start the broker, fix the URL (broker.url, --broker-url or POISONPILL_AMQP_URL), or leave it unset so poisonpill starts a private node",
        cause: error,
      });
    }
    connection.on("error", (error: unknown) => debug("RabbitMQ connection error: %s", redactText(describeThrown(error))));
    connection.on("close", () => {
      if (this.connection !== connection) return;
      this.connection = undefined;
      if (this.closed) return;
      this.reconnects += 1;
      debug("RabbitMQ connection closed under the session (%d of %d reconnects used)", this.reconnects, MAX_RECONNECTS);
    });
    if (this.reconnects > MAX_RECONNECTS) {
      await connection.close().catch(() => undefined);
      throw new EnvironmentError(`the RabbitMQ connection was closed ${this.reconnects} times`, { value: redactUrl(this.broker.url), hint: "check the broker log" });
    }
    // amqplib keeps the negotiated value on its internal connection object, which its type declarations leave out.
    const frameMax = (connection.connection as { frameMax?: unknown }).frameMax;
    if (typeof frameMax === "number" && frameMax > 0) this.negotiatedFrameMax = frameMax;
    this.connection = connection;
    return connection;
  }

  /**
   * Opens a channel with an `error` listener: a channel exception (an
   * oversized message, a precondition failure) is logged and ends only that
   * channel, never the harness.
   */
  async openChannel<C extends boolean>(confirm: C, purpose: string): Promise<C extends true ? ConfirmChannel : Channel> {
    const connection = await this.ensureConnection();
    const channel = confirm ? await connection.createConfirmChannel() : await connection.createChannel();
    channel.on("error", (error: unknown) => {
      const text = redactText(describeThrown(error));
      this.closeReasons.set(channel, text);
      debug("RabbitMQ %s channel closed by the broker: %s", purpose, text);
      const limit = maxMessageSizeFromError(text);
      if (limit !== undefined) this.maxMessageSize = limit;
    });
    return channel as C extends true ? ConfirmChannel : Channel;
  }

  /** Returns the broker's reason for closing a channel with an error, if it did. */
  closeReason(channel: Channel): string | undefined {
    return this.closeReasons.get(channel);
  }

  /** Runs one administrative call on a short-lived channel, so a 404 or 406 closes nothing else. */
  async admin<T>(purpose: string, call: (channel: Channel) => Promise<T>): Promise<T> {
    const channel = await this.openChannel(false, purpose);
    try {
      return await call(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /** Declares the run's dead-letter exchange and, when the scenario names one that does not exist, its exchange. */
  private declareShared(): Promise<void> {
    this.declared ??= (async () => {
      await this.admin("declare", (channel) => channel.assertExchange(this.deadLetterExchange, "direct", { durable: false }));
      const exchange = this.names.exchange;
      if (exchange === undefined || exchange === "") return;
      const exists = await this.admin("check exchange", (channel) => channel.checkExchange(exchange)).then(
        () => true,
        () => false,
      );
      if (!exists) {
        await this.admin("declare", (channel) => channel.assertExchange(exchange, "direct", { durable: false }));
        this.ownedExchange = exchange;
        debug("Declared exchange %s (direct)", exchange);
      }
    })();
    return this.declared;
  }

  async openLane(tag: string): Promise<Lane> {
    await this.declareShared();
    const queue = laneName(this.names.queue, this.runTag, tag);
    const deadLetterQueue = `${queue}.dead`;
    const exchange = this.names.exchange === "" ? undefined : this.names.exchange;
    const routingKey = exchange === undefined ? queue : laneName(this.names.routingKey ?? this.names.queue, this.runTag, tag);

    // Tracked before anything is declared, so close() deletes the queues even if the run is interrupted now.
    const lane = new RabbitMqLane(this, { queue, deadLetterQueue, exchange, routingKey }, `${this.runTag}-${tag}:`, (disposed) => this.lanes.delete(disposed));
    this.lanes.add(lane);
    try {
      await this.admin("declare", async (channel) => {
        await channel.assertQueue(deadLetterQueue, { durable: false });
        await channel.bindQueue(deadLetterQueue, this.deadLetterExchange, deadLetterQueue);
        await channel.assertQueue(queue, { durable: false, arguments: { "x-dead-letter-exchange": this.deadLetterExchange, "x-dead-letter-routing-key": deadLetterQueue } });
        if (exchange !== undefined) await channel.bindQueue(queue, exchange, routingKey);
      });
      debug("Declared queue %s%s", queue, exchange === undefined ? "" : ` bound to ${exchange} with ${routingKey}`);
      await lane.start(this.upstream());
    } catch (error) {
      await lane.dispose();
      throw error;
    }
    return lane;
  }

  private upstream(): { host: string; port: number } {
    const parsed = new URL(this.broker.url);
    return { host: parsed.hostname.replace(/^\[|\]$/g, ""), port: Number(parsed.port || 5672) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.unregisterCleanup();
    for (const lane of [...this.lanes]) await lane.dispose();
    try {
      if (this.connection !== undefined) {
        await this.admin("delete", async (channel) => {
          await channel.deleteExchange(this.deadLetterExchange);
          if (this.ownedExchange !== undefined) await channel.deleteExchange(this.ownedExchange);
        }).catch((error: unknown) => debug("Could not delete the run's exchanges: %s", describeThrown(error)));
      }
      this.closed = true;
      await this.connection?.close().catch(() => undefined);
    } finally {
      this.closed = true;
      await this.broker.stop();
    }
  }
}

interface LaneDestinations {
  queue: string;
  deadLetterQueue: string;
  exchange: string | undefined;
  routingKey: string;
}

/**
 * One consumer start's queue. Acknowledgements, rejections and per-message
 * delivery counts come from the AMQP tap on the consumer's connection;
 * dead-lettered messages from the lane's own dead-letter queue.
 */
class RabbitMqLane implements Lane {
  readonly tracksAcks = true;
  readonly canDetectConsumer = true;
  private readonly ledger = new DeliveryLedger();
  private readonly deadLettered: DeadLetter[] = [];
  private tap: AmqpTap | undefined;
  private deadLetterChannel: Channel | undefined;
  private channel: ConfirmChannel | undefined;
  private opening: Promise<ConfirmChannel> | undefined;
  /** Set while the publish channel's write buffer is full; publishes wait for its `drain`. */
  private drained: Promise<void> | undefined;
  private disposal: Promise<void> | undefined;

  constructor(
    private readonly session: RabbitMqSession,
    private readonly destinations: LaneDestinations,
    private readonly messageIdPrefix: string,
    private readonly onDisposed: (lane: RabbitMqLane) => void,
  ) {}

  async start(upstream: { host: string; port: number }): Promise<void> {
    this.tap = await AmqpTap.start(upstream, this.ledger, this.messageIdPrefix);
    this.deadLetterChannel = await this.session.openChannel(false, "dead-letter");
    await this.deadLetterChannel.consume(this.destinations.deadLetterQueue, (message) => this.recordDeadLetter(message), { noAck: true });
  }

  get placeholders(): Record<string, string> {
    const tapUrl = new URL(this.session.url);
    tapUrl.hostname = "127.0.0.1";
    tapUrl.port = String(this.tap?.port ?? 0);
    return {
      brokerUrl: tapUrl.toString(),
      queue: this.destinations.queue,
      deadLetterQueue: this.destinations.deadLetterQueue,
      exchange: this.destinations.exchange ?? "",
      routingKey: this.destinations.routingKey,
      subject: "",
      stream: "",
    };
  }

  private recordDeadLetter(message: ConsumeMessage | null): void {
    if (message === null) return;
    const id = message.properties.messageId as string | undefined;
    if (id === undefined || !id.startsWith(this.messageIdPrefix)) return;
    const seq = Number(id.slice(this.messageIdPrefix.length));
    this.ledger.deadLettered(seq);
    const position = this.ledger.position(seq);
    if (position === undefined) return;
    const headers = message.properties.headers ?? {};
    const deaths = headers["x-death"] as Array<{ reason?: string }> | undefined;
    const reason = String(headers["x-first-death-reason"] ?? deaths?.[0]?.reason ?? "unknown");
    this.deadLettered.push({ seq: position, reason });
  }

  private publishChannel(): Promise<ConfirmChannel> {
    if (this.channel !== undefined) return Promise.resolve(this.channel);
    this.opening ??= this.session
      .openChannel(true, "publish")
      .then((channel) => {
        this.channel = channel;
        channel.on("close", () => {
          if (this.channel === channel) this.channel = undefined;
        });
        return channel;
      })
      .finally(() => {
        this.opening = undefined;
      });
    return this.opening;
  }

  /**
   * Publishes through a confirm channel and resolves with the lane position
   * once the broker confirms. A full write buffer makes later publishes wait
   * for `drain`. A channel the broker closes (an oversized message) is
   * replaced on the next publish; every publish it took down rejects with a
   * BrokerRejectionError.
   */
  async publish(sample: Sample): Promise<number> {
    this.refuseOversizedHeaders(sample);
    // A message over the broker's limit closes the channel it travels on, and every publish still waiting
    // for a confirm there fails with it. A channel of its own keeps the damage to the one message.
    const oversized = sample.bytes.byteLength > this.session.maxPayloadBytes;
    if (oversized) {
      const channel = await this.session.openChannel(true, "oversized publish");
      try {
        return await this.publishOn(channel, sample);
      } finally {
        await channel.close().catch(() => undefined);
      }
    }
    const channel = await this.publishChannel();
    while (this.drained !== undefined) await this.drained;
    return this.publishOn(channel, sample);
  }

  /**
   * Throws a BrokerRejectionError for headers that cannot fit one content
   * header frame. RabbitMQ responds to such a frame by closing the whole
   * connection (501 FRAME_ERROR, measured on RabbitMQ 3.x), which would take
   * down every lane's publishes, so the message is refused here instead.
   * Tables over amqplib's 64 KiB encoding buffer are refused by amqplib.
   */
  private refuseOversizedHeaders(sample: Sample): void {
    if (sample.headers === undefined) return;
    const tableBytes = fieldTableBytes(sample.headers);
    const frameMaxBytes = this.session.frameMaxBytes;
    if (tableBytes + HEADER_FRAME_RESERVE_BYTES <= frameMaxBytes) return;
    throw new BrokerRejectionError(`the publish was not sent: a ${tableBytes}-byte header table does not fit the connection's frame_max of ${frameMaxBytes} bytes`);
  }

  private publishOn(channel: ConfirmChannel, sample: Sample): Promise<number> {
    const seq = this.ledger.assign();
    const options = { messageId: `${this.messageIdPrefix}${seq}`, headers: toAmqpHeaders(sample.headers), persistent: false };
    const content = Buffer.from(sample.bytes.buffer, sample.bytes.byteOffset, sample.bytes.byteLength);
    return new Promise<number>((resolve, reject) => {
      const confirmed = (error: unknown): void => {
        if (error === null || error === undefined) {
          this.ledger.publishConfirmed(seq);
          resolve(this.ledger.positionOnceKnown(seq));
          return;
        }
        this.ledger.publishFailed(seq);
        const reason = this.session.closeReason(channel) ?? describeThrown(error);
        reject(new BrokerRejectionError(`RabbitMQ did not confirm the publish: ${reason}`, { cause: error }));
      };
      let written: boolean;
      try {
        const { exchange, routingKey, queue } = this.destinations;
        written = exchange === undefined ? channel.sendToQueue(queue, content, options, confirmed) : channel.publish(exchange, routingKey, content, options, confirmed);
      } catch (error) {
        // Thrown before anything was sent: a closed channel, or a header table over amqplib's 64 KiB encoding buffer.
        this.ledger.publishFailed(seq);
        reject(new BrokerRejectionError(`the publish was not sent: ${describeThrown(error)}`, { cause: error }));
        return;
      }
      if (!written && this.drained === undefined) {
        this.drained = new Promise<void>((done) => {
          const finish = (): void => {
            channel.off("drain", finish);
            channel.off("close", finish);
            this.drained = undefined;
            done();
          };
          channel.on("drain", finish);
          channel.on("close", finish);
        });
      }
    });
  }

  async progress(): Promise<LaneProgress | undefined> {
    return this.ledger.progress();
  }

  /** True once a consumer on this lane's tap has a basic.consume-ok, and the broker counts it on the queue. */
  async hasConsumer(): Promise<boolean> {
    if (this.ledger.progress().consumerCount === 0) return false;
    const { consumerCount } = await this.session.admin("check queue", (channel) => channel.checkQueue(this.destinations.queue));
    return consumerCount > 0;
  }

  async deliveryCounts(): Promise<MessageDeliveries[]> {
    return this.ledger.redeliveries();
  }

  deadLetters(): readonly DeadLetter[] {
    return this.deadLettered;
  }

  consumerChannelClosures(): readonly ChannelClosure[] {
    return this.ledger.channelClosures();
  }

  unknownDeliveryTags(): number {
    return this.ledger.unknownDeliveryTags;
  }

  prefetchWindow(): PrefetchWindow {
    return this.ledger.prefetchWindow();
  }

  /** Deletes the queues; idempotent, and every call resolves once the deletion is over. */
  dispose(): Promise<void> {
    this.disposal ??= this.deleteQueues().finally(() => this.onDisposed(this));
    return this.disposal;
  }

  private async deleteQueues(): Promise<void> {
    await this.tap?.close();
    await this.deadLetterChannel?.close().catch(() => undefined);
    await this.channel?.close().catch(() => undefined);
    try {
      await this.session.admin("delete", async (channel) => {
        await channel.deleteQueue(this.destinations.queue);
        await channel.deleteQueue(this.destinations.deadLetterQueue);
      });
    } catch (error) {
      debug("Could not delete queue %s: %s", this.destinations.queue, describeThrown(error));
    }
  }
}
