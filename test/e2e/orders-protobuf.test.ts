import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acceptedRecord, decodeOrder, loadOrderType } from "../../fixtures/consumers/order-rules.mjs";
import type { ReportFinding } from "../../harness/report/types.ts";
import { runScenario } from "../../harness/run/run-scenario.ts";
import { loadScenario } from "../../harness/scenario/load.ts";

/**
 * Seed 1 yields a corrupt sample first and many pairs of colliding order ids
 * (fast-check biases uint64 values toward 2^64 - 1). A pair is only caught
 * when both orders land in the same consumer start, between crashes, which
 * depends on timing. Runs of 3000 messages saw about 30 violations, and 200
 * messages sometimes saw none, so 800 leaves a margin.
 */
const VULNERABLE_MESSAGES = 800;
const HARDENED_MESSAGES = 500;
/** A vulnerable run of 3000 messages took 65 to 150 s on two cores shared with other test runs. */
const VULNERABLE_TEST_TIMEOUT_MS = 240_000;

const orderType = loadOrderType();
const TWO_TO_53 = 2n ** 53n;

let workDir: string;
let savedNatsUrl: string | undefined;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "poisonpill-e2e-orders-"));
  // Without a broker URL each run starts its own private nats-server.
  savedNatsUrl = process.env.POISONPILL_NATS_URL;
  delete process.env.POISONPILL_NATS_URL;
});

afterAll(async () => {
  if (savedNatsUrl !== undefined) process.env.POISONPILL_NATS_URL = savedNatsUrl;
  await rm(workDir, { recursive: true, force: true });
});

async function runFile(scenario: string, seed: number, maxMessages: number) {
  const loaded = await loadScenario(scenario);
  const outDir = await mkdtemp(join(workDir, "run-"));
  return runScenario(loaded, { seed, maxMessages, outDir, shrink: false });
}

async function reproducerBodies(finding: ReportFinding): Promise<Buffer[]> {
  const document = JSON.parse(await readFile(join(finding.dir, "finding.json"), "utf8")) as { messages: Array<{ base64: string }> };
  return document.messages.map((message) => Buffer.from(message.base64, "base64"));
}

describe("orders-protobuf scenarios", () => {
  it(
    "vulnerable consumer: crash and id collision",
    async () => {
      const report = await runFile("scenarios/orders-protobuf.ts", 1, VULNERABLE_MESSAGES);
      const summary = JSON.stringify(report.findings.map((f) => ({ detector: f.detector, reproduced: f.reproduced, mutation: f.mutation })));

      const crashes = report.findings.filter((finding) => finding.detector === "crash" && finding.reproduced);
      expect(crashes.length, summary).toBeGreaterThan(0);
      for (const crash of crashes) {
        expect(crash.class, crash.id).toBe("corrupt");
        expect(crash.expect, crash.id).toBe("reject");
        expect(crash.messageCount, crash.id).toBe(1);
        const decoded = decodeOrder(orderType, Buffer.from(crash.payload.base64, "base64"));
        expect("reject" in decoded, `${crash.id} payload decodes`).toBe(true);
      }

      const invariant = report.findings.find((finding) => finding.detector === "invariant");
      expect(invariant, summary).toBeDefined();
      expect(invariant!.reproduced).toBe(true);
      expect(invariant!.messageCount).toBe(2);
      expect(invariant!.evidence.invariantOutput).toMatch(/both round to the JS number/);

      const records = (await reproducerBodies(invariant!)).map((bytes) => acceptedRecord(orderType, bytes));
      expect(records).toHaveLength(2);
      const [first, second] = records;
      expect(first).toBeDefined();
      expect(second).toBeDefined();
      const ids = [BigInt(first!.order_id), BigInt(second!.order_id)];
      expect(ids[0]).not.toBe(ids[1]);
      expect(ids[0]! > TWO_TO_53).toBe(true);
      expect(ids[1]! > TWO_TO_53).toBe(true);
      expect(Number(ids[0])).toBe(Number(ids[1]));
      expect(invariant!.evidence.invariantOutput).toContain(String(ids[0]));
      expect(invariant!.evidence.invariantOutput).toContain(String(ids[1]));
    },
    VULNERABLE_TEST_TIMEOUT_MS,
  );

  it.each([1, 2, 3])("hardened consumer: no findings, seed %i", async (seed) => {
    const report = await runFile("scenarios/orders-protobuf-hardened.ts", seed, HARDENED_MESSAGES);

    expect(report.findings, JSON.stringify(report.findings, null, 2)).toEqual([]);
    expect(report.stats.sent).toBe(HARDENED_MESSAGES);
    expect(report.stats.acknowledged).toBe(HARDENED_MESSAGES);
    expect(report.stats.consumerStarts).toBe(1);
  });
});
