import { appendFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Sample } from "../../generators/sample.ts";
import type { BrokerSession, Lane, LaneProgress } from "../brokers/types.ts";
import type { ConsumerHandle, ExitInfo } from "../consumer/consumer-handle.ts";
import { ConsumerProcess } from "../consumer/consumer-process.ts";
import { InProcessConsumer } from "../consumer/in-process/in-process-consumer.ts";
import { handlerSpec } from "../consumer/in-process/handler-spec.ts";
import { safeEmit, type EventListener } from "../events.ts";
import type { LoadedScenario } from "../scenario/load.ts";
import type { DeliveredMessage } from "../scenario/types.ts";
import { ConfigError } from "../errors.ts";
import type { Detector, FindingEvidence } from "../findings/types.ts";
import { freePort } from "../provision/free-port.ts";
import { expandPlaceholders } from "./placeholders.ts";
import type { RunSettings } from "./settings.ts";

export interface StartContext {
  loaded: LoadedScenario;
  session: BrokerSession;
  settings: RunSettings;
  /** Parent directory for the state directories of consumer starts. */
  stateRoot: string;
  onEvent?: EventListener;
  /** Extra detectors attached to every consumer start. */
  monitors?: readonly MonitorFactory[];
}

/** A failure seen by a StartMonitor. */
export interface MonitorFailure {
  kind: "detected";
  detector: Detector;
  /** Groups repeats of the same bug; replays must reproduce this exact signature. */
  signature: string;
  evidence: FindingEvidence;
  /** Lane positions of the suspect messages, most likely first. Default: the unacknowledged messages. */
  suspects?: number[];
}

/**
 * A detector that watches one consumer start: redeliveries, memory, CPU.
 * `check` runs after each progress poll while the harness publishes or waits.
 */
export interface StartMonitor {
  check(start: ConsumerStart): MonitorFailure | undefined | Promise<MonitorFailure | undefined>;
  /** Releases timers and handles; called once when the start ends. */
  stop?(): void | Promise<void>;
  /**
   * True while the monitor sees a failure forming that it has not confirmed
   * yet. On lanes without acknowledgements, `settle` keeps waiting (up to the
   * hang timeout) until no monitor is undecided.
   */
  undecided?(): boolean;
}

/** Creates the monitors of a consumer start once it is ready. */
export type MonitorFactory = (start: ConsumerStart) => StartMonitor | undefined;

/** The reason waiting for acknowledgements ended. */
export type SettleOutcome =
  | { kind: "settled" }
  | { kind: "crash"; exit: ExitInfo; progress?: LaneProgress }
  | { kind: "hang"; progress?: LaneProgress; unacknowledgedMs: number }
  | MonitorFailure;

export type FailureOutcome = Exclude<SettleOutcome, { kind: "settled" }>;

/**
 * Wait after the last acknowledgement before a RabbitMQ lane counts as
 * settled. Nagle's algorithm on the consumer's socket delays a second small
 * frame until TCP acknowledges the first. Two acks of one amqplib consumer
 * arrived 25 ms apart on Linux loopback, and Linux delays TCP
 * acknowledgements by up to 40 ms.
 */
const SETTLE_QUIET_MS = 60;

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * One start of the consumer under test, with its own lane on the broker and
 * its own state directory, so a restart is also a reset.
 */
export class ConsumerStart {
  readonly messages: DeliveredMessage[] = [];
  private latest: LaneProgress | undefined;
  private lastAckChangeAt = Date.now();
  private messagesFileWritten = 0;
  private ended = false;
  private monitors: StartMonitor[] = [];

  private constructor(
    readonly context: StartContext,
    readonly lane: Lane,
    readonly stateDir: string,
    readonly placeholders: Readonly<Record<string, string>>,
    /** The consumer under test: a child process, or a handler in a worker thread. */
    readonly process: ConsumerHandle,
    readonly purpose: "flood" | "replay",
  ) {}

  /** Opens a lane, starts the consumer and waits until it is ready; cleans up on failure. */
  static async begin(context: StartContext, tag: string, purpose: "flood" | "replay"): Promise<ConsumerStart> {
    const { loaded, session, settings } = context;
    const consumer = loaded.scenario.consumer;
    const lane = await session.openLane(tag);
    let stateDir: string | undefined;
    let process: ConsumerHandle | undefined;
    try {
      await mkdir(context.stateRoot, { recursive: true });
      stateDir = await mkdtemp(join(context.stateRoot, `${tag}-`));
      const livenessPort: Record<string, string> = loaded.scenario.liveness === undefined ? {} : { livenessPort: String(await freePort()) };
      const placeholders: Record<string, string> = { brokerUrl: session.url, queue: "", ...lane.placeholders, stateDir, messagesFile: join(stateDir, ".poisonpill-messages.jsonl"), ...livenessPort };
      const env = Object.fromEntries(Object.entries(consumer.env ?? {}).map(([name, value]) => [name, expandPlaceholders(value, placeholders, `consumer.env.${name}`)]));
      if (consumer.handler !== undefined) {
        const spec = handlerSpec(consumer, { baseDir: loaded.baseDir, brokerKind: loaded.scenario.broker.kind, placeholders, env, settings });
        process = await InProcessConsumer.start(spec, settings.readyTimeoutMs);
      } else {
        const command = consumer.command.map((part, i) => expandPlaceholders(part, placeholders, `consumer.command[${i}]`));
        const cwd = resolve(loaded.baseDir, consumer.cwd ?? ".");
        const program = await ConsumerProcess.start({ command, env, cwd, stopGraceMs: settings.stopGraceMs });
        process = program;

        const output = consumer.ready?.output;
        let outputPattern: RegExp | undefined;
        if (typeof output === "string") outputPattern = new RegExp(output);
        else outputPattern = output;
        if (outputPattern === undefined && !lane.canDetectConsumer) {
          throw new ConfigError("consumer.ready.output is required here: this broker cannot show poisonpill the consumer's subscription", {
            value: session.url,
            hint: 'make the consumer print a line once it is subscribed and set consumer.ready.output to a pattern for it, e.g. "listening"',
          });
        }
        await program.waitReady({ outputPattern, probe: outputPattern === undefined ? () => lane.hasConsumer() : undefined, timeoutMs: settings.readyTimeoutMs });
      }
      const start = new ConsumerStart(context, lane, stateDir, placeholders, process, purpose);
      for (const create of context.monitors ?? []) {
        const monitor = create(start);
        if (monitor !== undefined) start.monitors.push(monitor);
      }
      safeEmit(context.onEvent, { type: "ConsumerStarted", pid: process.pid, start: Number(tag.replace(/\D/g, "")) || 0, purpose });
      return start;
    } catch (error) {
      await process?.stop();
      await lane.dispose();
      if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
      throw error;
    }
  }

  get published(): number {
    return this.messages.length;
  }

  get progress(): LaneProgress | undefined {
    return this.latest;
  }

  async publish(sample: Sample): Promise<number> {
    const seq = await this.lane.publish(sample);
    // Concurrent publishes can complete out of order; keep `messages` in lane order, as consumers see them.
    let index = this.messages.length;
    while (index > 0 && this.messages[index - 1]!.seq > seq) index -= 1;
    this.messages.splice(index, 0, { seq, sample });
    return seq;
  }

  /** Forgets messages after lane position `seq` (unacknowledged when the consumer died), so invariants see only what was processed. */
  async truncateTo(seq: number): Promise<void> {
    const kept = this.messages.filter((m) => m.seq <= seq);
    if (kept.length === this.messages.length) return;
    this.messages.splice(0, this.messages.length, ...kept);
    this.messagesFileWritten = 0;
    await writeFile(this.placeholders.messagesFile!, "");
  }

  /** Reads progress from the broker and remembers when acknowledgements last moved. */
  async poll(): Promise<LaneProgress | undefined> {
    let progress: LaneProgress | undefined;
    try {
      progress = await this.lane.progress();
    } catch {
      return this.latest;
    }
    if (progress === undefined) return undefined;
    const moved = this.latest === undefined || progress.ackedThrough !== this.latest.ackedThrough || progress.settlements !== this.latest.settlements;
    if (moved) this.lastAckChangeAt = Date.now();
    // A consumer that vanished (an ephemeral one after a crash) reports zeros; keep the last real reading.
    if (progress.consumerCount > 0 || this.latest === undefined) this.latest = progress;
    return this.latest;
  }

  /** The exit, if the consumer has exited. */
  get exit(): ExitInfo | undefined {
    return this.process.exitInfo;
  }

  /**
   * True when messages are pending and acknowledgements have not moved for
   * `hangTimeoutMs`: neither the acknowledged prefix nor, where the lane
   * counts them, the settlements of any message. Lanes that cannot report acknowledgements never hang.
   */
  hangDetected(): boolean {
    if (!this.lane.tracksAcks || this.latest === undefined) return false;
    const pending = this.published - this.latest.ackedThrough;
    return pending > 0 && Date.now() - this.lastAckChangeAt >= this.context.settings.hangTimeoutMs;
  }

  unacknowledgedMs(): number {
    return Date.now() - this.lastAckChangeAt;
  }

  /** Runs the attached monitors; returns the first failure one of them reports. */
  async checkMonitors(): Promise<MonitorFailure | undefined> {
    for (const monitor of this.monitors) {
      const failure = await monitor.check(this);
      if (failure !== undefined) return failure;
    }
    return undefined;
  }

  /** Messages not acknowledged yet, oldest first: the candidates for a crash or hang. */
  unacknowledged(): DeliveredMessage[] {
    const acked = this.latest?.ackedThrough ?? 0;
    return this.messages.filter((m) => m.seq > acked);
  }

  /**
   * Waits until every published message is acknowledged, the consumer exits,
   * or acknowledgements stop for `hangTimeoutMs`. On core NATS, which reports
   * no acknowledgements, it waits `settleMs` (or a tenth of the hang timeout).
   */
  async settle(settleMs?: number): Promise<SettleOutcome> {
    if (!this.lane.tracksAcks) return this.settleWithoutAcks(settleMs ?? Math.min(500, this.context.settings.hangTimeoutMs / 10));
    this.lastAckChangeAt = Date.now();
    for (;;) {
      if (this.exit !== undefined) {
        await this.poll();
        return { kind: "crash", exit: this.exit, progress: this.latest };
      }
      const progress = await this.poll();
      const detected = await this.checkMonitors();
      if (detected !== undefined) return detected;
      if (progress !== undefined && progress.ackedThrough >= this.published) return this.confirmSettled();
      if (this.hangDetected()) return { kind: "hang", progress: this.latest, unacknowledgedMs: this.unacknowledgedMs() };
      await Promise.race([delay(this.context.settings.pollIntervalMs), this.process.exited]);
    }
  }

  /**
   * Checks the monitors once more a little after the last acknowledgement,
   * on lanes that report invalid settlements (RabbitMQ). A second ack of one
   * message makes the broker close the channel, and without the wait the
   * first ack would already have completed the lane.
   */
  private async confirmSettled(): Promise<SettleOutcome> {
    if (this.lane.unknownDeliveryTags === undefined) return { kind: "settled" };
    await Promise.race([delay(SETTLE_QUIET_MS), this.process.exited]);
    await this.poll();
    return (await this.checkMonitors()) ?? { kind: "settled" };
  }

  /**
   * Core NATS reports no acknowledgements: waits `waitMs`, then longer while
   * a monitor is undecided (a probe unanswered, CPU busy without deliveries),
   * at most the hang timeout plus that wait, checking monitors throughout.
   */
  private async settleWithoutAcks(waitMs: number): Promise<SettleOutcome> {
    const startedAt = Date.now();
    const deadline = startedAt + waitMs + this.context.settings.hangTimeoutMs;
    for (;;) {
      if (this.exit !== undefined) return { kind: "crash", exit: this.exit };
      const detected = await this.checkMonitors();
      if (detected !== undefined) return detected;
      const undecided = this.monitors.some((monitor) => monitor.undecided?.() === true);
      if (Date.now() >= deadline || (!undecided && Date.now() - startedAt >= waitMs)) return { kind: "settled" };
      await Promise.race([delay(this.context.settings.pollIntervalMs), this.process.exited]);
    }
  }

  /** Writes the messages published so far to the JSON Lines file command invariants read. */
  async syncMessagesFile(): Promise<string> {
    const file = this.placeholders.messagesFile!;
    const lines = this.messages.slice(this.messagesFileWritten).map((m) => serializeMessage(m));
    if (lines.length > 0) await appendFile(file, lines.join(""));
    this.messagesFileWritten = this.messages.length;
    return file;
  }

  /** Stops the consumer, deletes the lane and the state directory; idempotent. */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    for (const monitor of this.monitors) await monitor.stop?.();
    const wasRunning = this.process.running;
    await this.process.stop();
    if (wasRunning) safeEmit(this.context.onEvent, { type: "ConsumerExited", pid: this.process.pid, code: this.exit?.code ?? null, signal: this.exit?.signal ?? null, purpose: this.purpose });
    await this.lane.dispose();
    await rm(this.stateDir, { recursive: true, force: true });
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  return value;
}

/**
 * Formats one line of the messages file. `value` is left out when it cannot be
 * written as JSON (nesting deeper than the stack allows, for example); the
 * bytes are always there.
 */
function serializeMessage(message: DeliveredMessage): string {
  const { sample } = message;
  const record = {
    seq: message.seq,
    class: sample.class,
    mutation: sample.mutation,
    path: sample.path,
    expect: sample.expect,
    base64: Buffer.from(sample.bytes).toString("base64"),
  };
  let value: string | undefined;
  try {
    value = sample.value === undefined ? undefined : JSON.stringify(sample.value, jsonReplacer);
  } catch {
    value = undefined;
  }
  const head = JSON.stringify(record);
  return value === undefined ? `${head}\n` : `${head.slice(0, -1)},"value":${value}}\n`;
}
