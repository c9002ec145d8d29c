import type { ReportFinding, RunReport } from "../../harness/report/types.ts";

/** Builds a run report of the inventory scenario with the given findings and overrides, for reporter tests. */
export function runReport(findings: ReportFinding[], overrides: Partial<RunReport> = {}): RunReport {
  return {
    version: 1,
    scenario: "inventory-jetstream",
    seed: 7,
    broker: { kind: "jetstream", url: "nats://127.0.0.1:4222", via: "local" },
    stats: { sent: 100, skipped: 0, acknowledged: 99, durationMs: 1_000, consumerStarts: 2, replays: 3, brokerRejected: 0 },
    findings,
    detectors: ["crash", "hang", "invariant"],
    outDir: "/tmp/out",
    ...overrides,
  };
}
