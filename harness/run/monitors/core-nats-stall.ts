import type { MonitorFactory, MonitorFailure, StartMonitor } from "../consumer-start.ts";
import { connzWatcherFor, type ConnzWatcher } from "./connz.ts";
import { hangSignature } from "../../findings/signature.ts";

/**
 * Reports a hang of a core NATS consumer from the server's side: bytes wait
 * for its connection (the socket stopped taking them) and no message reached
 * it for `hangTimeoutMs`. A consumer whose event loop is blocked stops
 * reading its socket, so this holds even though core NATS has no
 * acknowledgements.
 *
 * NOTE: it needs enough traffic behind the blocked message to fill the
 * socket buffers (a few hundred kilobytes on Linux loopback). A short replay
 * never fills them, so replays rely on the liveness probe or the CPU monitor.
 */
export class CoreNatsStallMonitor implements StartMonitor {
  constructor(
    private readonly connz: ConnzWatcher,
    private readonly hangTimeoutMs: number,
  ) {}

  check(): MonitorFailure | undefined {
    const connection = this.connz.latest;
    if (connection === undefined || connection.pendingBytes === 0) return undefined;
    const blockedMs = this.connz.deliveryStalledMs;
    if (blockedMs < this.hangTimeoutMs) return undefined;
    return {
      kind: "detected",
      detector: "hang",
      signature: hangSignature(),
      evidence: { blockedMs, pendingBytes: connection.pendingBytes, deliveredMessages: connection.outMessages, via: "nats-connz" },
    };
  }

  undecided(): boolean {
    return (this.connz.latest?.pendingBytes ?? 0) > 0;
  }

  stop(): void {
    this.connz.stop();
  }
}

/** Attaches the stall monitor to core NATS consumer starts on a server with a monitoring endpoint. */
export function coreNatsStallMonitor(): MonitorFactory {
  return (start) => {
    const connz = connzWatcherFor(start);
    return connz === undefined ? undefined : new CoreNatsStallMonitor(connz, start.context.settings.hangTimeoutMs);
  };
}
