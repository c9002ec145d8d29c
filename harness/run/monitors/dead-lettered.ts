import type { MonitorFactory } from "../consumer-start.ts";

/**
 * Reads the lane's dead-letter queue. A dead-lettered message counts as
 * rejected by the consumer: correct for an `expect: "reject"` sample, a
 * finding for an `expect: "accept"` one, which the consumer should have
 * processed.
 */
export const deadLetteredMonitor: MonitorFactory = (start) => {
  const lane = start.lane;
  if (lane.deadLetters === undefined) return undefined;
  let examined = 0;
  return {
    check() {
      const letters = lane.deadLetters!();
      while (examined < letters.length) {
        const letter = letters[examined]!;
        const message = start.messages.find((m) => m.seq === letter.seq);
        // Dead-lettered before its publish confirm arrived: look again after the next poll.
        if (message === undefined) return undefined;
        examined += 1;
        if (message.sample.expect !== "accept") continue;
        return {
          kind: "detected",
          detector: "dead-lettered",
          signature: `dead-lettered:${letter.reason}`,
          evidence: { reason: letter.reason, lanePosition: letter.seq, expect: message.sample.expect },
          suspects: [letter.seq],
        };
      }
      return undefined;
    },
  };
};
