import type { ConsumerStart, MonitorFactory, MonitorFailure, StartMonitor } from "../consumer-start.ts";
import { connzWatcherFor, type ConnzWatcher } from "./connz.ts";
import { readGroupUsage } from "./proc-stat.ts";

/**
 * Busy time (on a CPU or runnable and waiting for one) per wall-clock time at
 * or above which a stalled consumer is spinning. A single-threaded loop that
 * never yields shows 1.0 however loaded the machine is, because time spent
 * waiting for a CPU counts. A consumer blocked on I/O or a lock shows close
 * to 0 and stays a hang. Where the kernel reports no run-queue time, CPU
 * time alone is compared, which a loaded machine can push below the bar.
 */
const SPIN_CORES = 0.75;

/** Milliseconds between CPU readings of the consumer's process group. */
const SAMPLE_INTERVAL_MS = 250;

/** Part of the stall the readings must cover before CPU use over it is trusted. */
const MIN_COVERAGE = 0.8;

export const CPU_SPIN_SIGNATURE = "cpu-spin";

interface CpuReading {
  atMs: number;
  cpuMs: number;
  busyMs: number;
}

/**
 * Reports `cpu-spin` when the consumer makes no progress for `hangTimeoutMs`
 * while its process group burns about a full core. No progress means no
 * acknowledgement moves while messages are unacknowledged, or, on core NATS,
 * the server writes no message to the consumer's connection. Runs before the
 * hang check, so a spinning consumer is reported as a spin, not a hang.
 */
export class CpuSpinMonitor implements StartMonitor {
  private readonly readings: CpuReading[] = [];
  private readonly timer: NodeJS.Timeout;
  private lastPublished = 0;
  private lastPublishChangeAt = Date.now();

  constructor(
    private readonly start: ConsumerStart,
    private readonly connz: ConnzWatcher | undefined,
  ) {
    this.timer = setInterval(() => this.sample(), SAMPLE_INTERVAL_MS);
    this.timer.unref();
    this.sample();
  }

  private sample(): void {
    const { pid } = this.start.process;
    if (!this.start.process.running || pid === undefined) return;
    const usage = readGroupUsage(pid);
    if (usage === undefined) return;
    this.readings.push({ atMs: usage.atMs, cpuMs: usage.cpuMs, busyMs: usage.busyMs ?? usage.cpuMs });
    // Keep twice the hang timeout: enough to cover any stall that can still become a finding.
    const keepFrom = usage.atMs - 2 * this.start.context.settings.hangTimeoutMs - SAMPLE_INTERVAL_MS;
    while (this.readings.length > 2 && this.readings[0]!.atMs < keepFrom) this.readings.shift();
  }

  /** Milliseconds without progress, or undefined when nothing is waiting to be processed. */
  private stalledMs(): number | undefined {
    const { start } = this;
    if (start.lane.tracksAcks) {
      const acked = start.progress?.ackedThrough ?? 0;
      return start.published > acked ? start.unacknowledgedMs() : undefined;
    }
    if (this.connz !== undefined) return this.connz.latest === undefined ? undefined : this.connz.deliveryStalledMs;
    // Without the monitoring endpoint, the last publish is the last moment new work arrived.
    if (start.published !== this.lastPublished) {
      this.lastPublished = start.published;
      this.lastPublishChangeAt = Date.now();
    }
    return start.published > 0 ? Date.now() - this.lastPublishChangeAt : undefined;
  }

  /** Busy and CPU time over the last `windowMs`, with the milliseconds the readings cover. */
  private cpuOver(windowMs: number): { busy: number; cores: number; cpuMs: number; coveredMs: number } | undefined {
    const last = this.readings[this.readings.length - 1];
    if (last === undefined) return undefined;
    const first = this.readings.find((r) => r.atMs >= last.atMs - windowMs);
    if (first === undefined || first === last) return undefined;
    const coveredMs = last.atMs - first.atMs;
    const cpuMs = last.cpuMs - first.cpuMs;
    return { busy: (last.busyMs - first.busyMs) / coveredMs, cores: cpuMs / coveredMs, cpuMs, coveredMs };
  }

  check(): MonitorFailure | undefined {
    const { hangTimeoutMs } = this.start.context.settings;
    const stalledMs = this.stalledMs();
    if (stalledMs === undefined || stalledMs < hangTimeoutMs) return undefined;
    const cpu = this.cpuOver(stalledMs);
    if (cpu === undefined || cpu.coveredMs < MIN_COVERAGE * hangTimeoutMs || cpu.busy < SPIN_CORES) return undefined;
    return {
      kind: "detected",
      detector: "cpu-spin",
      signature: CPU_SPIN_SIGNATURE,
      evidence: { cpuMs: Math.round(cpu.cpuMs), cpuWindowMs: cpu.coveredMs, cpuCores: Number(cpu.cores.toFixed(2)), busyFraction: Number(cpu.busy.toFixed(2)), stalledMs },
    };
  }

  /** True while the consumer burns CPU without progress, so a settle on core NATS waits for the verdict. */
  undecided(): boolean {
    const stalledMs = this.stalledMs();
    if (stalledMs === undefined || stalledMs < SAMPLE_INTERVAL_MS * 2) return false;
    const cpu = this.cpuOver(stalledMs);
    return cpu !== undefined && cpu.busy >= SPIN_CORES;
  }

  stop(): void {
    clearInterval(this.timer);
    this.connz?.stop();
  }
}

/**
 * Attaches a CPU-spin monitor to every consumer start that is a process
 * (flood and replay, so replays reproduce the finding). An in-process
 * handler has no process of its own; its time limit catches a spin.
 */
export function cpuSpinMonitor(): MonitorFactory {
  return (start) => (start.process.pid === undefined ? undefined : new CpuSpinMonitor(start, connzWatcherFor(start)));
}
