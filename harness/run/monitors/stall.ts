import type { MonitorFactory, MonitorFailure, StartMonitor } from "../consumer-start.ts";
import type { ConsumerStart } from "../consumer-start.ts";

export const STALL_SIGNATURE = "stall";

/**
 * Reports `stall`: the consumer's prefetch window is full (as many messages
 * unacknowledged as its basic.qos allows), nothing was acknowledged or
 * rejected for `hangTimeoutMs`, messages wait in the queue, and the consumer
 * had acknowledged messages delivered after the oldest one it holds. So it
 * was not blocked but left messages unsettled until the broker had no room
 * to deliver more. The suspects are the held messages.
 *
 * A consumer that stops on a message (its window fills behind it, nothing
 * after it is acknowledged) is a `hang`. The two never fire for one event:
 * this monitor runs before the engine's hang check, on the same clock, and
 * reports only when the held messages were overtaken.
 *
 * A replay sends only the suspects, so no later message can overtake them
 * and nothing waits behind them. In a replay a full window with no
 * settlement for `hangTimeoutMs` is therefore enough. The stall is
 * reproduced by replaying the held messages together, while one held
 * message alone is a hang.
 *
 * NOTE: the harness publishes at most `maxInFlight` messages past the
 * acknowledged prefix, so the queue backs up by at most that many; "messages
 * wait" is read as published minus delivered being above zero.
 */
class StallMonitor implements StartMonitor {
  constructor(private readonly start: ConsumerStart) {}

  check(): MonitorFailure | undefined {
    const window = this.start.lane.prefetchWindow!();
    const { prefetch } = window;
    if (prefetch === undefined || prefetch === 0 || window.unacknowledged.length < prefetch) return undefined;
    const stalledMs = this.start.unacknowledgedMs();
    if (stalledMs < this.start.context.settings.hangTimeoutMs) return undefined;
    const readyMessages = Math.max(0, this.start.published - window.delivered);
    if (this.start.purpose === "flood" && (readyMessages === 0 || !window.overtaken)) return undefined;
    return {
      kind: "detected",
      detector: "stall",
      signature: STALL_SIGNATURE,
      evidence: { prefetch, unacknowledgedMessages: window.unacknowledged.length, readyMessages, stalledMs, overtaken: window.overtaken },
      suspects: window.unacknowledged,
    };
  }
}

/** Attaches the stall monitor to starts whose lane sees the prefetch window (RabbitMQ, through the AMQP tap). */
export const stallMonitor: MonitorFactory = (start) => (start.lane.prefetchWindow === undefined ? undefined : new StallMonitor(start));
