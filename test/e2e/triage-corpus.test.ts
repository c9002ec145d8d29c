import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCorpus } from "../../harness/corpus/store.ts";
import type { HarnessEvent } from "../../harness/events.ts";
import type { RunReport } from "../../harness/report/types.ts";
import { runScenario } from "../../harness/run/run-scenario.ts";
import { loadScenario } from "../../harness/scenario/load.ts";

describe("regression corpus", () => {
  let workDir: string;
  let corpus: string;
  let first: RunReport;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), "poisonpill-corpus-e2e-"));
    corpus = join(workDir, "corpus");
    first = await runScenario(await loadScenario("scenarios/inventory-jetstream.ts"), { seed: 1, maxMessages: 300, outDir: join(workDir, "first"), corpus });
  }, 180_000);

  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it("stores each confirmed finding as a case", async () => {
    const cases = await readCorpus(corpus);
    expect(cases.map((stored) => stored.case.id).sort()).toEqual(first.findings.map((finding) => finding.id).sort());
    expect(first.corpus!.added.sort()).toEqual(first.findings.map((finding) => finding.id).sort());
    for (const stored of cases) {
      const reported = first.findings.find((finding) => finding.id === stored.case.id)!;
      expect(Buffer.from(stored.samples.at(-1)!.bytes).toString("base64")).toBe(reported.payload.base64);
      expect(stored.case.signature).toBe(reported.signature);
    }
  });

  it("hardened consumer passes the corpus", async () => {
    const events: HarnessEvent[] = [];
    const report = await runScenario(await loadScenario("scenarios/inventory-hardened.ts"), { seed: 3, maxMessages: 50, outDir: join(workDir, "hardened"), corpus, onEvent: (event) => events.push(event) });
    expect(report.corpus!.replayed.sort()).toEqual(first.findings.map((finding) => finding.id).sort());
    expect(report.corpus!.failed).toEqual([]);
    expect(report.findings).toEqual([]);
    const replayed = events.filter((event) => event.type === "CorpusCaseReplayed");
    expect(replayed).toHaveLength(first.findings.length);
    expect(replayed.every((event) => event.type === "CorpusCaseReplayed" && !event.failed)).toBe(true);
  }, 180_000);

  it("vulnerable consumer fails before the flood", async () => {
    const events: HarnessEvent[] = [];
    const report = await runScenario(await loadScenario("scenarios/inventory-jetstream.ts"), { seed: 2, maxMessages: 20, outDir: join(workDir, "again"), corpus, onEvent: (event) => events.push(event) });
    expect(report.corpus!.failed.sort()).toEqual(first.findings.map((finding) => finding.id).sort());
    expect(report.findings.map((finding) => finding.signature).sort()).toEqual(first.findings.map((finding) => finding.signature).sort());

    const firstFlood = events.findIndex((event) => event.type === "ConsumerStarted" && event.purpose === "flood");
    const lastCorpusFailure = events.findLastIndex((event) => event.type === "CorpusCaseReplayed" && event.failed);
    const firstConfirmed = events.findIndex((event) => event.type === "FindingConfirmed");
    expect(lastCorpusFailure).toBeGreaterThanOrEqual(0);
    expect(lastCorpusFailure).toBeLessThan(firstFlood);
    expect(firstConfirmed).toBeLessThan(firstFlood);
    for (const finding of report.findings) expect(finding.evidence.corpusCase).toBe(join(corpus, finding.id));
  }, 180_000);
});
