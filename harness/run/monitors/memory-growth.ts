import { theilSen, thinEvenly, type SlopeEstimate } from "../../stats/theil-sen.ts";
import type { ConsumerStart, MonitorFactory, MonitorFailure, StartMonitor } from "../consumer-start.ts";
import type { MemorySettings } from "../settings.ts";
import { readGroupUsage } from "./proc-stat.ts";

/**
 * Confidence of the interval whose lower end must clear the threshold. At
 * 99 % a healthy consumer checked every second of a long run still raises a
 * false alarm only when its noise mimics a trend for the whole window.
 */
const CONFIDENCE = 0.99;

/** Messages in the window the slope is taken over: a slope over fewer is dominated by one garbage collection. */
const MIN_SPAN_MESSAGES = 2_000;

/** Samples after warm-up before a decision, so the rank-based interval is meaningful. */
const MIN_SAMPLES = 20;

/** Points the estimator uses at most; 150 points are 11_175 pairwise slopes, a few milliseconds of work. */
const MAX_POINTS = 150;

/**
 * Processed messages after which `check` takes a sample before the timer
 * does, so a fast flood still yields enough samples in the window.
 */
const SAMPLE_EVERY_MESSAGES = 100;

/** Minimum milliseconds between samples that `check` takes: bounds the /proc scans at any flood rate. */
const MIN_SAMPLE_GAP_MS = 50;

/** Milliseconds between evaluations of the slope while the flood runs. */
const EVALUATE_EVERY_MS = 1_000;

export const MEMORY_GROWTH_SIGNATURE = "memory-growth";

/** One reading: resident memory after a number of processed messages. */
export interface MemorySample {
  messages: number;
  rssBytes: number;
}

/** The slope of resident memory over processed messages, in bytes per message. */
export interface MemoryGrowthEstimate extends SlopeEstimate {
  /** Processed messages between the first and last sample used. */
  spanMessages: number;
  firstRssBytes: number;
  lastRssBytes: number;
}

/** Messages the consumer has finished: acknowledged ones, or published ones where the broker reports no acknowledgements. */
export function processedMessages(start: ConsumerStart): number {
  return start.lane.tracksAcks ? (start.progress?.ackedThrough ?? 0) : start.published;
}

/**
 * Estimates growth from the later half (by processed messages) of the
 * samples taken after warm-up; undefined when there are too few to decide.
 * A runtime that sizes its heap grows fast at first and then levels off, and
 * large garbage payloads make it do so for a while after warm-up too. A leak
 * grows at the same rate throughout, so the later half keeps the leak and
 * drops most of the heap sizing.
 */
export function estimateGrowth(allSamples: readonly MemorySample[], minSpanMessages = MIN_SPAN_MESSAGES): MemoryGrowthEstimate | undefined {
  if (allSamples.length === 0) return undefined;
  const midpoint = (allSamples[0]!.messages + allSamples[allSamples.length - 1]!.messages) / 2;
  const samples = allSamples.filter((s) => s.messages >= midpoint);
  if (samples.length < MIN_SAMPLES) return undefined;
  const spanMessages = samples[samples.length - 1]!.messages - samples[0]!.messages;
  if (spanMessages < minSpanMessages) return undefined;
  const points = thinEvenly(samples, MAX_POINTS);
  const estimate = theilSen(
    points.map((p) => p.messages),
    points.map((p) => p.rssBytes),
    CONFIDENCE,
  );
  if (estimate === undefined) return undefined;
  return { ...estimate, spanMessages, firstRssBytes: samples[0]!.rssBytes, lastRssBytes: samples[samples.length - 1]!.rssBytes };
}

/** Evidence fields of a memory-growth finding, rounded for reading. */
export function growthEvidence(estimate: MemoryGrowthEstimate, thresholdBytesPerMessage: number): Record<string, number> {
  return {
    slopeBytesPerMessage: Math.round(estimate.slope),
    slopeLowerBoundBytesPerMessage: Math.round(estimate.lower),
    slopeUpperBoundBytesPerMessage: Math.round(estimate.upper),
    slopeConfidence: estimate.confidence,
    maxGrowthBytesPerMessage: thresholdBytesPerMessage,
    memorySamples: estimate.n,
    spanMessages: estimate.spanMessages,
    rssFirstBytes: estimate.firstRssBytes,
    rssLastBytes: estimate.lastRssBytes,
  };
}

/**
 * Samples the resident memory of a consumer start's process group (the
 * worker's heap for an in-process handler) on a timer and reports growth once the lower confidence bound of the slope exceeds
 * the threshold. Samples taken during warm-up are dropped.
 */
export class MemoryGrowthMonitor implements StartMonitor {
  readonly samples: MemorySample[] = [];
  private readonly timer: NodeJS.Timeout;
  private lastEvaluatedAt = 0;
  private lastSampledAt = 0;
  private stopped = false;

  constructor(
    private readonly start: ConsumerStart,
    private readonly settings: MemorySettings,
  ) {
    this.timer = setInterval(() => this.sample(), settings.sampleIntervalMs);
    this.timer.unref();
  }

  /** Takes one reading now; the timer calls it, and phase floods call it before deciding. */
  sample(): void {
    if (this.stopped || !this.start.process.running) return;
    const messages = processedMessages(this.start);
    if (messages < this.settings.warmupMessages) return;
    const { pid } = this.start.process;
    // NOTE: for an in-process handler the reading is the worker's used V8 heap, still stored as `rssBytes`.
    const bytes = pid === undefined ? this.start.process.memoryBytes?.() : readGroupUsage(pid)?.rssBytes;
    this.lastSampledAt = Date.now();
    if (bytes !== undefined) this.samples.push({ messages, rssBytes: bytes });
  }

  estimate(minSpanMessages?: number): MemoryGrowthEstimate | undefined {
    return estimateGrowth(this.samples, minSpanMessages);
  }

  check(): MonitorFailure | undefined {
    const lastMessages = this.samples[this.samples.length - 1]?.messages ?? this.settings.warmupMessages - SAMPLE_EVERY_MESSAGES;
    if (processedMessages(this.start) - lastMessages >= SAMPLE_EVERY_MESSAGES && Date.now() - this.lastSampledAt >= MIN_SAMPLE_GAP_MS) this.sample();
    if (Date.now() - this.lastEvaluatedAt < EVALUATE_EVERY_MS) return undefined;
    this.lastEvaluatedAt = Date.now();
    const estimate = this.estimate();
    if (estimate === undefined || estimate.lower <= this.settings.maxGrowthBytesPerMessage) return undefined;
    // Growth is a property of many messages, not of the unacknowledged ones; attribution floods one class at a time.
    return { kind: "detected", detector: "memory-growth", signature: MEMORY_GROWTH_SIGNATURE, evidence: growthEvidence(estimate, this.settings.maxGrowthBytesPerMessage), suspects: [] };
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }
}

/** Attaches a memory-growth monitor to flood starts; replays are too short to show growth. */
export function memoryGrowthMonitor(settings: MemorySettings | undefined): MonitorFactory {
  return (start) => (settings === undefined || start.purpose !== "flood" ? undefined : new MemoryGrowthMonitor(start, settings));
}
