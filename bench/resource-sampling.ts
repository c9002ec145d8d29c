/**
 * Measures what the resource detectors cost the flood: the hardened signup
 * consumer is flooded with the detectors off and on, alternating, so both
 * modes see the same machine load. Prints one Markdown table row per mode.
 *
 *   node --import tsx bench/resource-sampling.ts [rounds] [messages]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runScenario } from "../harness/run/run-scenario.ts";
import { loadScenario } from "../harness/scenario/load.ts";

const rounds = Number(process.argv[2] ?? 3);
const messages = Number(process.argv[3] ?? 10_000);
const scenarioFile = fileURLToPath(new URL("../scenarios/resource-hardened.ts", import.meta.url));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const outDir = await mkdtemp(join(tmpdir(), "poisonpill-bench-"));
const rates: Record<"off" | "on", number[]> = { off: [], on: [] };
try {
  for (let round = 1; round <= rounds; round += 1) {
    // Alternate which mode goes first, so a load trend does not favour one.
    const order: Array<"off" | "on"> = round % 2 === 1 ? ["off", "on"] : ["on", "off"];
    for (const mode of order) {
      const loaded = await loadScenario(scenarioFile);
      const report = await runScenario(loaded, { seed: round, maxMessages: messages, outDir: join(outDir, `${mode}-${round}`), resourceMonitors: mode === "on" });
      const rate = report.stats.sent / (report.stats.durationMs / 1000);
      rates[mode].push(rate);
      process.stderr.write(`round ${round} detectors ${mode}: ${rate.toFixed(0)} msg/s, ${report.findings.length} findings\n`);
    }
  }
} finally {
  await rm(outDir, { recursive: true, force: true });
}

const off = median(rates.off);
const on = median(rates.on);
process.stdout.write(`machine: ${cpus().length} x ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}\n`);
process.stdout.write(`| detectors | median msg/s | runs (msg/s) |\n| --- | --- | --- |\n`);
process.stdout.write(`| off | ${off.toFixed(0)} | ${rates.off.map((r) => r.toFixed(0)).join(", ")} |\n`);
process.stdout.write(`| on | ${on.toFixed(0)} | ${rates.on.map((r) => r.toFixed(0)).join(", ")} |\n`);
process.stdout.write(`on/off rate ratio: ${(on / off).toFixed(3)}\n`);
