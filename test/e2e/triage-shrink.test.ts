import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HarnessEvent } from "../../harness/events.ts";
import type { Finding } from "../../harness/findings/types.ts";
import type { RunReport } from "../../harness/report/types.ts";
import { runScenario } from "../../harness/run/run-scenario.ts";
import { loadScenario } from "../../harness/scenario/load.ts";
import { runCliChecked } from "./run-cli.ts";

const decode = (base64: string) => JSON.parse(Buffer.from(base64, "base64").toString("utf8")) as Record<string, unknown>;

describe("vulnerable inventory, 3,000 messages", () => {
  let outDir: string;
  let report: RunReport;
  const events: HarnessEvent[] = [];

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), "poisonpill-triage-"));
    const loaded = await loadScenario("scenarios/inventory-jetstream.ts");
    report = await runScenario(loaded, { seed: 1, maxMessages: 3_000, outDir, onEvent: (event) => events.push(event) });
  }, 180_000);

  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  it("reports one finding per planted bug", () => {
    const detectors = report.findings.map((finding) => finding.detector).sort();
    expect(detectors).toEqual(["crash", "invariant"]);
    for (const finding of report.findings) {
      expect(finding.reproduced).toBe(true);
      expect(finding.count).toBeGreaterThanOrEqual(1);
    }
    expect(report.findings.reduce((sum, finding) => sum + finding.count, 0)).toBeGreaterThan(2);
  });

  it("shrinks the negative quantity to -1 within 100 replays", () => {
    const finding = report.findings.find((f) => f.detector === "invariant")!;
    const order = decode(finding.payload.base64);
    expect(order.quantity).toBe(-1);
    expect(order.order_id).toBe("00000000-0000-1000-8000-000000000000");
    expect(order.product_id).toBe("");
    expect(order.user_id).toBe("");
    // A fifth member may remain: the one the sample's mutation added, at the path its label names.
    const extra = Object.keys(order).filter((key) => !["order_id", "product_id", "quantity", "user_id"].includes(key));
    expect(extra.map((key) => `/${key}`)).toEqual(extra.length === 0 ? [] : [finding.shrink!.original.path]);
    expect(finding.shrink!.method).toBe("fast-check");
    expect(finding.shrink!.stoppedBy).toBe("minimal");
    expect(finding.shrink!.replays).toBeLessThanOrEqual(100);
  });

  it("keeps the original payload next to the minimal one", () => {
    for (const finding of report.findings) {
      // A smaller repeat that replaced the shrunk reproducer leaves the first payload in the evidence.
      const first = finding.shrink?.original ?? (finding.evidence.firstReproducer as { base64: string } | undefined);
      expect(first, finding.id).toBeDefined();
      expect(finding.payload.size).toBeLessThanOrEqual(Buffer.from(first!.base64, "base64").length);
    }
  });

  it("keeps the smallest crashing payload", () => {
    const crash = report.findings.find((f) => f.detector === "crash")!;
    // An empty body is the smallest input that makes JSON.parse throw.
    expect(crash.payload.size).toBe(0);
  });

  it("rewrites the finding file with the minimal payload", async () => {
    for (const reported of report.findings) {
      const written = JSON.parse(await readFile(join(reported.dir, "finding.json"), "utf8")) as Finding;
      expect(written.culprit.base64).toBe(reported.payload.base64);
      expect(written.shrink?.replays).toBe(reported.shrink?.replays);
      expect(written.evidence.firstReproducer).toEqual(reported.evidence.firstReproducer);
      expect(written.count).toBe(reported.count);
      const payload = await readFile(join(reported.dir, "payload.bin"));
      expect(payload.toString("base64")).toBe(reported.payload.base64);
    }
  });

  it("writes each finding before shrinking it", () => {
    const order = events.filter((e) => e.type === "FindingConfirmed" || e.type === "FindingShrunk").map((e) => e.type);
    expect(order).toEqual(["FindingConfirmed", "FindingShrunk", "FindingConfirmed", "FindingShrunk"]);
  });
});

describe("poisonpill shrink on a finding", () => {
  let workDir: string;
  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), "poisonpill-shrink-cli-"));
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it("shrinks an unshrunk finding in place", async () => {
    const reportFile = join(workDir, "r.json");
    const run = await runCliChecked(
      ["run", "scenarios/inventory-jetstream.ts", "--seed", "1", "--max-messages", "200", "--no-corpus", "--shrink-max-replays", "0", "--out", join(workDir, "out"), "--report-json", reportFile],
      { timeoutMs: 120_000 },
    );
    expect(run.code, `stderr: ${run.stderr}`).toBe(1);
    const report = JSON.parse(await readFile(reportFile, "utf8")) as RunReport;
    const invariant = report.findings.find((finding) => finding.detector === "invariant")!;
    expect(invariant.shrink).toBeUndefined();

    const shrink = await runCliChecked(["shrink", invariant.dir], { timeoutMs: 120_000 });
    expect(shrink.code, `stderr: ${shrink.stderr}`).toBe(0);
    expect(shrink.stdout).toContain(`replay: ${invariant.replayCommand}`);
    const shrunk = JSON.parse(await readFile(join(invariant.dir, "finding.json"), "utf8")) as Finding;
    expect(decode(shrunk.culprit.base64).quantity).toBe(-1);
    expect(shrunk.shrink!.original.base64).toBe(invariant.payload.base64);
    expect(shrunk.culprit.samplePath).toMatch(/^\d+(:\d+)+$/);

    const replay = await runCliChecked(["replay", invariant.dir], { timeoutMs: 60_000 });
    expect(replay.code, `stderr: ${replay.stderr}`).toBe(1);
    expect(replay.stdout).toContain("still fails");
  }, 300_000);
});
