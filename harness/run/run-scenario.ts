import { mkdir, rm } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import pLimit from "p-limit";
import type { Sample } from "../../generators/sample.ts";
import { openBrokerSession } from "../brokers/open-session.ts";
import type { BrokerSession } from "../brokers/types.ts";
import { redactText, redactUrl } from "../brokers/url-guard.ts";
import { describeThrown } from "../errors.ts";
import { safeEmit, type EventListener } from "../events.ts";
import { findingId } from "../findings/signature.ts";
import type { Detector, Finding, FindingEvidence, ReproMessage } from "../findings/types.ts";
import { writeFinding } from "../findings/write.ts";
import type { ReportFinding, RunReport } from "../report/types.ts";
import type { LoadedScenario } from "../scenario/load.ts";
import { buildSampleSource, type SampleSource } from "../scenario/sample-source.ts";
import type { DeliveredMessage } from "../scenario/types.ts";
import { attributeToMessages, attributeToPrefix, ReplayBudget } from "./attribute.ts";
import { ConsumerStart, type FailureOutcome, type StartContext } from "./consumer-start.ts";
import { checkInvariants } from "./invariants.ts";
import { observationOf, observeReplay, waitForWindow, type Failure } from "./observe.ts";
import { resolveSettings } from "./settings.ts";

export interface RunOptions {
  /** Seed for the sample generator. Default: random (and recorded in the report). */
  seed?: number;
  /** Messages to send. Default 1_000. */
  maxMessages?: number;
  /** Stop sending after this long, in milliseconds. Default: no limit. */
  maxTimeMs?: number;
  /** Directory for findings and the run's working files. Default `poisonpill-out` in the working directory. */
  outDir?: string;
  /** Overrides the scenario's broker URL. */
  brokerUrl?: string;
  allowRemoteBroker?: boolean;
  onEvent?: EventListener;
}

/** Samples are generated this many at a time: cheap per call, and little waste when a run stops early. */
const SAMPLE_CHUNK = 64;

/** Attribution attempts for one signature that has not reproduced yet, before its repeats are only counted. */
const MAX_ATTRIBUTION_ATTEMPTS = 3;

/** Milliseconds between Progress events. */
const PROGRESS_INTERVAL_MS = 500;

interface TrackedFinding {
  finding: Finding;
  attempts: number;
}

function toRepro(sample: Sample, samplePath: string | undefined): ReproMessage {
  return {
    samplePath,
    class: sample.class,
    mutation: sample.mutation,
    path: sample.path,
    expect: sample.expect,
    base64: Buffer.from(sample.bytes).toString("base64"),
    headers: sample.headers,
  };
}

function toReportFinding(finding: Finding): ReportFinding {
  return {
    id: finding.id,
    detector: finding.detector,
    signature: finding.signature,
    class: finding.culprit.class,
    mutation: finding.culprit.mutation,
    expect: finding.culprit.expect,
    reproduced: finding.reproduced,
    count: finding.count,
    payload: { base64: finding.culprit.base64, size: Buffer.from(finding.culprit.base64, "base64").length },
    messageCount: finding.messages.length,
    evidence: finding.evidence,
    dir: finding.dir,
    replayCommand: finding.replayCommand,
  };
}

/** Quotes a path for the one-line replay command. */
function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

/**
 * Runs a scenario: provision the broker, start the consumer, flood it,
 * attribute every failure to the messages that cause it, write each confirmed
 * finding at once, and return the report.
 */
export async function runScenario(loaded: LoadedScenario, options: RunOptions = {}): Promise<RunReport> {
  const run = new ScenarioRun(loaded, options);
  return run.execute();
}

class ScenarioRun {
  private readonly settings;
  private readonly seed: number;
  private readonly maxMessages: number;
  private readonly outDir: string;
  private readonly findingsDir: string;
  private readonly runTag = randomBytes(3).toString("hex");
  private readonly samplePaths = new WeakMap<Sample, string>();
  private readonly findings = new Map<string, TrackedFinding>();
  private source!: SampleSource;
  private session!: BrokerSession;
  private context!: StartContext;
  private start: ConsumerStart | undefined;
  private startCount = 0;
  private replayCount = 0;
  private sent = 0;
  private acknowledgedBefore = 0;
  private brokerRejected = 0;
  private readonly startedAt = Date.now();

  constructor(
    private readonly loaded: LoadedScenario,
    private readonly options: RunOptions,
  ) {
    this.settings = resolveSettings(loaded.scenario);
    this.seed = options.seed ?? randomBytes(4).readUInt32BE(0) >>> 1;
    this.maxMessages = options.maxMessages ?? 1_000;
    this.outDir = resolve(options.outDir ?? "poisonpill-out");
    this.findingsDir = join(this.outDir, "findings");
  }

  async execute(): Promise<RunReport> {
    this.source = await buildSampleSource(this.loaded);
    await mkdir(this.outDir, { recursive: true });
    this.session = await openBrokerSession(this.loaded.scenario, this.options, this.runTag);
    safeEmit(this.options.onEvent, { type: "BrokerReady", kind: this.session.kind, url: redactUrl(this.session.url), via: this.session.via });
    this.context = {
      loaded: this.loaded,
      session: this.session,
      settings: this.settings,
      stateRoot: join(this.outDir, ".state", this.runTag),
      onEvent: this.options.onEvent,
    };
    try {
      await this.flood();
      return this.report();
    } finally {
      await this.start?.end();
      await this.session.close();
      await rm(this.context.stateRoot, { recursive: true, force: true });
    }
  }

  private async beginFloodStart(): Promise<ConsumerStart> {
    this.startCount += 1;
    this.start = await ConsumerStart.begin(this.context, `s${this.startCount}`, "flood");
    return this.start;
  }

  private async endFloodStart(): Promise<void> {
    if (this.start === undefined) return;
    this.acknowledgedBefore += this.start.progress?.ackedThrough ?? 0;
    await this.start.end();
    this.start = undefined;
  }

  private acknowledged(): number {
    return this.acknowledgedBefore + (this.start?.progress?.ackedThrough ?? 0);
  }

  private async flood(): Promise<void> {
    const invariants = this.loaded.scenario.invariants ?? [];
    const deadline = this.options.maxTimeMs === undefined ? Number.POSITIVE_INFINITY : this.startedAt + this.options.maxTimeMs;
    const limit = pLimit(this.settings.maxInFlight);
    const inFlight = new Set<Promise<void>>();
    const drain = async () => {
      await Promise.allSettled([...inFlight]);
    };
    let start = await this.beginFloodStart();
    let checkedThrough = 0;
    let buffer: Sample[] = [];
    let lastProgressAt = 0;

    while (this.sent < this.maxMessages && Date.now() < deadline) {
      if (Date.now() - lastProgressAt >= PROGRESS_INTERVAL_MS) {
        lastProgressAt = Date.now();
        safeEmit(this.options.onEvent, { type: "Progress", sent: this.sent, acknowledged: this.acknowledged(), findings: this.findings.size, elapsedMs: Date.now() - this.startedAt });
      }

      const interrupted = await waitForWindow(start, limit.activeCount + limit.pendingCount);
      if (interrupted !== undefined) {
        await drain();
        start = await this.handleFailure(start, interrupted);
        checkedThrough = 0;
        continue;
      }

      if (invariants.length > 0 && start.published - checkedThrough >= this.settings.checkEveryMessages) {
        await drain();
        const replaced = await this.checkpoint(start, checkedThrough);
        if (replaced === undefined) checkedThrough = start.published;
        else {
          start = replaced;
          checkedThrough = 0;
        }
        continue;
      }

      if (buffer.length === 0) buffer = this.source.range(this.seed, this.sent, SAMPLE_CHUNK);
      const sample = buffer.shift()!;
      this.samplePaths.set(sample, String(this.sent));
      this.sent += 1;
      const target = start;
      const task: Promise<void> = limit(async () => {
        try {
          await target.publish(sample);
        } catch (error) {
          this.brokerRejected += 1;
          safeEmit(this.options.onEvent, { type: "Warning", message: `broker refused message ${this.samplePaths.get(sample)} (${sample.bytes.length} bytes): ${redactText(describeThrown(error))}` });
        }
      }).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    await drain();

    // Final settle and check: the last messages get the same scrutiny as the rest.
    const replaced = await this.checkpoint(start, checkedThrough);
    if (replaced !== undefined) start = replaced;
    safeEmit(this.options.onEvent, { type: "FloodFinished", sent: this.sent, durationMs: Date.now() - this.startedAt });
  }

  /**
   * Waits for the consumer to catch up, then runs the invariants. Returns the
   * replacement start when a failure ended the current one.
   */
  private async checkpoint(start: ConsumerStart, checkedThrough: number): Promise<ConsumerStart | undefined> {
    const outcome = await start.settle();
    if (outcome.kind !== "settled") return this.handleFailure(start, outcome);
    const invariants = this.loaded.scenario.invariants ?? [];
    const violation = await checkInvariants(invariants, start);
    if (violation === undefined) {
      if (start.exit !== undefined) return this.handleFailure(start, { kind: "crash", exit: start.exit });
      return undefined;
    }
    const messages = [...start.messages];
    const outputTail = start.process.outputTail();
    await this.endFloodStart();
    await this.recordFailure(
      { kind: "invariant", signature: `invariant:${violation.name}`, invariant: violation.name, output: violation.output, outputTail },
      (fails, budget) => attributeToPrefix(messages, checkedThrough, fails, budget),
    );
    return this.beginFloodStart();
  }

  /** Handles a crash or hang of the flood's consumer: attribute it, record it, start a fresh consumer. */
  private async handleFailure(start: ConsumerStart, outcome: FailureOutcome): Promise<ConsumerStart> {
    const observation = observationOf(outcome, start);
    let candidates = start.unacknowledged();
    // A consumer can die after acknowledging the message that killed it; then the last messages are the suspects.
    if (candidates.length === 0) candidates = start.messages.slice(-this.settings.maxInFlight);
    await this.endFloodStart();
    await this.recordFailure(observation, (fails, budget) => attributeToMessages(candidates, fails, budget));
    return this.beginFloodStart();
  }

  /**
   * Groups an observed failure with earlier ones of the same signature, or
   * attributes it through replays and writes the new finding to disk.
   */
  private async recordFailure(
    observation: Failure,
    attribute: (fails: (messages: DeliveredMessage[]) => Promise<boolean>, budget: ReplayBudget) => Promise<DeliveredMessage[] | undefined>,
  ): Promise<void> {
    const detector: Detector = observation.kind;
    const { signature } = observation;
    safeEmit(this.options.onEvent, { type: "FailureObserved", detector, signature, candidates: 0 });
    const tracked = this.findings.get(signature);
    if (tracked !== undefined && (tracked.finding.reproduced || tracked.attempts >= MAX_ATTRIBUTION_ATTEMPTS)) {
      tracked.finding.count += 1;
      safeEmit(this.options.onEvent, { type: "FindingRepeated", id: tracked.finding.id, count: tracked.finding.count });
      return;
    }

    const budget = new ReplayBudget(this.settings.maxAttributionReplays);
    const fails = async (messages: DeliveredMessage[]): Promise<boolean> => {
      this.replayCount += 1;
      const replayed = await observeReplay(this.context, messages.map((m) => m.sample), `r${this.replayCount}`);
      return replayed.kind === observation.kind && replayed.signature === signature;
    };
    const culprits = await attribute(fails, budget);
    const reproduced = culprits !== undefined;
    const messages = culprits ?? [];
    const evidence: FindingEvidence = { attributionReplays: budget.used, outputTail: redactText(observation.outputTail) };
    if (observation.kind === "crash") Object.assign(evidence, { exitCode: observation.exitCode, signal: observation.signal });
    if (observation.kind === "hang") evidence.unacknowledgedMs = observation.unacknowledgedMs;
    if (observation.kind === "invariant") Object.assign(evidence, { invariant: observation.invariant, invariantOutput: redactText(observation.output) });

    if (tracked !== undefined && !reproduced) {
      tracked.attempts += 1;
      tracked.finding.count += 1;
      return;
    }
    const finding = this.makeFinding(detector, signature, messages, reproduced, evidence, (tracked?.finding.count ?? 0) + 1);
    this.findings.set(signature, { finding, attempts: (tracked?.attempts ?? 0) + 1 });
    await writeFinding(this.findingsDir, finding);
    safeEmit(this.options.onEvent, { type: "FindingConfirmed", finding });
  }

  private makeFinding(detector: Detector, signature: string, messages: DeliveredMessage[], reproduced: boolean, evidence: FindingEvidence, count: number): Finding {
    const id = findingId(detector, signature);
    const dir = join(this.findingsDir, id);
    const repro = messages.map((m) => toRepro(m.sample, this.samplePaths.get(m.sample)));
    const culprit = repro[repro.length - 1] ?? { class: "valid", mutation: "none", path: "", expect: "accept", base64: "" };
    const relativeDir = relative(process.cwd(), dir) || ".";
    return {
      id,
      detector,
      signature,
      reproduced,
      count,
      seed: this.seed,
      culprit,
      messages: repro,
      evidence,
      dir,
      replayCommand: `npx poisonpill replay ${shellQuote(relativeDir.startsWith("..") ? dir : relativeDir)}`,
      scenarioName: this.loaded.scenario.name,
      scenarioFile: this.loaded.file,
      detectedAt: new Date().toISOString(),
    };
  }

  private async report(): Promise<RunReport> {
    const findings = [...this.findings.values()].map((t) => t.finding);
    // Counts grew after each finding was first written; rewrite so the files agree with the report.
    for (const finding of findings) await writeFinding(this.findingsDir, finding);
    return {
      version: 1,
      scenario: this.loaded.scenario.name,
      scenarioFile: this.loaded.file,
      seed: this.seed,
      broker: { kind: this.session.kind, url: redactUrl(this.session.url), via: this.session.via },
      stats: {
        sent: this.sent,
        acknowledged: this.acknowledged(),
        durationMs: Date.now() - this.startedAt,
        consumerStarts: this.startCount,
        replays: this.replayCount,
        brokerRejected: this.brokerRejected,
      },
      findings: findings.map(toReportFinding),
      outDir: this.outDir,
    };
  }
}

