import { redactText } from "../brokers/url-guard.ts";
import type { HarnessEvent } from "../events.ts";
import type { ShrinkRecord } from "../findings/types.ts";

/** Seconds between progress lines when stderr is not a terminal (CI logs). */
const PLAIN_PROGRESS_INTERVAL_MS = 5_000;

/** Explains a shrink that found nothing smaller after `replays` replays, ended by `stoppedBy`. */
export function notSmallerReason(replays: number, stoppedBy: ShrinkRecord["stoppedBy"]): string {
  if (stoppedBy === "minimal") return `no smaller payload fails the same way (${replays} replays)`;
  return `no smaller payload failed the same way before the ${stoppedBy} limit (${replays} replays)`;
}

/**
 * Renders run events on stderr: a live progress line on a terminal, and one
 * line per event (progress at most every five seconds) elsewhere. Broker URLs
 * in any line are redacted.
 */
export function createProgressPrinter(stream: NodeJS.WriteStream = process.stderr): (event: HarnessEvent) => void {
  const live = stream.isTTY === true;
  let lastPlainProgressAt = 0;
  let lastSent = 0;
  let lastAt = Date.now();
  let lineOpen = false;

  const writeLine = (text: string): void => {
    if (lineOpen) stream.write("\r\x1b[2K");
    lineOpen = false;
    stream.write(`${redactText(text)}\n`);
  };

  return (event) => {
    switch (event.type) {
      case "BrokerReady": {
        const owner = event.containerId !== undefined ? `, container ${event.containerId.slice(0, 12)}` : event.pid !== undefined ? `, pid ${event.pid}` : "";
        const reason = event.reason === undefined ? "" : `; ${event.reason}`;
        writeLine(`broker: ${event.kind} at ${event.url} (${event.via}${owner}${reason})`);
        break;
      }
      case "Progress": {
        const now = Date.now();
        const rate = ((event.sent - lastSent) * 1000) / Math.max(1, now - lastAt);
        lastSent = event.sent;
        lastAt = now;
        const text = `sent ${event.sent}, acknowledged ${event.acknowledged}, ${rate.toFixed(0)} msg/s, findings ${event.findings}, ${(event.elapsedMs / 1000).toFixed(1)} s`;
        if (live) {
          stream.write(`\r\x1b[2K${text}`);
          lineOpen = true;
        } else if (now - lastPlainProgressAt >= PLAIN_PROGRESS_INTERVAL_MS) {
          lastPlainProgressAt = now;
          writeLine(text);
        }
        break;
      }
      case "FailureObserved":
        writeLine(`observed ${event.detector} (${event.signature.slice(0, 120)}); attributing`);
        break;
      case "FindingConfirmed":
        writeLine(`${event.finding.reproduced ? "confirmed" : "NOT reproduced"}: ${event.finding.detector} ${event.finding.id} -> ${event.finding.dir}`);
        break;
      case "CorpusCaseReplayed":
        writeLine(`corpus ${event.id}: ${event.failed ? `FAILS AGAIN (${(event.signature ?? "").slice(0, 120)})` : "passes"}`);
        break;
      case "CorpusCaseAdded":
        if (event.outcome !== "kept") writeLine(`corpus: ${event.outcome} ${event.dir}`);
        break;
      case "FindingShrunk":
        if (event.smaller) writeLine(`shrunk: ${event.id} from ${event.originalBytes} to ${event.bytes} bytes in ${event.replays} replays (${event.stoppedBy})`);
        else writeLine(`could not shrink ${event.id} (${event.originalBytes} bytes): ${notSmallerReason(event.replays, event.stoppedBy)}`);
        break;
      case "ReproducerReplaced":
        writeLine(`smaller reproducer: ${event.id} now fails with a ${event.bytes}-byte ${event.mutation} payload (was ${event.previousBytes} bytes)`);
        break;
      case "Warning":
        writeLine(`warning: ${event.message}`);
        break;
      case "FloodFinished":
        writeLine(`flood finished: ${event.sent} messages in ${(event.durationMs / 1000).toFixed(1)} s`);
        break;
      default:
        break;
    }
  };
}
