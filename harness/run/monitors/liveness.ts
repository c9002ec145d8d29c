import { execFile } from "node:child_process";
import createDebug from "debug";
import { hangSignature } from "../../findings/signature.ts";
import type { LivenessConfig } from "../../scenario/types.ts";
import type { ConsumerStart, MonitorFactory, MonitorFailure, StartMonitor } from "../consumer-start.ts";
import { expandPlaceholders } from "../placeholders.ts";

const debug = createDebug("poisonpill:monitor");

const DEFAULT_INTERVAL_MS = 250;
const DEFAULT_TIMEOUT_MS = 1_000;

/** Milliseconds of publishing before the last response that still count as suspects: a healthy consumer lags the flood by less. */
const SUSPECT_LAG_MS = 1_000;

/** Publish counts over time, to find what was sent shortly before the consumer stopped responding. */
interface PublishMark {
  atMs: number;
  published: number;
}

/**
 * Polls a liveness probe (an HTTP URL or a command) while the consumer runs.
 * No response for `hangTimeoutMs` is a hang, counted from the last response or
 * from the start. Before the first response only timed-out probes count: a
 * blocked consumer still has its listening socket, so the request is accepted
 * and never responded to, while a refused connection means nothing listens yet.
 * The suspects are the messages published from shortly before the last
 * response up to the first missed one.
 */
export class LivenessMonitor implements StartMonitor {
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private responses = 0;
  private failures = 0;
  private lastResponseAt = 0;
  private failingSince: number | undefined;
  private lastError = "";
  private readonly marks: PublishMark[] = [];
  private publishedAtFirstMiss = 0;
  private lastFailureTimedOut = false;
  /** Responses to probes sent after the latest publish: proof that the consumer got past every message. */
  private responsesSinceLastPublish = 0;
  private publishedAtLastResponse = -1;
  private readonly createdAt = Date.now();

  constructor(
    private readonly start: ConsumerStart,
    private readonly probe: () => Promise<void>,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => void this.poll(), intervalMs);
    this.timer.unref();
    void this.poll();
  }

  private async poll(): Promise<void> {
    if (this.probing || this.timer === undefined || !this.start.process.running) return;
    this.probing = true;
    const published = this.start.published;
    try {
      await this.probe();
      this.responses += 1;
      this.responsesSinceLastPublish = published === this.publishedAtLastResponse && published === this.start.published ? this.responsesSinceLastPublish + 1 : 0;
      this.publishedAtLastResponse = published;
      this.lastResponseAt = Date.now();
      this.failingSince = undefined;
      this.marks.push({ atMs: this.lastResponseAt, published });
      // Only marks within the lag window before the latest response are ever used.
      while (this.marks.length > 2 && this.marks[0]!.atMs < this.lastResponseAt - 2 * SUSPECT_LAG_MS) this.marks.shift();
    } catch (error) {
      this.failures += 1;
      this.lastError = error instanceof Error ? error.message : String(error);
      this.lastFailureTimedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError" || (error as { killed?: boolean }).killed === true);
      if (this.failingSince === undefined) {
        this.failingSince = Date.now();
        this.publishedAtFirstMiss = this.start.published;
      }
      debug("Liveness probe failed for consumer pid %d: %s", this.start.process.pid, this.lastError);
    } finally {
      this.probing = false;
    }
  }

  check(): MonitorFailure | undefined {
    if (!this.failing()) return undefined;
    const blockedMs = Date.now() - (this.responses > 0 ? this.lastResponseAt : this.createdAt);
    if (blockedMs < this.start.context.settings.hangTimeoutMs) return undefined;
    const from = this.responses === 0 ? 0 : (this.marks.find((m) => m.atMs >= this.lastResponseAt - SUSPECT_LAG_MS)?.published ?? 0);
    const suspects = this.start.messages.filter((m) => m.seq > from && m.seq <= this.publishedAtFirstMiss).map((m) => m.seq);
    return {
      kind: "detected",
      detector: "hang",
      signature: hangSignature(),
      evidence: { blockedMs, livenessFailures: this.failures, livenessError: this.lastError, via: "liveness" },
      suspects: suspects.length > 0 ? suspects : undefined,
    };
  }

  /** True while the probe gets no response, so a settle on core NATS waits for the verdict. */
  private failing(): boolean {
    return this.failingSince !== undefined && (this.responses > 0 || this.lastFailureTimedOut);
  }

  /**
   * True while the probe fails, or until the consumer has responded twice
   * since the last publish: on core NATS that is the only sign it got past
   * the last message, so a settle waits for it.
   */
  undecided(): boolean {
    if (this.failing()) return true;
    return this.start.process.running && this.responsesSinceLastPublish < 2;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

async function probeUrl(url: string, timeoutMs: number): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await response.arrayBuffer();
  if (response.status < 200 || response.status > 299) throw new Error(`HTTP ${response.status} from ${url}`);
}

function probeCommand(command: string[], cwd: string, timeoutMs: number): Promise<void> {
  const [program, ...args] = command;
  return new Promise((resolve, reject) => {
    execFile(program!, args, { cwd, timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 64 * 1024 }, (error) => (error === null ? resolve() : reject(error)));
  });
}

/** Attaches the scenario's liveness probe to every consumer start; none without `liveness`. */
export function livenessMonitor(config: LivenessConfig | undefined, cwd: string): MonitorFactory {
  return (start) => {
    if (config === undefined) return undefined;
    const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let probe: () => Promise<void>;
    if (config.url !== undefined) {
      const url = expandPlaceholders(config.url, start.placeholders, "liveness.url");
      probe = () => probeUrl(url, timeoutMs);
    } else {
      const command = config.command!.map((part, i) => expandPlaceholders(part, start.placeholders, `liveness.command[${i}]`));
      probe = () => probeCommand(command, cwd, timeoutMs);
    }
    return new LivenessMonitor(start, probe, config.intervalMs ?? DEFAULT_INTERVAL_MS);
  };
}
