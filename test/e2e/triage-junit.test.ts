import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunReport } from "../../harness/report/types.ts";
import { runCliChecked } from "./run-cli.ts";

const RUN_TIMEOUT_MS = 120_000;

type Testcase = { name: string; failure?: { message: string; "#text": string }[] };

describe("run --report-junit", () => {
  let workDir: string;
  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), "poisonpill-junit-"));
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it("writes one failure per finding", async () => {
    const junitFile = join(workDir, "junit.xml");
    const reportFile = join(workDir, "r.json");
    const result = await runCliChecked(
      ["run", "scenarios/inventory-jetstream.ts", "--seed", "1", "--max-messages", "300", "--no-corpus", "--out", join(workDir, "out"), "--report-json", reportFile, "--report-junit", junitFile],
      { timeoutMs: RUN_TIMEOUT_MS },
    );
    expect(result.code, `stderr: ${result.stderr}`).toBe(1);

    const xml = await readFile(junitFile, "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    const report = JSON.parse(await readFile(reportFile, "utf8")) as RunReport;
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name) => ["testsuite", "testcase", "failure"].includes(name) }).parse(xml) as {
      testsuites: { testsuite: { name: string; testcase: Testcase[] }[] };
    };
    const suite = parsed.testsuites.testsuite[0]!;
    expect(suite.name).toBe("inventory-jetstream");
    expect(suite.testcase.map((testcase) => testcase.name).sort()).toEqual(["crash", "hang", "invariant"]);

    const failures = suite.testcase.flatMap((testcase) => testcase.failure ?? []);
    expect(failures).toHaveLength(report.findings.length);
    expect(report.findings.length).toBe(2);
    for (const finding of report.findings) {
      const failure = failures.find((candidate) => candidate.message.startsWith(`${finding.detector} ${finding.id}`))!;
      expect(failure["#text"]).toContain(`directory: ${finding.dir}`);
      expect(failure["#text"]).toContain(`replay: ${finding.replayCommand}`);
    }
    expect(suite.testcase.find((testcase) => testcase.name === "hang")!.failure).toBeUndefined();
  }, RUN_TIMEOUT_MS + 10_000);

  it("hardened scenario passes every test case", async () => {
    const junitFile = join(workDir, "hardened.xml");
    const result = await runCliChecked(
      ["run", "scenarios/inventory-hardened.ts", "--seed", "1", "--max-messages", "200", "--no-corpus", "--out", join(workDir, "hardened"), "--report-junit", junitFile],
      { timeoutMs: RUN_TIMEOUT_MS },
    );
    expect(result.code, `stderr: ${result.stderr}`).toBe(0);
    const xml = await readFile(junitFile, "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toContain("<failure");
    expect(xml).toContain('failures="0"');
  }, RUN_TIMEOUT_MS + 10_000);
});
