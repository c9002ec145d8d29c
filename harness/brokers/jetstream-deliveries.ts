import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import createDebug from "debug";
import type { MessageDeliveries } from "./types.ts";

const debug = createDebug("poisonpill:broker");

/**
 * Counts deliveries per message of one JetStream stream from two sources the
 * server offers:
 * - the reply subject of every delivered message, which the consumer
 *   publishes its ack, nak or term to. It carries the delivery count and the
 *   stream sequence: `$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>`
 *   (nats-server 2.9), or with `<domain>.<account hash>.` after `$JS.ACK.`
 *   and a random token at the end (newer servers). Subscribing to it shows
 *   every settlement the consumer sends, exactly.
 * - the `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES` advisory, published when
 *   a consumer with `max_deliver` gives up on a message.
 *
 * NOTE: a message the consumer takes but never settles is redelivered after
 * `ack_wait` without a reply, so those deliveries are not counted here.
 */
export class JetStreamDeliveries {
  private readonly counts = new Map<number, number>();
  private readonly settled = new Set<number>();
  private readonly subscriptions: Subscription[];

  constructor(nc: NatsConnection, private readonly stream: string) {
    const replies = nc.subscribe("$JS.ACK.>", { callback: (error, message) => (error === null ? this.onReply(message.subject, message.string()) : undefined) });
    const advisories = nc.subscribe(`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.*`, {
      callback: (error, message) => (error === null ? this.onAdvisory(message.string()) : undefined),
    });
    this.subscriptions = [replies, advisories];
  }

  private onReply(subject: string, body: string): void {
    const tokens = subject.split(".");
    // 9 tokens without a domain. 11 or 12 with domain and account hash, and on newer servers a trailing random token.
    let offset: number;
    if (tokens.length === 9) offset = 2;
    else if (tokens.length >= 11) offset = 4;
    else return;
    if (tokens[offset] !== this.stream) return;
    const deliveries = Number(tokens[offset + 2]);
    const seq = Number(tokens[offset + 3]);
    if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(deliveries)) return;
    this.counts.set(seq, Math.max(this.counts.get(seq) ?? 0, deliveries));
    // An empty body or +ACK acknowledges; +TERM terminates. -NAK and +WPI leave the message pending.
    const verb = body.trim();
    if (verb === "" || verb.startsWith("+ACK") || verb.startsWith("+TERM")) this.settled.add(seq);
  }

  private onAdvisory(body: string): void {
    try {
      const advisory = JSON.parse(body) as { stream?: string; stream_seq?: number; deliveries?: number };
      if (advisory.stream !== this.stream || advisory.stream_seq === undefined || advisory.deliveries === undefined) return;
      this.counts.set(advisory.stream_seq, Math.max(this.counts.get(advisory.stream_seq) ?? 0, advisory.deliveries));
    } catch (error) {
      debug("Unreadable MAX_DELIVERIES advisory: %s", error);
    }
  }

  /** Messages delivered more than once, by stream sequence (the lane position). */
  redeliveries(): MessageDeliveries[] {
    const result: MessageDeliveries[] = [];
    for (const [seq, deliveries] of this.counts) if (deliveries > 1) result.push({ seq, deliveries, settled: this.settled.has(seq) });
    return result;
  }

  stop(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }
}
