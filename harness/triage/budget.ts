import { ReplayBudget } from "../run/attribute.ts";

/** Limits of one shrink: each replay costs a consumer start, so both count and wall time are bounded. */
export interface ShrinkLimits {
  /** Replays (fresh consumer starts) one shrink may spend. */
  maxReplays: number;
  /** Wall time one shrink may take, in milliseconds. */
  maxTimeMs: number;
}

/**
 * Defaults sized for consumers that start in about 0.3 s: shrinking a
 * generated JSON sample to a minimal one takes 10 to 40 replays, so 100
 * leaves room, and 20 s per finding keeps a run with a few findings within
 * the minute a CI job usually grants a fuzz step.
 */
export const DEFAULT_SHRINK_LIMITS: ShrinkLimits = { maxReplays: 100, maxTimeMs: 20_000 };

/** Why a shrink ended. */
export type ShrinkStop = "minimal" | "max-replays" | "max-time";

/** A replay budget that also runs out at a deadline; `ddmin` and the shrinkers check `exhausted` before each replay. */
export class ShrinkBudget extends ReplayBudget {
  readonly startedAt = Date.now();
  private readonly deadline: number;
  /** Set when a replay was refused, so the search ended early. */
  private refused = false;

  constructor(readonly limits: ShrinkLimits) {
    super(limits.maxReplays);
    this.deadline = this.startedAt + limits.maxTimeMs;
  }

  override get exhausted(): boolean {
    return super.exhausted || Date.now() >= this.deadline;
  }

  /** Counts one replay; returns false (and counts nothing) when the budget is spent. */
  take(): boolean {
    if (this.exhausted) {
      this.refused = true;
      return false;
    }
    this.used += 1;
    return true;
  }

  get elapsedMs(): number {
    return Date.now() - this.startedAt;
  }

  /** The reason to report once the search is over. */
  stopReason(): ShrinkStop {
    if (!this.refused && !this.exhausted) return "minimal";
    if (this.used >= this.max) return "max-replays";
    return "max-time";
  }
}
