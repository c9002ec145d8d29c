import { describe, expect, it } from "vitest";
import { assertNoFindings, FindingsError, fuzzConsumer } from "../../index.ts";
import { ConfigError } from "../../harness/errors.ts";
import type { ReportFinding } from "../../harness/report/types.ts";
import type { Scenario } from "../../harness/scenario/types.ts";
import { runReport } from "../support/run-report.ts";

const invariant: ReportFinding = {
  id: "invariant-0949be16b8",
  detector: "invariant",
  signature: "invariant:stock matches accepted orders",
  class: "valid",
  mutation: "valid.generated",
  expect: "accept",
  reproduced: true,
  count: 12,
  samplePath: "4:0:1",
  payload: { base64: Buffer.from('{"quantity":-1}').toString("base64"), size: 15 },
  shrink: {
    method: "fast-check",
    original: { class: "valid", mutation: "valid.generated", path: "", expect: "accept", base64: Buffer.from('{"quantity":-999}').toString("base64") },
    replays: 9,
    durationMs: 2_000,
    stoppedBy: "minimal",
  },
  messageCount: 1,
  evidence: {},
  dir: "/tmp/out/findings/invariant-0949be16b8",
  replayCommand: "npx poisonpill replay /tmp/out/findings/invariant-0949be16b8",
};

describe("assertNoFindings", () => {
  it("returns a clean report", () => {
    const clean = runReport([]);
    expect(assertNoFindings(clean)).toBe(clean);
  });

  it("throws a readable summary", () => {
    const failing = runReport([invariant]);
    expect(() => assertNoFindings(failing)).toThrow(FindingsError);
    let message = "";
    try {
      assertNoFindings(failing);
    } catch (error) {
      message = (error as Error).message;
      expect((error as FindingsError).report).toBe(failing);
    }
    expect(message).toContain("1 finding(s) in scenario inventory-jetstream (seed 7, 100 messages sent)");
    expect(message).toContain("invariant invariant-0949be16b8 (seen 12 times): invariant:stock matches accepted orders");
    expect(message).toContain('minimal payload (15 bytes, valid valid.generated): {"quantity":-1}');
    expect(message).toContain("shrunk from 17 bytes in 9 replays (minimal)");
    expect(message).toContain("seed 7, sample path 4:0:1");
    expect(message).toContain("replay: npx poisonpill replay /tmp/out/findings/invariant-0949be16b8");
  });
});

describe("fuzzConsumer", () => {
  it("rejects an invalid scenario object", async () => {
    await expect(fuzzConsumer({ name: "broken" } as unknown as Scenario)).rejects.toBeInstanceOf(ConfigError);
  });

  it("rejects a missing scenario file", async () => {
    await expect(fuzzConsumer("scenarios/does-not-exist.ts")).rejects.toBeInstanceOf(ConfigError);
  });
});
