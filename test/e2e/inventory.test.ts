import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReportFinding, RunReport } from "../../harness/report/types.ts";
import { runCliChecked, type CliResult } from "./run-cli.ts";

/** The CLI must reach a verdict on the vulnerable scenario within 60 s. */
/** A hard bound so a stuck run fails the test instead of hanging it; runs take 10-50 s here. */
const RUN_TIMEOUT_MS = 180_000;
/** One replay starts a broker and a consumer and sends one message. */
const REPLAY_TIMEOUT_MS = 30_000;
const MAX_MESSAGES = "3000";

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "poisonpill-e2e-inventory-"));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function runScenarioFile(scenario: string, seed: number): Promise<{ result: CliResult; report: RunReport }> {
  const runDir = await mkdtemp(join(workDir, "run-"));
  const reportFile = join(runDir, "r.json");

  const result = await runCliChecked(["run", scenario, "--seed", String(seed), "--max-messages", MAX_MESSAGES, "--report-json", reportFile, "--out", join(runDir, "out")], { timeoutMs: RUN_TIMEOUT_MS });

  const report = JSON.parse(await readFile(reportFile, "utf8")) as RunReport;
  return { result, report };
}

function payloadOf(finding: ReportFinding): Buffer {
  return Buffer.from(finding.payload.base64, "base64");
}

/** Decodes a body as the inventory consumer does (UTF-8, then JSON.parse). Returns undefined when that throws. */
function parseAsConsumer(bytes: Buffer): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
}

async function expectFindingDirMatches(finding: ReportFinding, seed: number): Promise<void> {
  const document = JSON.parse(await readFile(join(finding.dir, "finding.json"), "utf8")) as Record<string, unknown> & { messages: Array<{ samplePath?: string }> };
  expect(document.format).toBe("poisonpill-finding");
  expect(document.version).toBe(1);
  expect(document.id).toBe(finding.id);
  expect(document.seed).toBe(seed);
  expect(document.reproduced).toBe(true);
  expect(document.replayCommand).toBe(finding.replayCommand);
  expect(finding.replayCommand).toMatch(/^npx poisonpill replay /);
  expect(document.messages.length).toBeGreaterThan(0);
  for (const message of document.messages) expect(message.samplePath).toMatch(/^\d+(:\d+)*$/);

  const payload = await readFile(join(finding.dir, "payload.bin"));
  expect(payload.equals(payloadOf(finding))).toBe(true);
}

describe.each([
  { format: "TypeScript", vulnerable: "scenarios/inventory-jetstream.ts", hardened: "scenarios/inventory-hardened.ts", hardenedSeeds: [1, 2, 3, 4, 5] },
  { format: "JSON", vulnerable: "scenarios/inventory-jetstream.json", hardened: "scenarios/inventory-hardened.json", hardenedSeeds: [1, 2] },
])("inventory scenarios in $format", ({ vulnerable, hardened, hardenedSeeds }) => {
  it("vulnerable consumer: two findings that replay", async () => {
    const seed = 1;

    const { result, report } = await runScenarioFile(vulnerable, seed);

    expect(result.code, `stderr: ${result.stderr}`).toBe(1);
    expect(report.seed).toBe(seed);

    const invariant = report.findings.find((finding) => finding.detector === "invariant");
    expect(invariant, JSON.stringify(report.findings, null, 2)).toBeDefined();
    expect(invariant!.reproduced).toBe(true);
    const order = parseAsConsumer(payloadOf(invariant!)) as { quantity?: unknown } | undefined;
    expect(typeof order?.quantity).toBe("number");
    expect(order!.quantity as number).toBeLessThan(0);

    const crash = report.findings.find((finding) => finding.detector === "crash");
    expect(crash, JSON.stringify(report.findings, null, 2)).toBeDefined();
    expect(crash!.reproduced).toBe(true);
    expect(parseAsConsumer(payloadOf(crash!))).toBeUndefined();

    for (const finding of [invariant!, crash!]) {
      await expectFindingDirMatches(finding, seed);

      const replay = await runCliChecked(["replay", finding.dir], { timeoutMs: REPLAY_TIMEOUT_MS });

      expect(replay.code, `stderr: ${replay.stderr}`).toBe(1);
      expect(replay.stdout).toContain(`still fails: ${finding.detector} ${finding.id}`);
    }
  }, 150_000);

  it.each(hardenedSeeds)("hardened consumer, seed %i: no findings", async (seed) => {
    const { result, report } = await runScenarioFile(hardened, seed);

    expect(result.code, `stderr: ${result.stderr}`).toBe(0);
    expect(report.findings).toEqual([]);
    expect(report.stats.sent).toBeGreaterThan(0);
    expect(report.stats.acknowledged).toBe(report.stats.sent);
  }, 90_000);
});
