import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import type { ReportFinding, RunReport } from "../../harness/report/types.ts";
import { toJUnitXml } from "../../harness/report/junit.ts";
import { runReport } from "../support/run-report.ts";

function finding(id: string, detector: ReportFinding["detector"], signature: string, payload: string): ReportFinding {
  return {
    id,
    detector,
    signature,
    class: "violation",
    mutation: "violation.extra-property",
    expect: "reject",
    reproduced: true,
    count: 4,
    samplePath: "3:0:1",
    payload: { base64: Buffer.from(payload).toString("base64"), size: Buffer.byteLength(payload) },
    messageCount: 1,
    evidence: {},
    dir: `/tmp/out/findings/${id}`,
    replayCommand: `npx poisonpill replay /tmp/out/findings/${id}`,
  };
}

function report(findings: ReportFinding[]): RunReport {
  return runReport(findings, {
    scenario: "inventory <jetstream> & co",
    seed: 42,
    stats: { sent: 300, skipped: 0, acknowledged: 290, durationMs: 12_345, consumerStarts: 4, replays: 20, brokerRejected: 0 },
  });
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name) => ["testsuite", "testcase", "failure", "property"].includes(name) });

type Parsed = { testsuites: { tests: string; failures: string; testsuite: { name: string; testcase: { name: string; failure?: { type: string; message: string; "#text": string }[] }[] }[] } };

describe("toJUnitXml", () => {
  const findings = [
    finding("crash-1", "crash", "crash:exit=1:SyntaxError < JSON.parse", "{\u0000\u0007 bad"),
    finding("crash-2", "crash", "crash:signal=SIGSEGV\u0001\uffff", "\ud800 lone surrogate"),
    finding("invariant-1", "invariant", "invariant:stock <matches> \"orders\"", '{"quantity":-1}'),
  ];
  const xml = toJUnitXml([report(findings)]);
  const parsed = parser.parse(xml) as Parsed;

  it("is well-formed XML", () => {
    expect(XMLValidator.validate(xml)).toBe(true);
  });

  it("replaces characters XML forbids", () => {
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\uffff]/);
    expect(xml).toContain("SIGSEGV\ufffd\ufffd");
  });

  it("has one test case per detector", () => {
    const cases = parsed.testsuites.testsuite[0]!.testcase;
    expect(cases.map((testcase) => testcase.name)).toEqual(["crash", "hang", "invariant"]);
    expect(parsed.testsuites.tests).toBe("3");
  });

  it("has one failure per finding", () => {
    const failures = parsed.testsuites.testsuite[0]!.testcase.flatMap((testcase) => testcase.failure ?? []);
    expect(failures).toHaveLength(findings.length);
    expect(parsed.testsuites.failures).toBe("2");
  });

  it("puts summary and directory in the failure", () => {
    const invariant = parsed.testsuites.testsuite[0]!.testcase.find((testcase) => testcase.name === "invariant")!;
    const failure = invariant.failure![0]!;
    expect(failure.message).toBe('invariant invariant-1: invariant:stock <matches> "orders"');
    expect(failure["#text"]).toContain('minimal payload (15 bytes, violation violation.extra-property): {"quantity":-1}');
    expect(failure["#text"]).toContain("replay: npx poisonpill replay /tmp/out/findings/invariant-1");
    expect(failure["#text"]).toContain("directory: /tmp/out/findings/invariant-1");
  });

  it("keeps the scenario name intact", () => {
    expect(parsed.testsuites.testsuite[0]!.name).toBe("inventory <jetstream> & co");
  });

  it("has no failure for a clean run", () => {
    const clean = parser.parse(toJUnitXml([report([])])) as Parsed;
    expect(clean.testsuites.failures).toBe("0");
    expect(clean.testsuites.testsuite[0]!.testcase.every((testcase) => testcase.failure === undefined)).toBe(true);
  });
});
