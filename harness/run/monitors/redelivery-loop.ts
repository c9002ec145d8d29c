import type { MonitorFactory } from "../consumer-start.ts";

/**
 * Detects a message delivered more than `maxDeliveries` times: a consumer
 * that requeues (nack/reject with requeue, JetStream nak) a message it can
 * never process, so the queue spins on it and starves everything behind it.
 * Needs a lane that counts deliveries per message; the suspects are the
 * looping messages, most delivered first.
 */
export const redeliveryLoopMonitor: MonitorFactory = (start) => {
  const lane = start.lane;
  if (lane.deliveryCounts === undefined) return undefined;
  const limit = start.context.settings.maxDeliveries;
  return {
    async check() {
      const counts = await lane.deliveryCounts!();
      const looping = counts.filter((entry) => entry.deliveries > limit).sort((a, b) => b.deliveries - a.deliveries);
      const worst = looping[0];
      if (worst === undefined) return undefined;
      return {
        kind: "detected",
        detector: "redelivery-loop",
        signature: "redelivery-loop",
        evidence: { deliveries: worst.deliveries, maxDeliveries: limit, lanePosition: worst.seq, loopingMessages: looping.length },
        suspects: looping.map((entry) => entry.seq),
      };
    },
  };
};
