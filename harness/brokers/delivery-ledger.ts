import type { ChannelClosure, LaneProgress, MessageDeliveries, PrefetchWindow } from "./types.ts";

/**
 * What happened to each message of one RabbitMQ lane, as the AMQP tap saw
 * it. Messages are numbered by publish attempt (`seq`, carried in the
 * `message-id`), and a publish the broker refused leaves a hole. Lane
 * positions, which the engine uses, are the sequence numbers with the holes
 * closed up, so they stay dense like a JetStream stream's.
 */
export class DeliveryLedger {
  private assigned = 0;
  /** Sequence numbers whose publish failed, ascending. */
  private readonly failed: number[] = [];
  private readonly deliveries = new Map<number, number>();
  private readonly settled = new Set<number>();
  /** Every sequence number up to this one is settled or failed. */
  private settledThrough = 0;
  private deliveredMax = 0;
  /** Every publish up to this sequence number was confirmed or failed. */
  private outcomesThrough = 0;
  private readonly outcomes = new Set<number>();
  private waiters: Array<{ seq: number; resolve: () => void }> = [];
  private consumers = 0;
  /** Delivered and not yet acknowledged, rejected or requeued: sequence number -> delivery number of its latest delivery. */
  private readonly outstanding = new Map<number, number>();
  private deliveryNumber = 0;
  /** Delivery number of the latest-delivered message the consumer settled. */
  private latestSettledDelivery = 0;
  private settlements = 0;
  private readonly closures: ChannelClosure[] = [];
  /** The consumer's last basic.qos prefetch count; 0 means unlimited. */
  prefetch: number | undefined;
  /** Set when the tap lost track of a connection's frames; progress is then incomplete. */
  unreadable: string | undefined;

  /** Hands out the sequence number for the next publish. */
  assign(): number {
    this.assigned += 1;
    return this.assigned;
  }

  publishFailed(seq: number): void {
    let index = this.failed.length;
    while (index > 0 && this.failed[index - 1]! > seq) index -= 1;
    this.failed.splice(index, 0, seq);
    this.advance();
    this.outcomeKnown(seq);
  }

  publishConfirmed(seq: number): void {
    this.outcomeKnown(seq);
  }

  /**
   * Resolves with the lane position of a confirmed publish once every
   * earlier publish has an outcome: until then a later failure could still
   * shift it. Confirms on one channel arrive in order, but an oversized
   * message travels on a channel of its own and fails at its own pace.
   */
  async positionOnceKnown(seq: number): Promise<number> {
    if (this.outcomesThrough < seq - 1) await new Promise<void>((resolve) => this.waiters.push({ seq, resolve }));
    return this.position(seq)!;
  }

  private outcomeKnown(seq: number): void {
    this.outcomes.add(seq);
    while (this.outcomes.has(this.outcomesThrough + 1)) {
      this.outcomes.delete(this.outcomesThrough + 1);
      this.outcomesThrough += 1;
    }
    const ready = this.waiters.filter((waiter) => waiter.seq - 1 <= this.outcomesThrough);
    this.waiters = this.waiters.filter((waiter) => waiter.seq - 1 > this.outcomesThrough);
    for (const waiter of ready) waiter.resolve();
  }

  /** Returns the lane position of a sequence number, or undefined for a failed publish. */
  position(seq: number): number | undefined {
    let below = 0;
    for (const failedSeq of this.failed) {
      if (failedSeq === seq) return undefined;
      if (failedSeq < seq) below += 1;
    }
    return seq - below;
  }

  delivered(seq: number): void {
    this.deliveryNumber += 1;
    this.outstanding.set(seq, this.deliveryNumber);
    this.deliveries.set(seq, (this.deliveries.get(seq) ?? 0) + 1);
    if (seq > this.deliveredMax) this.deliveredMax = seq;
  }

  acknowledged(seq: number): void {
    this.consumerSettled(seq);
    this.settled.add(seq);
    this.advance();
  }

  /**
   * Rejected without requeue: the message leaves the queue for the lane's
   * dead-letter queue. It counts as settled once it arrives there (see
   * `deadLettered`), so no check ends before the dead letter can be examined.
   */
  rejected(seq: number): void {
    this.consumerSettled(seq);
  }

  private consumerSettled(seq: number): void {
    const delivery = this.outstanding.get(seq);
    if (delivery !== undefined && delivery > this.latestSettledDelivery) this.latestSettledDelivery = delivery;
    this.outstanding.delete(seq);
    this.settlements += 1;
  }

  /** The message reached the lane's dead-letter queue. */
  deadLettered(seq: number): void {
    this.settled.add(seq);
    this.advance();
  }

  /** Back to the queue, by nack/reject with requeue, basic.recover or a closed channel. */
  requeued(seq: number): void {
    this.outstanding.delete(seq);
  }

  consumersAdded(count: number): void {
    this.consumers += count;
  }

  consumersRemoved(count: number): void {
    this.consumers = Math.max(0, this.consumers - count);
  }

  notePrefetch(count: number): void {
    this.prefetch = count;
  }

  /** Settlements of delivery tags the consumer's channel did not hold, each followed by a channel close from the broker. */
  unknownDeliveryTags = 0;

  noteUnknownDeliveryTag(): void {
    this.unknownDeliveryTags += 1;
  }

  noteUnreadable(reason: string): void {
    this.unreadable ??= reason;
  }

  /** Records a consumer's channel closed by the broker, converting its sequence numbers to lane positions. */
  consumerChannelClosed(closure: ChannelClosure): void {
    const positions = closure.unacknowledged.flatMap((seq) => this.position(seq) ?? []);
    const lastSettled = closure.lastSettled === undefined ? undefined : this.position(closure.lastSettled);
    this.closures.push({ ...closure, unacknowledged: positions.sort((a, b) => a - b), lastSettled });
  }

  channelClosures(): readonly ChannelClosure[] {
    return this.closures;
  }

  prefetchWindow(): PrefetchWindow {
    const held = [...this.outstanding].sort((a, b) => a[1] - b[1]);
    const oldest = held[0]?.[1];
    return {
      prefetch: this.prefetch,
      unacknowledged: held.flatMap(([seq]) => this.position(seq) ?? []),
      overtaken: oldest !== undefined && this.latestSettledDelivery > oldest,
      delivered: this.deliveries.size,
      settlements: this.settlements,
    };
  }

  /** Messages delivered more than once, by lane position. */
  redeliveries(): MessageDeliveries[] {
    const result: MessageDeliveries[] = [];
    for (const [seq, count] of this.deliveries) {
      if (count < 2) continue;
      const position = this.position(seq);
      if (position !== undefined) result.push({ seq: position, deliveries: count, settled: this.settled.has(seq) });
    }
    return result;
  }

  progress(): LaneProgress {
    let maxRedeliveries = 0;
    for (const [seq, count] of this.deliveries) {
      if (!this.settled.has(seq)) maxRedeliveries = Math.max(maxRedeliveries, count - 1);
    }
    const failedUpTo = (seq: number) => this.failed.filter((f) => f <= seq).length;
    return {
      consumerCount: this.consumers,
      ackedThrough: this.settledThrough - failedUpTo(this.settledThrough),
      deliveredThrough: this.deliveredMax - failedUpTo(this.deliveredMax),
      maxRedeliveries,
      settlements: this.settlements,
    };
  }

  private advance(): void {
    const failed = new Set(this.failed);
    while (this.settledThrough < this.assigned && (this.settled.has(this.settledThrough + 1) || failed.has(this.settledThrough + 1))) this.settledThrough += 1;
  }
}
