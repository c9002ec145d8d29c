import { connect, headers as natsHeaders, type MsgHdrs, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import createDebug from "debug";
import type { HeaderValue, Sample } from "../../generators/sample.ts";
import { EnvironmentError } from "../errors.ts";
import type { ProvisionedBroker } from "../provision/types.ts";
import { JetStreamDeliveries } from "./jetstream-deliveries.ts";
import type { BrokerSession, Lane, LaneProgress, MessageDeliveries } from "./types.ts";
import { redactUrl } from "./url-guard.ts";

const debug = createDebug("poisonpill:broker");

/** Time allowed for the first connection; loopback brokers respond in milliseconds. */
const CONNECT_TIMEOUT_MS = 5_000;

export interface NatsLaneNames {
  /** Base subject from the scenario. */
  subject: string;
  /** Base stream name from the scenario, if any. */
  stream?: string;
}

function headerText(value: HeaderValue): string {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString("base64") : v));
}

function toNatsHeaders(sample: Sample): MsgHdrs | undefined {
  if (sample.headers === undefined) return undefined;
  const result = natsHeaders();
  for (const [name, value] of Object.entries(sample.headers)) result.append(name, headerText(value));
  return result;
}

/** Replaces every character but letters, digits, '_' and '-', so the text is valid as a subject token and a stream name. */
function sanitizeToken(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, "_");
}

class JetStreamLane implements Lane {
  readonly tracksAcks = true;
  readonly canDetectConsumer = true;
  private disposed = false;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly subject: string,
    private readonly stream: string,
    private readonly deliveries: JetStreamDeliveries,
  ) {}

  async deliveryCounts(): Promise<MessageDeliveries[]> {
    return this.deliveries.redeliveries();
  }

  get placeholders(): Record<string, string> {
    return { subject: this.subject, stream: this.stream };
  }

  async publish(sample: Sample): Promise<number> {
    // No `expect` header: the lane's subject belongs to its stream alone, and headers count against max_payload,
    // so a payload of exactly max_payload bytes must travel without them.
    const ack = await this.js.publish(this.subject, sample.bytes, { headers: toNatsHeaders(sample) });
    return ack.seq;
  }

  async progress(): Promise<LaneProgress | undefined> {
    const consumers = await this.jsm.consumers.list(this.stream).next();
    if (consumers.length === 0) return { consumerCount: 0, ackedThrough: 0, deliveredThrough: 0 };
    // With several consumers on the stream, a message counts as acknowledged only when all have acknowledged it.
    let ackedThrough = Number.POSITIVE_INFINITY;
    let deliveredThrough = 0;
    let redelivered = 0;
    for (const info of consumers) {
      ackedThrough = Math.min(ackedThrough, info.ack_floor.stream_seq);
      deliveredThrough = Math.max(deliveredThrough, info.delivered.stream_seq);
      redelivered = Math.max(redelivered, info.num_redelivered);
    }
    return { consumerCount: consumers.length, ackedThrough, deliveredThrough, maxRedeliveries: redelivered };
  }

  async hasConsumer(): Promise<boolean> {
    const consumers = await this.jsm.consumers.list(this.stream).next();
    return consumers.length > 0;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.deliveries.stop();
    try {
      await this.jsm.streams.delete(this.stream);
    } catch (error) {
      debug("Could not delete stream %s: %s", this.stream, error);
    }
  }
}

class CoreNatsLane implements Lane {
  readonly tracksAcks = false;
  private published = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subject: string,
    private readonly monitorUrl: string | undefined,
  ) {}

  get placeholders(): Record<string, string> {
    return { subject: this.subject, stream: "" };
  }

  get canDetectConsumer(): boolean {
    return this.monitorUrl !== undefined;
  }

  async publish(sample: Sample): Promise<number> {
    this.published += 1;
    const seq = this.published;
    this.nc.publish(this.subject, sample.bytes, { headers: toNatsHeaders(sample) });
    // Core NATS has no per-message receipt; a flush proves the server has read it.
    await this.nc.flush();
    return seq;
  }

  async progress(): Promise<LaneProgress | undefined> {
    return undefined;
  }

  /** Looks the subject up in the server's subscription list (needs the monitoring endpoint). */
  async hasConsumer(): Promise<boolean> {
    if (this.monitorUrl === undefined) return false;
    const response = await fetch(`${this.monitorUrl}/subsz?subs=1&test=${encodeURIComponent(this.subject)}`, { signal: AbortSignal.timeout(2_000) });
    const body = (await response.json()) as { num_subscriptions?: number; subscriptions_list?: Array<{ subject: string }> };
    return (body.subscriptions_list ?? []).some((s) => !s.subject.startsWith("_INBOX."));
  }

  async dispose(): Promise<void> {}
}

/** A NATS connection for a run, on core NATS or JetStream. */
export class NatsSession implements BrokerSession {
  private closed = false;
  private laneCount = 0;

  private constructor(
    readonly kind: "nats" | "jetstream",
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager | undefined,
    private readonly js: JetStreamClient | undefined,
    readonly broker: ProvisionedBroker,
    private readonly names: NatsLaneNames,
    private readonly runTag: string,
  ) {}

  /** Connects to a provisioned broker; fails with an EnvironmentError naming the URL when it cannot. */
  static async open(kind: "nats" | "jetstream", broker: ProvisionedBroker, names: NatsLaneNames, runTag: string): Promise<NatsSession> {
    let nc: NatsConnection;
    try {
      nc = await connect({ servers: broker.url, timeout: CONNECT_TIMEOUT_MS, maxReconnectAttempts: 10, reconnectTimeWait: 200, name: `poisonpill-${runTag}` });
    } catch (error) {
      throw new EnvironmentError(`could not connect to NATS at ${redactUrl(broker.url)} (${(error as Error).message})`, {
        value: redactUrl(broker.url),
        hint: "start the broker, fix the URL, or leave the URL unset so poisonpill starts a private nats-server",
        cause: error,
      });
    }
    if (kind === "nats") return new NatsSession(kind, nc, undefined, undefined, broker, names, runTag);
    let jsm: JetStreamManager;
    try {
      jsm = await jetstreamManager(nc);
    } catch (error) {
      await nc.close();
      throw new EnvironmentError(`NATS at ${redactUrl(broker.url)} has no JetStream (${(error as Error).message})`, {
        value: redactUrl(broker.url),
        hint: "start nats-server with -js, or use broker.kind \"nats\" for core NATS",
        cause: error,
      });
    }
    return new NatsSession(kind, nc, jsm, jetstream(nc), broker, names, runTag);
  }

  get url(): string {
    return this.broker.url;
  }

  get via() {
    return this.broker.via;
  }

  get monitorUrl(): string | undefined {
    return this.broker.monitorUrl;
  }

  get maxPayloadBytes(): number {
    return this.nc.info?.max_payload ?? 1_048_576;
  }

  async openLane(tag: string): Promise<Lane> {
    this.laneCount += 1;
    const token = sanitizeToken(`${this.runTag}-${tag}`);
    const subject = `${this.names.subject}.${token}`;
    if (this.kind === "nats") return new CoreNatsLane(this.nc, subject, this.broker.monitorUrl);
    const base = sanitizeToken(this.names.stream ?? this.names.subject.toUpperCase());
    const stream = `${base}_${token}`;
    await this.jsm!.streams.add({
      name: stream,
      subjects: [subject],
      // Memory storage: lanes are short-lived and large payloads should not touch the disk.
      storage: StorageType.Memory,
      retention: RetentionPolicy.Limits,
      max_msg_size: -1,
    });
    debug("Created stream %s for subject %s", stream, subject);
    return new JetStreamLane(this.js!, this.jsm!, subject, stream, new JetStreamDeliveries(this.nc, stream));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.nc.close();
    } finally {
      await this.broker.stop();
    }
  }
}
