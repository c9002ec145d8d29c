// A Vitest test that fuzzes a queue consumer, as a project using poisonpill
// would write it. The hardened inventory consumer must survive the flood; the
// vulnerable one shows what a failing test prints.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertNoFindings, FindingsError, fuzzConsumer } from "../../index.ts";

let outDir: string;
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), "poisonpill-example-"));
});
afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe("inventory consumer", () => {
  it("survives 500 poison messages", async () => {
    const report = await fuzzConsumer("scenarios/inventory-hardened.ts", {
      seed: 1,
      maxMessages: 500,
      outDir: join(outDir, "hardened"),
      corpus: join(outDir, "corpus"),
    });

    assertNoFindings(report);
  }, 120_000);

  it("vulnerable twin fails with a reproducer", async () => {
    const report = await fuzzConsumer("scenarios/inventory-jetstream.ts", {
      seed: 1,
      maxMessages: 300,
      outDir: join(outDir, "vulnerable"),
      corpus: false,
    });

    let thrown: unknown;
    try {
      assertNoFindings(report);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FindingsError);
    const message = (thrown as FindingsError).message;
    const invariant = report.findings.find((finding) => finding.detector === "invariant")!;
    expect(message).toContain('"quantity":-1');
    expect(message).toContain(`minimal payload (${invariant.payload.size} bytes`);
    expect(message).toContain(`replay: ${invariant.replayCommand}`);
    expect(message).toContain("seed 1, sample path ");
    for (const finding of report.findings) expect(message).toContain(finding.replayCommand);
  }, 180_000);
});
