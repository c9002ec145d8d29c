import type { Scenario } from "../scenario/types.ts";

/** Scenario timing and size options with their defaults applied. */
export interface RunSettings {
  hangTimeoutMs: number;
  /** Time limit of one in-process handler call: `consumer.timeoutMs`, else `hangTimeoutMs`. */
  handlerTimeoutMs: number;
  checkEveryMessages: number;
  maxInFlight: number;
  readyTimeoutMs: number;
  stopGraceMs: number;
  /** How often the broker is asked for acknowledgement progress. */
  pollIntervalMs: number;
  /** Replays one finding's attribution may spend before it is reported unconfirmed. */
  maxAttributionReplays: number;
  /** Memory-growth detection; undefined when the scenario turns it off. */
  memory: MemorySettings | undefined;
  /** Deliveries of one message beyond which it is a redelivery loop. */
  maxDeliveries: number;
}

export interface MemorySettings {
  warmupMessages: number;
  maxGrowthBytesPerMessage: number;
  sampleIntervalMs: number;
}

/** Defaults; each is sized for loopback brokers and consumers that start in well under a second. */
export const DEFAULTS = {
  /** A healthy consumer acknowledges in milliseconds; five seconds leaves room for a loaded two-core CI machine. */
  hangTimeoutMs: 5_000,
  /** Checks cost a pause of the flood; every 100 messages keeps the window to search small. */
  checkEveryMessages: 100,
  /** Bounds crash candidates: the crashing message is among the unacknowledged ones. */
  maxInFlight: 16,
  /** A Node consumer connects and subscribes in about 0.2 s here; 20 s covers slow runtimes. */
  readyTimeoutMs: 20_000,
  stopGraceMs: 2_000,
  pollIntervalMs: 20,
  /** A binary search over 100 messages plus a delta-debugging pass fits in 40 replays. */
  maxAttributionReplays: 40,
  /** See MemoryConfig for the reasons behind these three. */
  memoryWarmupMessages: 2_000,
  maxGrowthBytesPerMessage: 256,
  memorySampleIntervalMs: 200,
  /**
   * A consumer that retries a message on a transient error needs a few
   * deliveries; ten is past any sensible retry count, and a nack-requeue loop
   * reaches it within milliseconds.
   */
  maxDeliveries: 10,
} as const;

export function resolveSettings(scenario: Scenario): RunSettings {
  return {
    hangTimeoutMs: scenario.hangTimeoutMs ?? DEFAULTS.hangTimeoutMs,
    handlerTimeoutMs: (scenario.consumer.handler !== undefined ? scenario.consumer.timeoutMs : undefined) ?? scenario.hangTimeoutMs ?? DEFAULTS.hangTimeoutMs,
    checkEveryMessages: scenario.checkEveryMessages ?? DEFAULTS.checkEveryMessages,
    maxInFlight: scenario.maxInFlight ?? DEFAULTS.maxInFlight,
    readyTimeoutMs: scenario.consumer.ready?.timeoutMs ?? DEFAULTS.readyTimeoutMs,
    stopGraceMs: scenario.consumer.stopGraceMs ?? DEFAULTS.stopGraceMs,
    pollIntervalMs: DEFAULTS.pollIntervalMs,
    maxAttributionReplays: DEFAULTS.maxAttributionReplays,
    memory:
      scenario.memory?.enabled === false
        ? undefined
        : {
            warmupMessages: scenario.memory?.warmupMessages ?? DEFAULTS.memoryWarmupMessages,
            maxGrowthBytesPerMessage: scenario.memory?.maxGrowthBytesPerMessage ?? DEFAULTS.maxGrowthBytesPerMessage,
            sampleIntervalMs: scenario.memory?.sampleIntervalMs ?? DEFAULTS.memorySampleIntervalMs,
          },
    maxDeliveries: scenario.maxDeliveries ?? DEFAULTS.maxDeliveries,
  };
}
