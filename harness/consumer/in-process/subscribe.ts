import amqp from "amqplib";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type MsgHdrs } from "@nats-io/transport-node";
import type { HandlerMessage } from "../../scenario/types.ts";
import type { WorkerSetup } from "./protocol.ts";

/** The outcome of one handler call: acknowledge, reject, or leave unsettled because the handler threw. */
export type Verdict = "ack" | "reject" | "failed";

export type Deliver = (message: Omit<HandlerMessage, "stateDir" | "env">) => Promise<Verdict>;

/** Durable name of the JetStream consumer the worker creates on the lane's stream. */
const DURABLE = "poisonpill-handler";

/** Messages the broker may have delivered ahead of the one being handled; handlers still run one at a time. */
const PREFETCH = 8;

/**
 * Acknowledgement wait on JetStream, in nanoseconds (30 s, as the consumer
 * fixtures use). NOTE: with `consumer.timeoutMs` above it, JetStream
 * redelivers a message whose call is still running.
 */
const ACK_WAIT_NS = 30_000_000_000;

/**
 * Subscribes to the lane as a consumer program would and feeds each message
 * to `deliver`, one at a time, in delivery order. After a "failed" verdict
 * nothing more is delivered: the harness replaces the worker. Returns a
 * function that closes the connection.
 */
export async function subscribe(broker: WorkerSetup["broker"], deliver: Deliver): Promise<() => Promise<void>> {
  if (broker.kind === "rabbitmq") return subscribeRabbitMq(broker.url, broker.queue, deliver);
  const nc = await connect({ servers: broker.url });
  if (broker.kind === "jetstream") {
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.add(broker.stream, { durable_name: DURABLE, ack_policy: AckPolicy.Explicit, ack_wait: ACK_WAIT_NS });
    const consumer = await jetstream(nc).consumers.get(broker.stream, DURABLE);
    const messages = await consumer.consume({ max_messages: PREFETCH });
    void (async () => {
      for await (const message of messages) {
        const verdict = await deliver({ data: message.data, headers: headersOf(message.headers), subject: message.subject, seq: message.seq });
        if (verdict === "failed") return;
        if (verdict === "ack") message.ack();
        else message.term();
      }
    })();
  } else {
    const subscription = nc.subscribe(broker.subject);
    await nc.flush();
    void (async () => {
      let seq = 0;
      for await (const message of subscription) {
        seq += 1;
        if ((await deliver({ data: message.data, headers: headersOf(message.headers), subject: message.subject, seq })) === "failed") return;
      }
    })();
  }
  return () => nc.close();
}

async function subscribeRabbitMq(url: string, queue: string, deliver: Deliver): Promise<() => Promise<void>> {
  const connection = await amqp.connect(url);
  const channel = await connection.createChannel();
  await channel.prefetch(PREFETCH);
  // The harness declared the queue with its own dead-letter arguments; a passive check leaves them alone.
  await channel.checkQueue(queue);
  let previous = Promise.resolve();
  let failed = false;
  let seq = 0;
  await channel.consume(queue, (message) => {
    if (message === null) return;
    previous = previous.then(async () => {
      if (failed) return;
      if (!message.fields.redelivered) seq += 1;
      const headers = Object.fromEntries(Object.entries(message.properties.headers ?? {}).map(([name, value]) => [name, amqpHeaderText(value)]));
      const verdict = await deliver({ data: message.content, headers, subject: queue, seq });
      if (verdict === "failed") failed = true;
      else if (verdict === "ack") channel.ack(message);
      else channel.nack(message, false, false);
    });
  });
  return () => connection.close();
}

function headersOf(headers: MsgHdrs | undefined): Record<string, string> | undefined {
  if (headers === undefined) return undefined;
  return Object.fromEntries(headers.keys().map((name) => [name, headers.get(name)]));
}

/**
 * Renders an AMQP header value as text without throwing: strings as they
 * are, byte arrays as UTF-8, tables and arrays as JSON. `String()` throws
 * on some tables of the generated `headers` sample class.
 */
function amqpHeaderText(value: unknown): string {
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  try {
    return JSON.stringify(value, (_key, item: unknown) => (typeof item === "bigint" ? item.toString() : item)) ?? "";
  } catch {
    return Object.prototype.toString.call(value);
  }
}
