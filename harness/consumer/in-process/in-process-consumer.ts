import { Worker } from "node:worker_threads";
import createDebug from "debug";
import { ConfigError, EnvironmentError, describeThrown } from "../../errors.ts";
import type { ConsumerHandle, ExitInfo } from "../consumer-handle.ts";
import { OutputTail } from "../output-tail.ts";
import type { StopRequest, WorkerReport, WorkerSetup } from "./protocol.ts";

const debug = createDebug("poisonpill:consumer");

export interface InProcessSpec {
  setup: WorkerSetup;
  /** Milliseconds one handler call may take before the worker is terminated. */
  timeoutMs: number;
  /** Milliseconds the worker gets to close its connection on `stop()` before it is terminated. */
  stopGraceMs: number;
}

/** A handler call stopped for running past its time limit. */
export interface HandlerTimeout {
  /** The message's position on the lane, as the worker counted it. */
  seq: number;
  /** Milliseconds the call had been running when the worker was terminated. */
  blockedMs: number;
  timeoutMs: number;
}

let liveWorkers = 0;

/** Handler worker threads started and not yet exited, in this process. */
export function liveHandlerWorkers(): number {
  return liveWorkers;
}

/** Watchdog period: a tenth of the time limit, within 10 to 100 ms, so a timeout is seen within 10 % or 100 ms. */
function watchdogIntervalMs(timeoutMs: number): number {
  return Math.min(100, Math.max(10, Math.floor(timeoutMs / 10)));
}

/**
 * One start of an in-process handler: a worker thread that subscribes to the
 * lane and calls the handler per message. A handler that throws ends the
 * start like a crashed process (exit code 1, the stack on stderr). A call past
 * `timeoutMs` gets the worker terminated, which also stops a synchronous
 * infinite loop. `timedOut` then describes the call, and `exited` stays
 * pending until `stop()`, so a monitor reports a hang of that message
 * instead of the engine reporting a crash.
 */
export class InProcessConsumer implements ConsumerHandle {
  readonly pid = undefined;
  readonly stdout = new OutputTail();
  readonly stderr = new OutputTail();
  readonly exited: Promise<ExitInfo>;
  exitInfo: ExitInfo | undefined;
  timedOut: HandlerTimeout | undefined;
  /** The handler call in progress: its message's seq and when it began (Date.now()). */
  busy: { seq: number; sinceMs: number } | undefined;
  private heapUsedBytes: number | undefined;
  private resolveExited!: (info: ExitInfo) => void;
  private readonly workerExit: Promise<number>;
  private readonly watchdog: NodeJS.Timeout;
  private readonly startedAt = Date.now();
  private stopping: Promise<void> | undefined;
  private readyListener: ((report: WorkerReport) => void) | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly spec: InProcessSpec,
  ) {
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
    worker.stdout.on("data", (chunk: Buffer) => this.stdout.push(chunk));
    worker.stderr.on("data", (chunk: Buffer) => this.stderr.push(chunk));
    worker.on("message", (report: WorkerReport) => this.onReport(report));
    worker.on("error", (error) => this.crash(error instanceof Error && error.stack !== undefined ? error.stack : `Error: ${describeThrown(error)}`));
    liveWorkers += 1;
    this.workerExit = new Promise((resolve) => worker.once("exit", resolve));
    void this.workerExit.then(() => (liveWorkers -= 1));
    // `threadId` reads -1 once the worker has exited.
    const { threadId } = worker;
    void this.workerExit.then((code) => {
      debug("Handler worker %d exited (code %d)", threadId, code);
      if (this.stopping === undefined && this.timedOut === undefined) this.finish({ code, signal: null, afterMs: Date.now() - this.startedAt });
    });
    this.watchdog = setInterval(() => this.checkTimeLimit(), watchdogIntervalMs(spec.timeoutMs));
    this.watchdog.unref();
  }

  /** Starts the worker and waits until it has subscribed; fails with a ConfigError when the handler cannot be loaded. */
  static async start(spec: InProcessSpec, readyTimeoutMs: number): Promise<InProcessConsumer> {
    const worker = new Worker(new URL("./worker-entry.mjs", import.meta.url), {
      workerData: spec.setup,
      env: { ...process.env, ...spec.setup.env },
      stdout: true,
      stderr: true,
    });
    const consumer = new InProcessConsumer(worker, spec);
    debug("Started handler worker %d: %s#%s", worker.threadId, spec.setup.moduleUrl, spec.setup.exportName);
    try {
      await consumer.waitReady(readyTimeoutMs);
    } catch (error) {
      await consumer.stop();
      throw error;
    }
    return consumer;
  }

  get running(): boolean {
    return this.exitInfo === undefined && this.timedOut === undefined;
  }

  outputTail(lines = 40): string {
    const err = this.stderr.tail(lines);
    const out = this.stdout.tail(Math.max(5, Math.floor(lines / 4)));
    return [err && `stderr:\n${err}`, out && `stdout:\n${out}`].filter(Boolean).join("\n");
  }

  memoryBytes(): number | undefined {
    return this.heapUsedBytes;
  }

  private waitReady(timeoutMs: number): Promise<void> {
    const handler = this.spec.setup.moduleUrl;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => settle(new EnvironmentError(`handler worker did not subscribe within ${timeoutMs} ms`, { value: handler, hint: "raise consumer.ready.timeoutMs if the broker is only slow" })), timeoutMs);
      const settle = (error?: Error): void => {
        clearTimeout(timer);
        this.readyListener = undefined;
        if (error === undefined) resolve();
        else reject(error);
      };
      this.readyListener = (report) => {
        if (report.type === "ready") settle();
        else if (report.type === "load-failed") settle(new ConfigError(`consumer.handler could not be loaded: ${report.message.split("\n")[0]}`, { value: handler, hint: "check the module path (relative to the scenario) and the export name after #" }));
      };
      void this.exited.then(() => {
        const output = (this.stderr.tail(5) || this.stdout.tail(5)).replace(/\n/g, " | ") || "none";
        settle(new EnvironmentError("handler worker ended before it subscribed", { value: handler, hint: `its output: ${output}` }));
      });
    });
  }

  private onReport(report: WorkerReport): void {
    this.readyListener?.(report);
    switch (report.type) {
      case "start":
        this.busy = { seq: report.seq, sinceMs: Date.now() };
        break;
      case "done":
        this.busy = undefined;
        if (report.heapUsedBytes !== undefined) this.heapUsedBytes = report.heapUsedBytes;
        break;
      case "failed":
        this.crash(report.stack);
        break;
      default:
        break;
    }
  }

  private checkTimeLimit(): void {
    const busy = this.busy;
    if (busy === undefined || !this.running) return;
    const blockedMs = Date.now() - busy.sinceMs;
    if (blockedMs < this.spec.timeoutMs) return;
    this.timedOut = { seq: busy.seq, blockedMs, timeoutMs: this.spec.timeoutMs };
    clearInterval(this.watchdog);
    debug("Handler call for message %d ran %d ms, past its %d ms limit; terminating worker %d", busy.seq, blockedMs, this.spec.timeoutMs, this.worker.threadId);
    void this.worker.terminate();
  }

  /** Ends the start as a crashed process would: the error on stderr, exit code 1. */
  private crash(stack: string): void {
    if (this.exitInfo !== undefined || this.stopping !== undefined || this.timedOut !== undefined) return;
    this.stderr.push(Buffer.from(`${stack}\n`));
    this.finish({ code: 1, signal: null, afterMs: Date.now() - this.startedAt });
    void this.worker.terminate();
  }

  private finish(info: ExitInfo): void {
    if (this.exitInfo !== undefined) return;
    clearInterval(this.watchdog);
    this.exitInfo = info;
    this.resolveExited(info);
  }

  /** Asks the worker to close its connection, terminates it after the grace period; safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= this.stopWorker();
    return this.stopping;
  }

  private async stopWorker(): Promise<void> {
    clearInterval(this.watchdog);
    if (this.exitInfo === undefined && this.timedOut === undefined) {
      this.worker.postMessage({ type: "stop" } satisfies StopRequest);
      let graceTimer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, this.spec.stopGraceMs)));
      await Promise.race([this.workerExit, grace]);
      clearTimeout(graceTimer);
    }
    await this.worker.terminate();
    const code = await this.workerExit;
    this.finish({ code, signal: null, afterMs: Date.now() - this.startedAt });
  }
}
