import amqp from "amqplib";
import type { HeaderValue } from "../../generators/sample.ts";
import { redactText, redactUrl } from "../brokers/url-guard.ts";
import { ConfigError, EnvironmentError, describeThrown } from "../errors.ts";
import type { CapturedMessage } from "./captured.ts";

export interface RabbitQueueReadOptions {
  url: string;
  queue: string;
  /** Messages to read from the head of the queue. Default 100. */
  maxMessages?: number;
  /** Time allowed for connecting and reading, in milliseconds. Default 10_000. */
  timeoutMs?: number;
}

/**
 * Headers RabbitMQ adds when it dead-letters a message. They describe the
 * broker's bookkeeping, not what the producer sent, so they are left out.
 */
const DEAD_LETTER_HEADER = /^x-(death|first-death-|last-death-)/;

function toHeaderValue(value: unknown): HeaderValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return Uint8Array.from(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.flatMap((item) => toHeaderValue(item) ?? []);
  if (typeof value === "object") {
    // amqplib returns typed table values as { type, value }.
    const typed = value as { type?: unknown; value?: unknown };
    if (typeof typed.type === "string" && "value" in typed && Object.keys(value).length === 2) return toHeaderValue(typed.value);
    const entries = Object.entries(value).flatMap(([key, inner]) => {
      const converted = toHeaderValue(inner);
      return converted === undefined ? [] : [[key, converted] as const];
    });
    return Object.fromEntries(entries);
  }
  return undefined;
}

function headersOf(raw: Record<string, unknown> | undefined): Record<string, HeaderValue> | undefined {
  if (raw === undefined) return undefined;
  const entries = Object.entries(raw).flatMap(([key, value]) => {
    if (DEAD_LETTER_HEADER.test(key)) return [];
    const converted = toHeaderValue(value);
    return converted === undefined ? [] : [[key, converted] as const];
  });
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

/**
 * Reads up to `maxMessages` messages from the head of a queue without
 * removing them: each is fetched with basic.get and manual acknowledgement,
 * and at the end all are rejected with requeue, which puts them back at
 * their positions. If the process dies first, the broker requeues them when
 * the connection drops.
 *
 * NOTE: a requeue marks the messages redelivered, and on a quorum queue it
 * counts toward `x-delivery-limit`; a queue at its limit dead-letters them.
 */
export async function capturedFromRabbitQueue(options: RabbitQueueReadOptions): Promise<CapturedMessage[]> {
  const maxMessages = options.maxMessages ?? 100;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  let connection: amqp.ChannelModel;
  try {
    connection = await amqp.connect(options.url, { timeout: timeoutMs });
  } catch (error) {
    throw new EnvironmentError(`could not connect to RabbitMQ at ${redactUrl(options.url)}: ${redactText(describeThrown(error))}`, { value: redactUrl(options.url), hint: "check --rabbitmq-url and that the broker runs", cause: error });
  }
  // A failed queue check closes the channel; the connection reports it as an error event.
  connection.on("error", () => undefined);
  try {
    const channel = await connection.createChannel();
    channel.on("error", () => undefined);
    try {
      await channel.checkQueue(options.queue);
    } catch (error) {
      throw new ConfigError(`RabbitMQ queue "${options.queue}" not found at ${redactUrl(options.url)}`, { value: options.queue, hint: "check --rabbitmq-queue (and the vhost in --rabbitmq-url)", cause: error });
    }
    const captured: CapturedMessage[] = [];
    try {
      while (captured.length < maxMessages && Date.now() < deadline) {
        const message = await channel.get(options.queue, { noAck: false });
        if (message === false) break;
        captured.push({
          bytes: Uint8Array.from(message.content),
          headers: headersOf(message.properties.headers as Record<string, unknown> | undefined),
          from: `rabbitmq queue ${options.queue} message ${captured.length + 1}`,
        });
      }
    } finally {
      channel.nackAll(true);
      await channel.close();
    }
    return captured;
  } finally {
    await connection.close().catch(() => undefined);
  }
}
