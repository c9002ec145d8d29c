import { mkdir, rm } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import pLimit from "p-limit";
import type { Sample, SampleClass } from "../../generators/sample.ts";
import { openBrokerSession } from "../brokers/open-session.ts";
import type { BrokerSession } from "../brokers/types.ts";
import { redactText, redactUrl } from "../brokers/url-guard.ts";
import { describeThrown } from "../errors.ts";
import { safeEmit, type EventListener, type HarnessEvent } from "../events.ts";
import { throwIfInterrupted } from "../process/shutdown.ts";
import { findingId } from "../findings/signature.ts";
import type { Detector, Finding, FindingEvidence, ReproMessage } from "../findings/types.ts";
import { writeFinding } from "../findings/write.ts";
import type { ReportFinding, RunReport } from "../report/types.ts";
import type { LoadedScenario } from "../scenario/load.ts";
import { buildSampleSource, type SampleSource } from "../scenario/sample-source.ts";
import type { DeliveredMessage, ProvisionChoice } from "../scenario/types.ts";
import { attributeToMessages, attributeToPrefix, ReplayBudget } from "./attribute.ts";
import { ConsumerStart, type FailureOutcome, type MonitorFailure, type StartContext } from "./consumer-start.ts";
import { confirmedEvidence, withReplayEvidence } from "./evidence.ts";
import { checkInvariants } from "./invariants.ts";
import { attributeMemoryGrowth, representativeMessage } from "./memory-phases.ts";
import { QUEUE_MONITORS, resourceMonitors } from "./monitors/index.ts";
import { invariantFailure, observationOf, observeReplay, waitForWindow, type Failure, type Observation } from "./observe.ts";
import { resolveSettings } from "./settings.ts";
import { DEFAULT_SHRINK_LIMITS, type ShrinkLimits } from "../triage/budget.ts";
import { shrinkReproducer } from "../triage/shrink-reproducer.ts";
import { addFindingToCorpus } from "../corpus/from-finding.ts";
import { payloadTypeOf } from "../corpus/payload-type.ts";
import { replayCorpus } from "../corpus/replay-corpus.ts";
import { readCorpus } from "../corpus/store.ts";

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
  /** Overrides the scenario's `broker.provision`. */
  provision?: ProvisionChoice;
  onEvent?: EventListener;
  /** Attach the memory, CPU-spin, core NATS stall and liveness detectors. Default true; false serves overhead measurements. */
  resourceMonitors?: boolean;
  /**
   * Budget for shrinking each confirmed finding's culprit, per finding;
   * `false` keeps culprits as attributed. Default DEFAULT_SHRINK_LIMITS
   * (100 replays, 20 s).
   */
  shrink?: Partial<ShrinkLimits> | false;
  /**
   * Regression corpus directory: its cases of this scenario's payload type
   * are replayed before the flood (each one that fails again is a finding), and confirmed
   * findings are added to it. Default: no corpus (the CLI defaults to
   * `poisonpill-corpus/` beside the scenario).
   */
  corpus?: string;
}

/** Samples are generated this many at a time: cheap per call, and little waste when a run stops early. */
const SAMPLE_CHUNK = 64;

/** Attribution attempts for one signature that has not reproduced yet, before its repeats are only counted. */
const MAX_ATTRIBUTION_ATTEMPTS = 3;

/**
 * Once a crash or hang signature has been seen this many times, mutations
 * that caused it at least twice are no longer sent. Each further send would
 * cost a consumer restart (about 0.25 s for a Node consumer here) only to
 * count a known bug.
 */
const SUPPRESS_AFTER_REPEATS = 5;

/** Payload limit for the schema check before the broker is up; NATS's default `max_payload`, 1 MiB. */
const DRY_RUN_PAYLOAD_BYTES = 1_048_576;

/**
 * Replays one finding may spend confirming a smaller repeat as its
 * reproducer: a shrunk reproducer is rarely beaten, so a few checks find the
 * cases where another mutation is smaller without slowing the flood.
 */
const MAX_SMALLER_REPRODUCER_CHECKS = 3;

/** Unconfirmed memory-growth detections after which the detector is turned off for the run. */
const MAX_UNCONFIRMED_MEMORY_GROWTH = 2;

/** Milliseconds between Progress events. */
const PROGRESS_INTERVAL_MS = 500;

interface TrackedFinding {
  finding: Finding;
  attempts: number;
  /** Replays spent checking whether a smaller repeat reproduces the finding. */
  smallerChecks?: number;
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

/** True when both lists hold the same messages in the same order. */
function sameMessages(left: readonly DeliveredMessage[], right: readonly DeliveredMessage[]): boolean {
  return left.length === right.length && left.every((message, index) => message.sample === right[index]!.sample);
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
    samplePath: finding.culprit.samplePath,
    payload: { base64: finding.culprit.base64, size: Buffer.from(finding.culprit.base64, "base64").length },
    shrink: finding.shrink,
    messageCount: finding.messages.length,
    evidence: finding.evidence,
    dir: finding.dir,
    replayCommand: finding.replayCommand,
  };
}

function brokerReadyEvent(session: BrokerSession): HarnessEvent {
  const { reason, pid, containerId } = session.broker ?? {};
  return { type: "BrokerReady", kind: session.kind, url: redactUrl(session.url), via: session.via, reason, pid, containerId };
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
  /** Messages of the current consumer start up to which the invariants held. */
  private checkedThrough = 0;
  /** Innocent messages caught in a crash, sent again to the next consumer start. */
  private readonly requeued: Sample[] = [];
  private readonly retried = new WeakSet<Sample>();
  /** Per signature, how often each mutation was the (presumed) culprit. */
  private readonly culpritMutations = new Map<string, Map<string, number>>();
  private readonly suppressedMutations = new Set<string>();
  /** Samples generated, sent or not: the next sample's fast-check path. */
  private generated = 0;
  private skipped = 0;
  private unconfirmedMemoryGrowth = 0;
  private corpusReport: RunReport["corpus"];

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
    // Built once without the broker so schema errors fail fast; rebuilt below with the live payload limit.
    this.source = await buildSampleSource(this.loaded, { maxPayloadBytes: DRY_RUN_PAYLOAD_BYTES });
    await mkdir(this.outDir, { recursive: true });
    this.session = await openBrokerSession(this.loaded.scenario, this.options, this.runTag);
    safeEmit(this.options.onEvent, brokerReadyEvent(this.session));
    this.context = {
      loaded: this.loaded,
      session: this.session,
      settings: this.settings,
      stateRoot: join(this.outDir, ".state", this.runTag),
      onEvent: this.options.onEvent,
      monitors: [...(this.options.resourceMonitors === false ? [] : resourceMonitors(this.loaded, this.settings)), ...QUEUE_MONITORS],
    };
    try {
      this.source = await buildSampleSource(this.loaded, { maxPayloadBytes: this.session.maxPayloadBytes, frameMaxBytes: this.session.frameMaxBytes });
      await this.replayCorpus();
      await this.flood();
      return this.report();
    } finally {
      await this.start?.end();
      await this.session.close();
      await rm(this.context.stateRoot, { recursive: true, force: true });
    }
  }

  /**
   * Replays the corpus before anything is generated. A case that fails again
   * becomes a finding at once, and later failures with its signature count
   * toward it instead of being attributed again.
   */
  private async replayCorpus(): Promise<void> {
    if (this.options.corpus === undefined) return;
    const dir = resolve(this.options.corpus);
    const cases = await readCorpus(dir);
    const result = await replayCorpus(cases, payloadTypeOf(this.loaded.scenario), (samples) => this.replay(samples), this.options.onEvent);
    this.corpusReport = { dir, replayed: result.replayed.map((stored) => stored.case.id), failed: [], added: [] };

    for (const { stored, observation } of result.failures) {
      this.corpusReport.failed.push(stored.case.id);
      const tracked = this.findings.get(observation.signature);
      if (tracked !== undefined) {
        tracked.finding.count += 1;
        continue;
      }
      const messages = stored.samples.map((sample, index) => ({ seq: index + 1, sample }));
      const { source } = stored.case;
      // The case's fast-check path names the same sample only under the seed that generated it.
      if (source.kind === "finding" && source.seed === this.seed && source.samplePath !== undefined) this.samplePaths.set(stored.samples.at(-1)!, source.samplePath);
      const evidence: FindingEvidence = { ...observation.evidence, observedIn: "replay", corpusCase: stored.dir, corpusSignature: stored.case.signature };
      const finding = this.makeFinding(observation.detector, observation.signature, messages, true, evidence, 1);
      this.findings.set(observation.signature, { finding, attempts: 1 });
      await writeFinding(this.findingsDir, finding);
      safeEmit(this.options.onEvent, { type: "FindingConfirmed", finding });
    }
  }

  /** Stores a confirmed finding in the corpus, unless the corpus is where it came from. */
  private async addToCorpus(finding: Finding): Promise<void> {
    if (this.corpusReport === undefined) return;
    let added;
    try {
      added = await addFindingToCorpus(this.corpusReport.dir, finding, this.loaded.scenario);
    } catch (error) {
      // The finding is on disk already; a corpus that cannot be written must not end the run.
      safeEmit(this.options.onEvent, { type: "Warning", message: `finding ${finding.id} was not added to the corpus ${this.corpusReport.dir}: ${describeThrown(error)}` });
      return;
    }
    const { dir, outcome } = added;
    if (outcome !== "kept" && !this.corpusReport.added.includes(finding.id)) this.corpusReport.added.push(finding.id);
    safeEmit(this.options.onEvent, { type: "CorpusCaseAdded", id: finding.id, dir, outcome });
  }

  private async beginFloodStart(): Promise<ConsumerStart> {
    this.startCount += 1;
    this.start = await ConsumerStart.begin(this.context, `s${this.startCount}`, "flood");
    this.checkedThrough = 0;
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
    let buffer: Sample[] = [];
    let lastProgressAt = 0;

    while ((this.generated < this.maxMessages || this.requeued.length > 0) && Date.now() < deadline) {
      if (Date.now() - lastProgressAt >= PROGRESS_INTERVAL_MS) {
        lastProgressAt = Date.now();
        safeEmit(this.options.onEvent, { type: "Progress", sent: this.sent, acknowledged: this.acknowledged(), findings: this.findings.size, elapsedMs: Date.now() - this.startedAt });
      }

      const interrupted = await waitForWindow(start, () => limit.activeCount + limit.pendingCount);
      if (interrupted !== undefined) {
        await drain();
        start = await this.handleFailure(start, interrupted);
        continue;
      }

      if (invariants.length > 0 && start.published - this.checkedThrough >= this.settings.checkEveryMessages) {
        await drain();
        start = (await this.checkpoint(start)) ?? start;
        continue;
      }

      let sample = this.requeued.shift();
      if (sample === undefined) {
        if (buffer.length === 0) buffer = this.source.range(this.seed, this.generated, SAMPLE_CHUNK);
        sample = buffer.shift()!;
        this.samplePaths.set(sample, String(this.generated));
        this.generated += 1;
        if (this.suppressedMutations.has(sample.mutation)) {
          this.skipped += 1;
          continue;
        }
        this.sent += 1;
      }
      const target = start;
      const message = sample;
      const task: Promise<void> = limit(async () => {
        try {
          await target.publish(message);
        } catch (error) {
          this.brokerRejected += 1;
          safeEmit(this.options.onEvent, { type: "Warning", message: `broker refused message ${this.samplePaths.get(message)} (${message.bytes.length} bytes): ${redactText(describeThrown(error))}` });
        }
      }).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    await drain();

    // Final settle and check: the last messages get the same scrutiny as the rest.
    await this.checkpoint(start);
    safeEmit(this.options.onEvent, { type: "FloodFinished", sent: this.sent, durationMs: Date.now() - this.startedAt });
  }

  /**
   * Waits for the consumer to catch up, then runs the invariants. Returns the
   * replacement start when a failure ended the current one.
   */
  private async checkpoint(start: ConsumerStart): Promise<ConsumerStart | undefined> {
    const outcome = await start.settle();
    if (outcome.kind !== "settled") return this.handleFailure(start, outcome);
    if (await this.recordViolation(start)) {
      await this.endFloodStart();
      return this.beginFloodStart();
    }
    if (start.exit !== undefined) return this.handleFailure(start, { kind: "crash", exit: start.exit });
    this.checkedThrough = start.published;
    return undefined;
  }

  /**
   * Runs the invariants over the messages the consumer has acknowledged and,
   * on a violation, attributes and records it. Returns true on a violation.
   */
  private async recordViolation(start: ConsumerStart): Promise<boolean> {
    const invariants = this.loaded.scenario.invariants ?? [];
    if (invariants.length === 0 || start.published <= this.checkedThrough) return false;
    throwIfInterrupted();
    const violation = await checkInvariants(invariants, start);
    if (violation === undefined) return false;
    const messages = [...start.messages];
    const passedThrough = this.checkedThrough;
    await this.recordFailure(invariantFailure(violation, start), (fails, budget) => attributeToPrefix(messages, passedThrough, fails, budget));
    return true;
  }

  /**
   * Handles a crash or hang of the flood's consumer: checks the invariants
   * over what it acknowledged before it died, attributes the failure, and
   * starts a fresh consumer.
   */
  private async handleFailure(start: ConsumerStart, outcome: FailureOutcome): Promise<ConsumerStart> {
    throwIfInterrupted();
    if (outcome.kind === "detected" && outcome.detector === "memory-growth") return this.handleMemoryGrowth(start, outcome);
    const observation = observationOf(outcome, start);
    let candidates = start.unacknowledged();
    if (outcome.kind === "detected" && outcome.suspects !== undefined) {
      const bySeq = new Map(start.messages.map((m) => [m.seq, m]));
      candidates = outcome.suspects.flatMap((seq) => bySeq.get(seq) ?? []);
    }
    // A consumer can die after acknowledging the message that killed it; then the last messages are the suspects.
    if (candidates.length === 0) candidates = start.messages.slice(-this.settings.maxInFlight);
    if (outcome.kind === "crash") {
      // State on disk reflects the acknowledged messages; a crash must not hide a corruption that came before it.
      await start.truncateTo(outcome.progress?.ackedThrough ?? 0);
      await this.recordViolation(start);
    }
    await this.endFloodStart();
    // Without acknowledgements the candidates can be thousands: a binary search over prefixes beats trying each alone.
    const searchPrefixes = !start.lane.tracksAcks && candidates.length > this.settings.maxInFlight;
    const culprits = await this.recordFailure(observation, (fails, budget) =>
      searchPrefixes ? attributeToPrefix(candidates, 0, fails, budget) : attributeToMessages(candidates, fails, budget),
    );
    // Without attribution (a repeated signature) the oldest unacknowledged message is the usual culprit of a
    // consumer that handles one message at a time.
    const presumed = culprits ?? candidates.slice(0, 1);
    this.noteCulprits(observation.signature, presumed);
    if (culprits === undefined && presumed.length === 1) await this.preferSmallerReproducer(observation.signature, presumed[0]!.sample);

    // Messages that were merely in flight when the consumer died deserve a delivery; each gets one more chance.
    const guilty = new Set(presumed.map((m) => m.sample));
    for (const message of candidates) {
      if (guilty.has(message.sample) || this.retried.has(message.sample)) continue;
      this.retried.add(message.sample);
      this.requeued.push(message.sample);
    }
    return this.beginFloodStart();
  }

  /**
   * Handles memory growth of the flood's consumer. Growth builds up over many
   * messages, so instead of replaying suspects each payload class seen in the
   * flood is sent alone to a fresh consumer (see attributeMemoryGrowth).
   *
   * NOTE: a class phase that grows past the threshold is what confirms the
   * growth; only then is a finding recorded, with a representative sample of
   * the fastest-growing class as its culprit. A flood window whose slope no
   * class phase reproduces is heap sizing or noise, reported as a Warning.
   * After MAX_UNCONFIRMED_MEMORY_GROWTH of those the detector is turned off
   * for the rest of the run, because each costs one flood per class.
   */
  private async handleMemoryGrowth(start: ConsumerStart, outcome: MonitorFailure): Promise<ConsumerStart> {
    const observation = observationOf(outcome, start);
    // Flood messages are all generated; the filter only narrows the type.
    const classes = [...new Set(start.messages.map((m) => m.sample.class))].filter((name): name is SampleClass => name !== "captured");
    await this.endFloodStart();
    if (this.findings.get(observation.signature)?.finding.reproduced === true) {
      await this.recordFailure(observation, async () => undefined);
      return this.beginFloodStart();
    }

    safeEmit(this.options.onEvent, { type: "FailureObserved", detector: observation.detector, signature: observation.signature });
    this.replayCount += classes.length;
    const sourceFor = (sampleClass: SampleClass) =>
      buildSampleSource(
        { ...this.loaded, scenario: { ...this.loaded.scenario, generator: { ...this.loaded.scenario.generator, classes: [sampleClass] } } },
        { maxPayloadBytes: this.session.maxPayloadBytes, frameMaxBytes: this.session.frameMaxBytes },
      );
    const result = await attributeMemoryGrowth(this.context, classes, sourceFor, this.seed, this.settings.memory!, `m${this.replayCount}`);
    const culprit = result.culprit;
    if (culprit === undefined) {
      this.unconfirmedMemoryGrowth += 1;
      safeEmit(this.options.onEvent, {
        type: "Warning",
        message: `memory grew ${observation.evidence.slopeBytesPerMessage} bytes/message in the flood, but no payload class reproduced it alone; not reported`,
      });
      if (this.unconfirmedMemoryGrowth >= MAX_UNCONFIRMED_MEMORY_GROWTH) {
        this.context.monitors = [...(this.options.resourceMonitors === false ? [] : resourceMonitors(this.loaded, { ...this.settings, memory: undefined })), ...QUEUE_MONITORS];
        safeEmit(this.options.onEvent, { type: "Warning", message: "memory-growth detection turned off for this run: its growth did not reproduce twice" });
      }
      return this.beginFloodStart();
    }
    await this.recordFailure(observation, async (_fails, _budget, notes) => {
      Object.assign(notes, result.evidence);
      return [representativeMessage(culprit.representative)];
    });
    return this.beginFloodStart();
  }

  private noteCulprits(signature: string, culprits: DeliveredMessage[]): void {
    const counts = this.culpritMutations.get(signature) ?? new Map<string, number>();
    this.culpritMutations.set(signature, counts);
    for (const { sample } of culprits) counts.set(sample.mutation, (counts.get(sample.mutation) ?? 0) + 1);
    const finding = this.findings.get(signature)?.finding;
    if (finding === undefined || !finding.reproduced || finding.count < SUPPRESS_AFTER_REPEATS) return;
    for (const [mutation, count] of counts) {
      if (count >= 2 && !this.suppressedMutations.has(mutation)) {
        this.suppressedMutations.add(mutation);
        safeEmit(this.options.onEvent, { type: "Warning", message: `no longer sending mutation ${mutation}: it caused known finding ${finding.id} ${count} times` });
      }
    }
  }

  /**
   * Groups an observed failure with earlier ones of the same signature, or
   * attributes it through replays and writes the new finding to disk.
   * Returns the culprit messages when this call attributed them.
   */
  private async recordFailure(
    observation: Failure,
    attribute: (fails: (messages: DeliveredMessage[]) => Promise<boolean>, budget: ReplayBudget, notes: FindingEvidence) => Promise<DeliveredMessage[] | undefined>,
  ): Promise<DeliveredMessage[] | undefined> {
    const { detector, signature } = observation;
    const tracked = this.findings.get(signature);
    if (tracked !== undefined && (tracked.finding.reproduced || tracked.attempts >= MAX_ATTRIBUTION_ATTEMPTS)) {
      tracked.finding.count += 1;
      safeEmit(this.options.onEvent, { type: "FindingRepeated", id: tracked.finding.id, count: tracked.finding.count });
      return undefined;
    }

    safeEmit(this.options.onEvent, { type: "FailureObserved", detector, signature });
    const budget = new ReplayBudget(this.settings.maxAttributionReplays);
    const confirmations: { messages: DeliveredMessage[]; observation: Failure }[] = [];
    const fails = async (messages: DeliveredMessage[]): Promise<boolean> => {
      const replayed = await this.replay(messages.map((m) => m.sample));
      const same = replayed.kind === "failure" && replayed.signature === signature;
      if (same) confirmations.push({ messages, observation: replayed });
      return same;
    };
    const notes: FindingEvidence = {};
    const culprits = await attribute(fails, budget, notes);
    const reproduced = culprits !== undefined;
    const messages = culprits ?? [];
    notes.attributionReplays = budget.used;
    // The flood's consumer handled other messages too, so the replay of exactly the culprits is the evidence.
    const confirming = culprits === undefined ? undefined : confirmations.findLast((replayed) => sameMessages(replayed.messages, culprits));
    const evidence: FindingEvidence = confirming === undefined ? { ...observation.evidence, ...notes, observedIn: "flood" } : confirmedEvidence(confirming.observation, observation.evidence, notes);

    if (tracked !== undefined && !reproduced) {
      tracked.attempts += 1;
      tracked.finding.count += 1;
      return undefined;
    }
    const finding = this.makeFinding(detector, signature, messages, reproduced, evidence, (tracked?.finding.count ?? 0) + 1);
    this.findings.set(signature, { finding, attempts: (tracked?.attempts ?? 0) + 1 });
    await writeFinding(this.findingsDir, finding);
    safeEmit(this.options.onEvent, { type: "FindingConfirmed", finding });
    // A memory-growth culprit only stands for its class: one message replayed alone cannot show growth.
    if (reproduced && detector !== "memory-growth") {
      await this.shrinkFinding(finding, messages);
      await this.addToCorpus(finding);
    }
    return culprits;
  }

  /**
   * Makes a repeat's presumed culprit the reproducer when it is smaller than
   * the current one and fails with the same signature on its own, so a
   * finding keeps the smallest payload seen. The evidence becomes that of the
   * candidate's replay. The candidate is shrunk in turn, so the shrink record
   * describes the new reproducer, or is absent when the candidate is empty.
   * `evidence.firstReproducer` keeps the payload first attributed.
   */
  private async preferSmallerReproducer(signature: string, candidate: Sample): Promise<void> {
    const tracked = this.findings.get(signature);
    if (tracked === undefined || !tracked.finding.reproduced || tracked.finding.messages.length !== 1) return;
    const { finding } = tracked;
    if (candidate.bytes.length >= Buffer.from(finding.culprit.base64, "base64").length) return;
    if ((tracked.smallerChecks ?? 0) >= MAX_SMALLER_REPRODUCER_CHECKS) return;
    tracked.smallerChecks = (tracked.smallerChecks ?? 0) + 1;

    const replayed = await this.replay([candidate]);
    if (replayed.kind !== "failure" || replayed.signature !== signature) return;
    const previousBytes = Buffer.from(finding.culprit.base64, "base64").length;
    const smaller = toRepro(candidate, this.samplePaths.get(candidate));
    const firstReproducer = finding.evidence.firstReproducer ?? finding.shrink?.original ?? finding.culprit;
    finding.evidence = { ...withReplayEvidence(finding.evidence, replayed), firstReproducer };
    finding.shrink = undefined;
    finding.culprit = smaller;
    finding.messages = [smaller];
    await writeFinding(this.findingsDir, finding);
    safeEmit(this.options.onEvent, { type: "ReproducerReplaced", id: finding.id, previousBytes, bytes: candidate.bytes.length, mutation: candidate.mutation });
    if (candidate.bytes.length > 0 || candidate.headers !== undefined) await this.shrinkFinding(finding, [{ seq: 1, sample: candidate }]);
    await this.addToCorpus(finding);
  }

  private replay(samples: Sample[]): Promise<Observation> {
    this.replayCount += 1;
    return observeReplay(this.context, samples, `r${this.replayCount}`);
  }

  /**
   * Shrinks a confirmed finding's culprit and rewrites the finding with the
   * minimal payload and the evidence of its replay. The finding was written
   * before, so a harness killed while shrinking keeps it. When nothing
   * smaller fails the same way the finding is left as it is.
   */
  private async shrinkFinding(finding: Finding, messages: DeliveredMessage[]): Promise<void> {
    if (this.options.shrink === false) return;
    const limits = { ...DEFAULT_SHRINK_LIMITS, ...this.options.shrink };
    const culprit = messages[messages.length - 1]!.sample;
    const shrunk = await shrinkReproducer(
      {
        prefix: messages.slice(0, -1).map((m) => m.sample),
        culprit,
        samplePath: this.samplePaths.get(culprit),
        seed: this.seed,
        source: this.source,
        protobuf: "proto" in this.loaded.scenario.schema,
      },
      finding.signature,
      (samples) => this.replay(samples),
      limits,
    );
    const event = { type: "FindingShrunk", id: finding.id, originalBytes: culprit.bytes.length, bytes: shrunk.culprit.bytes.length, replays: shrunk.replays, stoppedBy: shrunk.stoppedBy, smaller: shrunk.smaller } as const;
    if (shrunk.smaller && shrunk.observation !== undefined) {
      const minimal = toRepro(shrunk.culprit, shrunk.samplePath);
      finding.shrink = { method: shrunk.method, original: finding.culprit, replays: shrunk.replays, durationMs: shrunk.durationMs, stoppedBy: shrunk.stoppedBy };
      finding.culprit = minimal;
      finding.messages = [...finding.messages.slice(0, -1), minimal];
      finding.evidence = withReplayEvidence(finding.evidence, shrunk.observation);
      await writeFinding(this.findingsDir, finding);
    }
    safeEmit(this.options.onEvent, event);
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
      payloadType: payloadTypeOf(this.loaded.scenario),
      scenarioFile: this.loaded.file,
      detectedAt: new Date().toISOString(),
    };
  }

  private detectors(findings: Finding[]): Detector[] {
    const watched = new Set<Detector>(["crash"]);
    if (this.session.kind !== "nats") watched.add("hang");
    if ((this.loaded.scenario.invariants ?? []).length > 0) watched.add("invariant");
    for (const finding of findings) watched.add(finding.detector);
    return [...watched];
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
      broker: { kind: this.session.kind, url: redactUrl(this.session.url), via: this.session.via, reason: this.session.broker?.reason },
      stats: {
        sent: this.sent,
        skipped: this.skipped,
        acknowledged: this.acknowledged(),
        durationMs: Date.now() - this.startedAt,
        consumerStarts: this.startCount,
        replays: this.replayCount,
        brokerRejected: this.brokerRejected,
      },
      findings: findings.map(toReportFinding),
      detectors: this.detectors(findings),
      corpus: this.corpusReport,
      outDir: this.outDir,
    };
  }
}

