import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../harness/errors.ts";
import { liveHandlerWorkers } from "../../harness/consumer/in-process/in-process-consumer.ts";
import type { ReportFinding, RunReport } from "../../harness/report/types.ts";
import { runScenario } from "../../harness/run/run-scenario.ts";
import { loadScenario, scenarioFromObject } from "../../harness/scenario/load.ts";
import { REPO_ROOT, runCliChecked } from "./run-cli.ts";

/** Hard bound of one CLI run, only to catch a stuck run: 1_000 messages with two findings took 36 to 41 s on a two-core machine. */
const RUN_TIMEOUT_MS = 150_000;
const REPLAY_TIMEOUT_MS = 30_000;
const SCENARIOS_DIR = join(REPO_ROOT, "scenarios");

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "poisonpill-e2e-handler-"));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** The hardened inventory scenario with another handler and no invariants. */
async function handlerScenario(name: string, consumer: { handler: string; timeoutMs?: number }) {
  const base = await loadScenario(join(SCENARIOS_DIR, "inventory-handler-hardened.ts"));
  return scenarioFromObject({ ...base.scenario, name, consumer, invariants: [] }, SCENARIOS_DIR);
}

async function runCliScenario(scenario: string, seed: number, maxMessages: number): Promise<{ code: number | null; stderr: string; report: RunReport }> {
  const runDir = await mkdtemp(join(workDir, "run-"));
  const reportFile = join(runDir, "r.json");
  const args = ["run", scenario, "--seed", String(seed), "--max-messages", String(maxMessages), "--no-corpus", "--report-json", reportFile, "--out", join(runDir, "out")];

  const result = await runCliChecked(args, { timeoutMs: RUN_TIMEOUT_MS });

  return { code: result.code, stderr: result.stderr, report: JSON.parse(await readFile(reportFile, "utf8")) as RunReport };
}

function orderOf(finding: ReportFinding): { quantity?: unknown } | undefined {
  try {
    return JSON.parse(Buffer.from(finding.payload.base64, "base64").toString("utf8")) as { quantity?: unknown };
  } catch {
    return undefined;
  }
}

describe("in-process handler", () => {
  it.each(["scenarios/inventory-handler.ts", "scenarios/inventory-handler.json"])("vulnerable handler %s: crash and invariant", async (scenario) => {
    const { code, stderr, report } = await runCliScenario(scenario, 1, 1_000);

    expect(code, `stderr: ${stderr}`).toBe(1);
    const crash = report.findings.find((finding) => finding.detector === "crash");
    expect(crash, JSON.stringify(report.findings, null, 2)).toBeDefined();
    expect(crash!.reproduced).toBe(true);
    expect(crash!.signature).toMatch(/^crash:exit=1:SyntaxError < JSON\.parse .* < handleOrder \(inventory-vulnerable\.ts\)/);
    expect(crash!.evidence.outputTail).toContain("SyntaxError");
    expect(orderOf(crash!)).toBeUndefined();

    const invariant = report.findings.find((finding) => finding.detector === "invariant");
    expect(invariant, JSON.stringify(report.findings, null, 2)).toBeDefined();
    expect(invariant!.reproduced).toBe(true);
    expect(orderOf(invariant!)?.quantity as number).toBeLessThan(0);

    const replay = await runCliChecked(["replay", crash!.dir], { timeoutMs: REPLAY_TIMEOUT_MS });
    expect(replay.code, `stderr: ${replay.stderr}`).toBe(1);
    expect(replay.stdout).toContain(`still fails: crash ${crash!.id}`);
  }, 300_000);

  it.each([
    ["scenarios/inventory-handler-hardened.ts", 1],
    ["scenarios/inventory-handler-hardened.ts", 2],
    ["scenarios/inventory-handler-hardened.json", 1],
  ] as const)("hardened handler %s, seed %i: no findings", async (scenario, seed) => {
    const { code, stderr, report } = await runCliScenario(scenario, seed, 3_000);

    expect(code, `stderr: ${stderr}`).toBe(0);
    expect(report.findings).toEqual([]);
    expect(report.stats.sent).toBe(3_000);
    expect(report.stats.acknowledged).toBe(report.stats.sent);
  }, 180_000);

  it("infinite loop: stopped, reported, no worker left", async () => {
    const loaded = await handlerScenario("inventory-handler-spinning", { handler: "../fixtures/handlers/inventory-spinning.ts#handleOrder", timeoutMs: 1_000 });

    const report = await runScenario(loaded, { seed: 1, maxMessages: 300, outDir: join(workDir, "spinning"), shrink: false });

    expect(report.findings.map((finding) => finding.detector)).toEqual(["hang"]);
    const [hang] = report.findings;
    expect(hang!.reproduced).toBe(true);
    expect(hang!.evidence.handlerTimeoutMs).toBe(1_000);
    expect(hang!.evidence.blockedMs as number).toBeGreaterThanOrEqual(1_000);
    expect(orderOf(hang!)?.quantity as number).toBeLessThan(0);
    expect(report.stats.sent).toBeGreaterThan(100);
    expect(liveHandlerWorkers()).toBe(0);
  }, 180_000);

  it("leaky handler: memory growth from the heap", async () => {
    const loaded = await handlerScenario("inventory-handler-leaky", { handler: "../fixtures/handlers/inventory-leaky.ts#handleOrder" });

    const report = await runScenario(loaded, { seed: 1, maxMessages: 12_000, maxTimeMs: 120_000, outDir: join(workDir, "leaky"), shrink: false });

    const growth = report.findings.find((finding) => finding.detector === "memory-growth");
    expect(growth, JSON.stringify(report.findings, null, 2)).toBeDefined();
    expect(growth!.reproduced).toBe(true);
    expect(liveHandlerWorkers()).toBe(0);
  }, 240_000);

  it("missing export: ConfigError naming the handler", async () => {
    const loaded = await handlerScenario("inventory-handler-missing", { handler: "../fixtures/handlers/inventory-hardened.ts#handleOrders" });

    const run = runScenario(loaded, { seed: 1, maxMessages: 10, outDir: join(workDir, "missing") });

    await expect(run).rejects.toBeInstanceOf(ConfigError);
    await expect(run).rejects.toThrow(/consumer\.handler could not be loaded: .*export "handleOrders"/);
    expect(liveHandlerWorkers()).toBe(0);
  }, 60_000);
});
