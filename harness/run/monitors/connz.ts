import createDebug from "debug";
import type { ConsumerStart } from "../consumer-start.ts";

const debug = createDebug("poisonpill:monitor");

/** The consumer's connection as the NATS server's `/connz` endpoint reports it. */
export interface ConsumerConnection {
  cid: number;
  /** Bytes the server holds for the connection because the socket would not take them. */
  pendingBytes: number;
  /** Messages the server has written to the connection's socket. */
  outMessages: number;
  atMs: number;
}

interface ConnzBody {
  connections?: Array<{ cid: number; pending_bytes?: number; out_msgs?: number; subscriptions_list?: string[] }>;
}

/** Time one `/connz` request may take; the endpoint responds from memory in milliseconds on loopback. */
const REQUEST_TIMEOUT_MS = 2_000;

/**
 * Polls the server's `/connz?subs=1` for the connection that subscribes to a
 * core NATS lane's subject, so detectors see delivery progress and the
 * bytes backing up behind a consumer that stopped reading its socket.
 */
export class ConnzWatcher {
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;
  private latestReading: ConsumerConnection | undefined;
  private lastOutChangeAt = Date.now();

  constructor(
    private readonly monitorUrl: string,
    private readonly subject: string,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => void this.poll(), intervalMs);
    this.timer.unref();
    void this.poll();
  }

  /** The last reading of the consumer's connection, if it was found. */
  get latest(): ConsumerConnection | undefined {
    return this.latestReading;
  }

  /** Milliseconds since the server last wrote a message to the consumer. */
  get deliveryStalledMs(): number {
    return Date.now() - this.lastOutChangeAt;
  }

  private async poll(): Promise<void> {
    if (this.inFlight || this.timer === undefined) return;
    this.inFlight = true;
    try {
      const response = await fetch(`${this.monitorUrl}/connz?subs=1&limit=1024`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      const body = (await response.json()) as ConnzBody;
      const connection = (body.connections ?? []).find((c) => (c.subscriptions_list ?? []).includes(this.subject));
      if (connection === undefined) return;
      const reading = { cid: connection.cid, pendingBytes: connection.pending_bytes ?? 0, outMessages: connection.out_msgs ?? 0, atMs: Date.now() };
      if (this.latestReading === undefined || reading.outMessages !== this.latestReading.outMessages) this.lastOutChangeAt = reading.atMs;
      this.latestReading = reading;
    } catch (error) {
      debug("Could not read %s/connz: %s", this.monitorUrl, error);
    } finally {
      this.inFlight = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

const watchers = new WeakMap<ConsumerStart, ConnzWatcher>();

/** Milliseconds between `/connz` requests: four a second resolves stalls well below any sensible hang timeout. */
const CONNZ_INTERVAL_MS = 250;

/**
 * The shared watcher of a core NATS consumer start, created on first use;
 * undefined when the lane tracks acknowledgements or the server has no
 * monitoring endpoint (a broker given by URL).
 */
export function connzWatcherFor(start: ConsumerStart): ConnzWatcher | undefined {
  const monitorUrl = start.context.session.monitorUrl;
  const subject = start.lane.placeholders.subject;
  if (start.lane.tracksAcks || monitorUrl === undefined || subject === undefined || subject === "") return undefined;
  let watcher = watchers.get(start);
  if (watcher === undefined) {
    watcher = new ConnzWatcher(monitorUrl, subject, CONNZ_INTERVAL_MS);
    watchers.set(start, watcher);
  }
  return watcher;
}
