import type { MonitorFactory } from "../consumer-start.ts";

/** Time for the harness to see the process exit after its connection dropped; a crash is reported as such, not as a lost consumer. */
const EXIT_GRACE_MS = 250;

/** Time for the broker's channel.close to arrive after the tap saw a settlement of an unknown delivery tag; loopback takes about a millisecond. */
const CLOSE_GRACE_MS = 500;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Detects a consumer that died while its process lives on: the broker closed
 * its channel (a channel exception such as 406 PRECONDITION_FAILED on a
 * double ack), or its consumer count on the queue dropped to zero. Both are
 * reported as crashes, since no more messages are processed either way.
 */
export const consumerGoneMonitor: MonitorFactory = (start) => {
  const lane = start.lane;
  if (lane.consumerChannelClosures === undefined) return undefined;
  let closuresSeen = 0;
  let hadConsumer = false;
  return {
    async check() {
      // The consumer settled a tag it does not hold and the broker's close is on its way. Waiting for it keeps
      // a replay from counting the message as processed when its first ack already completed the lane.
      const deadline = Date.now() + CLOSE_GRACE_MS;
      while ((lane.unknownDeliveryTags?.() ?? 0) > lane.consumerChannelClosures!().length && Date.now() < deadline) await delay(10);
      const closures = lane.consumerChannelClosures!();
      const closure = closures[closuresSeen];
      if (closure !== undefined) {
        closuresSeen = closures.length;
        // The message settled last comes first: acknowledging it again is the commonest channel exception.
        const suspects = [...(closure.lastSettled === undefined ? [] : [closure.lastSettled]), ...closure.unacknowledged];
        return {
          kind: "detected",
          detector: "crash",
          signature: `crash:channel-closed:${closure.replyCode}`,
          evidence: { replyCode: closure.replyCode, replyText: closure.replyText },
          suspects: suspects.length > 0 ? suspects : undefined,
        };
      }
      const progress = await lane.progress();
      if (progress === undefined) return undefined;
      if (progress.consumerCount > 0) {
        hadConsumer = true;
        return undefined;
      }
      if (!hadConsumer) return undefined;
      await Promise.race([start.process.exited, delay(EXIT_GRACE_MS)]);
      if (start.exit !== undefined) return undefined;
      hadConsumer = false;
      return { kind: "detected", detector: "crash", signature: "crash:consumer-gone", evidence: { consumerCount: 0 } };
    },
  };
};
