import type { LoadedScenario } from "../../scenario/load.ts";
import type { MonitorFactory } from "../consumer-start.ts";
import type { RunSettings } from "../settings.ts";
import { coreNatsStallMonitor } from "./core-nats-stall.ts";
import { cpuSpinMonitor } from "./cpu-spin.ts";
import { handlerTimeoutMonitor } from "./handler-timeout.ts";
import { livenessMonitor } from "./liveness.ts";
import { memoryGrowthMonitor } from "./memory-growth.ts";
import { consumerGoneMonitor } from "./consumer-gone.ts";
import { deadLetteredMonitor } from "./dead-lettered.ts";
import { redeliveryLoopMonitor } from "./redelivery-loop.ts";
import { stallMonitor } from "./stall.ts";

/**
 * The resource detectors every run attaches to its consumer starts, flood
 * and replay alike, so a replay sees what the flood saw. The handler time
 * limit and the CPU check come before the engine's hang check, so a stuck
 * handler is reported with its message and a spinning process as a spin.
 */
export function resourceMonitors(loaded: LoadedScenario, settings: RunSettings): MonitorFactory[] {
  return [memoryGrowthMonitor(settings.memory), handlerTimeoutMonitor(), cpuSpinMonitor(), coreNatsStallMonitor(), livenessMonitor(loaded.scenario.liveness, loaded.baseDir)];
}

/**
 * The queue detectors every run attaches to its consumer starts: a consumer
 * whose channel the broker closed, redelivery loops, dead-lettered `accept`
 * samples and a prefetch window stuck full. Each returns nothing for a lane
 * that lacks the data. All of them run before the engine's hang check.
 */
export const QUEUE_MONITORS: readonly MonitorFactory[] = [consumerGoneMonitor, redeliveryLoopMonitor, deadLetteredMonitor, stallMonitor];
