import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HarnessEvent } from "../../harness/events.ts";
import type { RunReport } from "../../harness/report/types.ts";
import { runScenario } from "../../harness/run/run-scenario.ts";
import { loadScenario } from "../../harness/scenario/load.ts";
import { buildSampleSource } from "../../harness/scenario/sample-source.ts";

const SCENARIOS_DIR = fileURLToPath(new URL("../../scenarios/", import.meta.url));

/** The time a planted resource bug may take to be found and attributed. */

let workDir: string;
let savedNatsUrl: string | undefined;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "poisonpill-e2e-resource-"));
  // Each run starts its own private nats-server, which has the monitoring endpoint the core NATS monitors read.
  savedNatsUrl = process.env.POISONPILL_NATS_URL;
  delete process.env.POISONPILL_NATS_URL;
});

afterAll(async () => {
  if (savedNatsUrl !== undefined) process.env.POISONPILL_NATS_URL = savedNatsUrl;
  await rm(workDir, { recursive: true, force: true });
});

interface TimedRun {
  report: RunReport;
  events: HarnessEvent[];
}

async function runNamed(name: string, options: { seed: number; maxMessages: number; maxTimeMs?: number }): Promise<TimedRun> {
  const loaded = await loadScenario(join(SCENARIOS_DIR, `${name}.ts`));
  const events: HarnessEvent[] = [];
  const report = await runScenario(loaded, {
    ...options,
    outDir: join(workDir, `${name}-${options.seed}`),
    onEvent: (event) => {
      events.push(event);
    },
  });
  return { report, events };
}

describe("resource detectors", () => {
  it("leaky consumer: memory growth by class", async () => {
    const { report } = await runNamed("resource-leak", { seed: 1, maxMessages: 12_000, maxTimeMs: 90_000 });
    const growth = report.findings.find((f) => f.detector === "memory-growth");
    expect(growth).toBeDefined();
    expect(growth!.reproduced).toBe(true);
    const evidence = growth!.evidence;
    // The consumer keeps about 1 KB per parsed message; the bound must clear the 256 B threshold.
    expect(evidence.slopeLowerBoundBytesPerMessage as number).toBeGreaterThan(256);
    expect(evidence.classSlopeLowerBoundBytesPerMessage as number).toBeGreaterThan(256);
    expect(evidence.culpritClass).toBe(growth!.class);
    expect(Object.keys(evidence.growthByClass as object).length).toBeGreaterThanOrEqual(4);
  });

  it("backtracking regex: cpu spin", async () => {
    const { report } = await runNamed("resource-regex", { seed: 1, maxMessages: 400, maxTimeMs: 60_000 });
    const spin = report.findings.find((f) => f.detector === "cpu-spin");
    expect(spin).toBeDefined();
    expect(spin!.reproduced).toBe(true);
    expect(spin!.evidence.cpuMs as number).toBeGreaterThan(500);
    expect(spin!.evidence.busyFraction as number).toBeGreaterThanOrEqual(0.75);
    const email = (JSON.parse(Buffer.from(spin!.payload.base64, "base64").toString("utf8")) as { email: string }).email;
    expect(email.slice(0, 254)).toMatch(/^[a-zA-Z0-9_.+-]{30,}/);
  });

  it("recursive walk: crash on nesting", async () => {
    const { report } = await runNamed("resource-nesting", { seed: 1, maxMessages: 300 });
    const crash = report.findings.find((f) => f.detector === "crash");
    expect(crash).toBeDefined();
    expect(crash!.reproduced).toBe(true);
    expect(crash!.signature).toMatch(/RangeError/);
    expect(crash!.mutation).toMatch(/deep-nesting/);
  });

  it("core NATS block: hang via liveness", async () => {
    const { report } = await runNamed("resource-core-nats-block", { seed: 1, maxMessages: 3_000 });
    const hang = report.findings.find((f) => f.detector === "hang");
    expect(hang).toBeDefined();
    expect(hang!.reproduced).toBe(true);
    expect(hang!.messageCount).toBe(1);
    expect(hang!.mutation).toBe("adversarial.nul");
    expect(hang!.evidence.blockedMs as number).toBeGreaterThanOrEqual(1_500);
  });

  it("hardened consumer: no findings", async () => {
    const { report } = await runNamed("resource-hardened", { seed: 2, maxMessages: 8_000 });
    expect(report.findings).toEqual([]);
    expect(report.stats.acknowledged).toBe(8_000);
  });
});

describe("oversized payloads on NATS", () => {
  it("sends exactly max_payload; over-limit is a broker rejection", async () => {
    const loaded = await loadScenario(join(SCENARIOS_DIR, "resource-hardened.ts"));
    loaded.scenario.generator = { classes: ["oversized"] };
    const warnings: string[] = [];
    const report = await runScenario(loaded, {
      seed: 5,
      maxMessages: 60,
      outDir: join(workDir, "oversized"),
      onEvent: (event) => {
        if (event.type === "Warning") warnings.push(event.message);
      },
    });
    expect(report.findings).toEqual([]);
    expect(report.stats.brokerRejected).toBeGreaterThan(0);
    expect(report.stats.acknowledged + report.stats.brokerRejected).toBe(report.stats.sent);
    expect(warnings.some((w) => w.includes("(1048577 bytes)"))).toBe(true);
    expect(warnings.some((w) => w.includes("(1048576 bytes)"))).toBe(false);
    // The flood sent the same samples the source yields for this seed; some were exactly max_payload long.
    const source = await buildSampleSource(loaded, { maxPayloadBytes: 1_048_576 });
    const sizes = source.range(5, 0, 60).map((sample) => sample.bytes.length);
    expect(sizes).toContain(1_048_576);
  });
});
