import { describe, expect, it } from "vitest";
import { formatSummary, showPayload } from "../../harness/cli/summary.ts";
import type { ReportFinding } from "../../harness/report/types.ts";
import { runReport } from "../support/run-report.ts";

/** A realistic shrunk inventory order: the bug is in `quantity`, past the first 40 characters. */
const order = '{"order_id":"00000000-0000-1000-8000-000000000000","product_id":"","quantity":-1,"user_id":""}';

function finding(id: string, payload: string): ReportFinding {
  return {
    id,
    detector: "invariant",
    signature: "invariant:stock matches accepted orders",
    class: "violation",
    mutation: "violation.extra-property",
    expect: "reject",
    reproduced: true,
    count: 3,
    payload: { base64: Buffer.from(payload).toString("base64"), size: Buffer.byteLength(payload) },
    messageCount: 1,
    evidence: {},
    dir: `/tmp/out/findings/${id}`,
    replayCommand: `npx poisonpill replay /tmp/out/findings/${id}`,
  };
}

describe("formatSummary", () => {
  it("counts skipped messages", () => {
    const report = runReport([], { stats: { sent: 2_846, skipped: 154, acknowledged: 2_810, durationMs: 17_700, consumerStarts: 37, replays: 44, brokerRejected: 0 } });
    expect(formatSummary(report)).toContain("2846 messages sent, 154 skipped (mutations that kept causing a known finding)");
  });

  it("omits skipped when none were", () => {
    expect(formatSummary(runReport([]))).not.toContain("skipped");
  });

  it("shows the mutated part of a payload", () => {
    const summary = formatSummary(runReport([finding("invariant-0949be16b8", order)]));
    expect(summary).toContain(`invariant-0949be16b8: ${order}`);
    expect(summary).toContain('"quantity":-1');
  });

  it("names an empty payload", () => {
    const summary = formatSummary(runReport([finding("crash-c0ed087699", "")]));
    expect(summary).toContain("crash-c0ed087699: (empty)");
  });
});

describe("showPayload", () => {
  it("marks an empty payload", () => {
    expect(showPayload(new Uint8Array())).toBe("(empty)");
  });

  it("cuts a long payload and gives its size", () => {
    expect(showPayload(Buffer.from("a".repeat(10)), 4)).toBe("aaaa… (10 bytes)");
  });
});
