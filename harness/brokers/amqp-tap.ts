import { createConnection, createServer, type Server, type Socket } from "node:net";
import createDebug from "debug";
import { describeThrown } from "../errors.ts";
import { ArgumentReader, FRAME_HEADER, FRAME_METHOD, FrameReader, Method, messageIdOf, methodId } from "./amqp-frames.ts";
import { DeliveryLedger } from "./delivery-ledger.ts";

const debug = createDebug("poisonpill:amqp-tap");

interface ChannelState {
  /** Delivery tag -> lane sequence number of messages delivered and not yet settled. */
  unacknowledged: Map<number, number>;
  /** Consumer tag -> no-ack flag. */
  consumers: Map<string, boolean>;
  /** basic.consume requests waiting for consume-ok: consumer tag as requested ("" = server-named) and no-ack flag. */
  pendingConsumes: Array<{ tag: string; noAck: boolean }>;
  /** no-ack flags of basic.get requests waiting for get-ok or get-empty. */
  pendingGets: boolean[];
  /** Sequence number of the message this channel settled last: the likely cause of a channel exception that follows. */
  lastSettled?: number;
  /** Set once the consumer settled a tag the channel does not hold: the broker discards every later frame until it has closed the channel. */
  failing?: boolean;
  /** A delivery whose content header has not arrived yet. */
  pendingDelivery?: { tag: number; noAck: boolean; redelivered: boolean };
}

/**
 * A loopback relay between one lane's consumer and the broker that reads the
 * AMQP frames passing through it and records, per message, every delivery,
 * acknowledgement, rejection and requeue in a DeliveryLedger.
 *
 * NOTE: RabbitMQ reports only a queue's ready count live, through
 * queue.declare. Its unacknowledged counts in the management API are sampled
 * every 5 s by default (measured 5-10 s on RabbitMQ 3.10.8 here), too late to
 * tell a hang from a slow ack.
 * The consumer's own connection is the only exact source, which is why the
 * consumer is given `${brokerUrl}` pointing here. A consumer that connects
 * somewhere else, or over TLS, is invisible to the tap.
 */
export class AmqpTap {
  private closed = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly sockets: Set<Socket>,
  ) {}

  /** Starts listening on a free 127.0.0.1 port, relaying each connection to `upstream`. */
  static async start(upstream: { host: string; port: number }, ledger: DeliveryLedger, messageIdPrefix: string): Promise<AmqpTap> {
    const sockets = new Set<Socket>();
    const server = createServer((client) => {
      const broker = createConnection({ host: upstream.host, port: upstream.port });
      sockets.add(client);
      sockets.add(broker);
      new TappedConnection(client, broker, ledger, messageIdPrefix, () => {
        sockets.delete(client);
        sockets.delete(broker);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("the AMQP tap has no TCP address");
    const tap = new AmqpTap(server, address.port, sockets);
    debug("Tap listening on 127.0.0.1:%d for %s:%d", address.port, upstream.host, upstream.port);
    return tap;
  }

  /** Stops listening and cuts every relayed connection; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** One consumer connection through the tap. */
class TappedConnection {
  private readonly channels = new Map<number, ChannelState>();
  private ended = false;

  constructor(
    private readonly client: Socket,
    private readonly broker: Socket,
    private readonly ledger: DeliveryLedger,
    private readonly messageIdPrefix: string,
    onEnd: () => void,
  ) {
    const fromClient = new FrameReader((type, channel, payload) => this.clientFrame(type, channel, payload), true, (reason) => this.lost("client", reason));
    const fromBroker = new FrameReader((type, channel, payload) => this.brokerFrame(type, channel, payload), false, (reason) => this.lost("broker", reason));
    client.on("data", (chunk: Buffer) => fromClient.push(chunk));
    broker.on("data", (chunk: Buffer) => fromBroker.push(chunk));
    client.pipe(broker);
    broker.pipe(client);
    const end = (): void => {
      if (this.ended) return;
      this.ended = true;
      client.destroy();
      broker.destroy();
      // The broker requeues whatever a closed connection left unacknowledged.
      for (const number of [...this.channels.keys()]) this.releaseChannel(number);
      onEnd();
    };
    for (const socket of [client, broker]) {
      socket.on("error", (error) => debug("Relayed socket error: %s", describeThrown(error)));
      socket.on("close", end);
    }
  }

  private lost(direction: string, reason: string): void {
    debug("Stopped reading %s frames: %s", direction, reason);
    this.ledger.noteUnreadable(`${direction} frames unreadable: ${reason}`);
  }

  private channel(number: number): ChannelState {
    let state = this.channels.get(number);
    if (state === undefined) {
      state = { unacknowledged: new Map(), consumers: new Map(), pendingConsumes: [], pendingGets: [] };
      this.channels.set(number, state);
    }
    return state;
  }

  /** Forgets a channel: its consumers are gone and its unacknowledged messages return to the queue. */
  private releaseChannel(number: number): number[] {
    const state = this.channels.get(number);
    if (state === undefined) return [];
    this.channels.delete(number);
    const released = [...state.unacknowledged.values()];
    for (const seq of released) this.ledger.requeued(seq);
    this.ledger.consumersRemoved(state.consumers.size);
    return released;
  }

  private clientFrame(type: number, number: number, payload: Buffer | undefined): void {
    if (type !== FRAME_METHOD || payload === undefined) return;
    const id = methodId(payload);
    const args = new ArgumentReader(payload);
    const state = this.channel(number);
    switch (id) {
      case Method.BasicQos: {
        args.long();
        this.ledger.notePrefetch(args.short());
        return;
      }
      case Method.BasicConsume: {
        args.short();
        args.shortString();
        const tag = args.shortString();
        const bits = args.octet();
        const noAck = (bits & 0x02) !== 0;
        if ((bits & 0x08) !== 0) {
          // no-wait: the broker sends no consume-ok, so the consumer exists now.
          state.consumers.set(tag, noAck);
          this.ledger.consumersAdded(1);
        } else {
          state.pendingConsumes.push({ tag, noAck });
        }
        return;
      }
      case Method.BasicCancel: {
        if (state.consumers.delete(args.shortString())) this.ledger.consumersRemoved(1);
        return;
      }
      case Method.BasicGet: {
        args.short();
        args.shortString();
        state.pendingGets.push((args.octet() & 0x01) !== 0);
        return;
      }
      case Method.BasicAck: {
        const tag = args.longlong();
        this.settle(state, tag, (args.octet() & 0x01) !== 0, (seq) => this.ledger.acknowledged(seq));
        return;
      }
      case Method.BasicReject: {
        const tag = args.longlong();
        const requeue = (args.octet() & 0x01) !== 0;
        this.settle(state, tag, false, (seq) => (requeue ? this.ledger.requeued(seq) : this.ledger.rejected(seq)));
        return;
      }
      case Method.BasicNack: {
        const tag = args.longlong();
        const bits = args.octet();
        const requeue = (bits & 0x02) !== 0;
        this.settle(state, tag, (bits & 0x01) !== 0, (seq) => (requeue ? this.ledger.requeued(seq) : this.ledger.rejected(seq)));
        return;
      }
      case Method.BasicRecover:
      case Method.BasicRecoverAsync: {
        for (const seq of state.unacknowledged.values()) this.ledger.requeued(seq);
        state.unacknowledged.clear();
        return;
      }
      case Method.ChannelClose:
        this.releaseChannel(number);
        return;
      default:
        return;
    }
  }

  private brokerFrame(type: number, number: number, payload: Buffer | undefined): void {
    if (payload === undefined) return;
    const state = this.channel(number);
    if (type === FRAME_HEADER) {
      const delivery = state.pendingDelivery;
      state.pendingDelivery = undefined;
      if (delivery === undefined) return;
      const seq = this.seqOf(messageIdOf(payload));
      if (seq === undefined) return;
      this.ledger.delivered(seq);
      if (delivery.noAck) this.ledger.acknowledged(seq);
      else state.unacknowledged.set(delivery.tag, seq);
      return;
    }
    if (type !== FRAME_METHOD) return;
    const args = new ArgumentReader(payload);
    switch (methodId(payload)) {
      case Method.BasicConsumeOk: {
        const tag = args.shortString();
        const pending = state.pendingConsumes.shift();
        state.consumers.set(tag, pending?.noAck ?? false);
        this.ledger.consumersAdded(1);
        return;
      }
      case Method.BasicCancel: {
        // The broker cancels a consumer whose queue was deleted.
        if (state.consumers.delete(args.shortString())) this.ledger.consumersRemoved(1);
        return;
      }
      case Method.BasicDeliver: {
        const consumerTag = args.shortString();
        const tag = args.longlong();
        const redelivered = (args.octet() & 0x01) !== 0;
        state.pendingDelivery = { tag, noAck: state.consumers.get(consumerTag) ?? false, redelivered };
        return;
      }
      case Method.BasicGetOk: {
        const tag = args.longlong();
        const redelivered = (args.octet() & 0x01) !== 0;
        state.pendingDelivery = { tag, noAck: state.pendingGets.shift() ?? false, redelivered };
        return;
      }
      case Method.BasicGetEmpty:
        state.pendingGets.shift();
        return;
      case Method.ChannelClose: {
        const replyCode = args.short();
        const replyText = args.shortString();
        const hadConsumers = state.consumers.size > 0;
        const lastSettled = state.lastSettled;
        const released = this.releaseChannel(number);
        if (hadConsumers) this.ledger.consumerChannelClosed({ channel: number, replyCode, replyText, unacknowledged: released, lastSettled });
        return;
      }
      case Method.ConnectionClose: {
        const replyCode = args.short();
        const replyText = args.shortString();
        for (const [channel, channelState] of [...this.channels]) {
          const hadConsumers = channelState.consumers.size > 0;
          const lastSettled = channelState.lastSettled;
          const released = this.releaseChannel(channel);
          if (hadConsumers) this.ledger.consumerChannelClosed({ channel, replyCode, replyText, unacknowledged: released, lastSettled });
        }
        return;
      }
      default:
        return;
    }
  }

  private settle(state: ChannelState, tag: number, multiple: boolean, apply: (seq: number) => void): void {
    if (state.failing) return;
    if (!multiple) {
      const seq = state.unacknowledged.get(tag);
      state.unacknowledged.delete(tag);
      if (seq !== undefined) {
        state.lastSettled = seq;
        apply(seq);
      } else if (state.consumers.size > 0 || state.pendingGets.length === 0) {
        // A tag the channel does not hold: RabbitMQ closes the channel (406, unknown delivery tag) a moment later.
        state.failing = true;
        this.ledger.noteUnknownDeliveryTag();
      }
      return;
    }
    // multiple: every outstanding tag up to and including `tag`; tag 0 means all of them.
    for (const [outstanding, seq] of [...state.unacknowledged]) {
      if (tag !== 0 && outstanding > tag) continue;
      state.unacknowledged.delete(outstanding);
      state.lastSettled = seq;
      apply(seq);
    }
  }

  private seqOf(messageId: string | undefined): number | undefined {
    if (messageId === undefined || !messageId.startsWith(this.messageIdPrefix)) return undefined;
    const seq = Number(messageId.slice(this.messageIdPrefix.length));
    return Number.isSafeInteger(seq) && seq > 0 ? seq : undefined;
  }
}
