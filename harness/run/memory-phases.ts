import type { Sample, SampleClass } from "../../generators/sample.ts";
import type { FindingEvidence } from "../findings/types.ts";
import type { SampleSource } from "../scenario/sample-source.ts";
import type { DeliveredMessage } from "../scenario/types.ts";
import { ConsumerStart, type StartContext } from "./consumer-start.ts";
import { estimateGrowth, growthEvidence, MemoryGrowthMonitor } from "./monitors/memory-growth.ts";
import { waitForWindow } from "./observe.ts";
import type { MemorySettings } from "./settings.ts";

/**
 * Messages each class phase sends after warm-up; the slope is taken over the
 * later 2_000 (see estimateGrowth). At the default threshold of 256 bytes per
 * message those are 500 KiB of growth, above the RSS noise of a Node
 * consumer, and a loopback JetStream flood sends them in a few seconds.
 */
const PHASE_MEASURE_MESSAGES = 4_000;

/** Messages between memory samples in a phase: 40 samples in the window the slope uses, whatever the flood rate. */
const PHASE_SAMPLE_EVERY_MESSAGES = 50;

/** Samples generated per call while a phase floods. */
const CHUNK = 64;

/** The growth one class phase showed. */
export interface ClassGrowth {
  class: SampleClass;
  /** Messages the phase published. */
  messages: number;
  slopeBytesPerMessage?: number;
  lowerBoundBytesPerMessage?: number;
  upperBoundBytesPerMessage?: number;
  /** Why the phase ended early: the consumer crashed or hung, which is reported by the flood's own detectors. */
  interrupted?: string;
  /** The first sample of the phase: what a finding shows as the class's payload. */
  representative?: Sample;
}

export interface MemoryAttribution {
  /** The class whose phase grew fastest with its lower bound above the threshold, if any did. */
  culprit?: { class: SampleClass; representative: Sample };
  evidence: FindingEvidence;
}

/**
 * Floods one payload class at a time, each into a fresh consumer start, and
 * measures memory growth per class. The class whose phase reproduces growth
 * (the lower confidence bound above `maxGrowthBytesPerMessage`) with the
 * steepest slope drives the leak. The evidence lists every phase.
 */
export async function attributeMemoryGrowth(
  context: StartContext,
  classes: readonly SampleClass[],
  sourceFor: (sampleClass: SampleClass) => Promise<SampleSource>,
  seed: number,
  settings: MemorySettings,
  tagPrefix: string,
): Promise<MemoryAttribution> {
  // Phases carry only their own memory monitor: a CPU or hang verdict ends the phase instead of hiding the growth.
  const phaseContext: StartContext = { ...context, monitors: [] };
  const results: ClassGrowth[] = [];
  for (const [index, sampleClass] of classes.entries()) {
    results.push(await floodClass(phaseContext, sampleClass, await sourceFor(sampleClass), seed, settings, `${tagPrefix}c${index}`));
  }

  const growing = results.filter((r) => r.lowerBoundBytesPerMessage !== undefined && r.lowerBoundBytesPerMessage > settings.maxGrowthBytesPerMessage);
  growing.sort((a, b) => b.slopeBytesPerMessage! - a.slopeBytesPerMessage!);
  const top = growing[0];
  const perClass = Object.fromEntries(
    results.map((r) => [
      r.class,
      { messages: r.messages, slopeBytesPerMessage: r.slopeBytesPerMessage, lowerBoundBytesPerMessage: r.lowerBoundBytesPerMessage, upperBoundBytesPerMessage: r.upperBoundBytesPerMessage, interrupted: r.interrupted },
    ]),
  );
  const evidence: FindingEvidence = { growthByClass: perClass, phaseMessages: settings.warmupMessages + PHASE_MEASURE_MESSAGES };
  if (top === undefined || top.representative === undefined) return { evidence };
  return {
    culprit: { class: top.class, representative: top.representative },
    evidence: {
      ...evidence,
      culpritClass: top.class,
      classSlopeBytesPerMessage: top.slopeBytesPerMessage,
      classSlopeLowerBoundBytesPerMessage: top.lowerBoundBytesPerMessage,
      classSlopeUpperBoundBytesPerMessage: top.upperBoundBytesPerMessage,
    },
  };
}

async function floodClass(context: StartContext, sampleClass: SampleClass, source: SampleSource, seed: number, settings: MemorySettings, tag: string): Promise<ClassGrowth> {
  const total = settings.warmupMessages + PHASE_MEASURE_MESSAGES;
  const { maxInFlight } = context.settings;
  const start = await ConsumerStart.begin(context, tag, "replay");
  const monitor = new MemoryGrowthMonitor(start, settings);
  let representative: Sample | undefined;
  try {
    let buffer: Sample[] = [];
    let sent = 0;
    while (sent < total) {
      const interrupted = await waitForWindow(start, 0);
      if (interrupted !== undefined) return { class: sampleClass, messages: sent, interrupted: interrupted.kind === "detected" ? interrupted.detector : interrupted.kind, representative };
      // Publish as many as the window has room for at once, as the flood does with its concurrent publishes.
      const unacknowledged = start.lane.tracksAcks ? start.published - (start.progress?.ackedThrough ?? 0) : 0;
      const batch: Sample[] = [];
      while (batch.length < Math.max(1, maxInFlight - unacknowledged) && sent + batch.length < total) {
        if (buffer.length === 0) buffer = source.range(seed, sent + batch.length, CHUNK);
        batch.push(buffer.shift()!);
      }
      representative ??= batch[0];
      // A publish over the broker's limit fails; the broker rejected it and the phase goes on.
      await Promise.all(batch.map((sample) => start.publish(sample).catch(() => undefined)));
      const before = sent;
      sent += batch.length;
      if (Math.floor(sent / PHASE_SAMPLE_EVERY_MESSAGES) !== Math.floor(before / PHASE_SAMPLE_EVERY_MESSAGES)) monitor.sample();
    }
    const outcome = await start.settle();
    monitor.sample();
    const estimate = estimateGrowth(monitor.samples, Math.floor(PHASE_MEASURE_MESSAGES / 3));
    const result: ClassGrowth = { class: sampleClass, messages: total, representative, interrupted: outcome.kind === "settled" ? undefined : outcome.kind };
    if (estimate === undefined) return result;
    const evidence = growthEvidence(estimate, settings.maxGrowthBytesPerMessage);
    return { ...result, slopeBytesPerMessage: evidence.slopeBytesPerMessage, lowerBoundBytesPerMessage: evidence.slopeLowerBoundBytesPerMessage, upperBoundBytesPerMessage: evidence.slopeUpperBoundBytesPerMessage };
  } finally {
    monitor.stop();
    await start.end();
  }
}

/** Wraps the representative sample as the finding's one message. */
export function representativeMessage(sample: Sample): DeliveredMessage {
  return { seq: 1, sample };
}
