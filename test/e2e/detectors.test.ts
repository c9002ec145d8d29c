import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HarnessEvent } from "../../harness/events.ts";
import { liveProcessGroups } from "../../harness/process/child-registry.ts";
import type { ReportFinding, RunReport } from "../../harness/report/types.ts";
import { replayFinding } from "../../harness/run/replay-finding.ts";
import { runScenario } from "../../harness/run/run-scenario.ts";
import { scenarioFromObject } from "../../harness/scenario/load.ts";
import type { InvariantConfig, Scenario } from "../../harness/scenario/types.ts";
import { parseObject } from "../fixtures/consumers/lane-consumer.mjs";
import { survivors } from "./processes.ts";

const CONSUMERS_DIR = fileURLToPath(new URL("../fixtures/consumers/", import.meta.url));

/** Orders with an `op` field. Each fixture consumer has a bug planted on op "poison". */
const OP_SCHEMA = {
  type: "object",
  properties: {
    op: { enum: ["add", "remove", "poison"] },
    amount: { type: "integer", minimum: 0, maximum: 100 },
  },
  required: ["op", "amount"],
  additionalProperties: false,
};

/** Short enough to keep hang tests fast, long enough for a loopback consumer on a busy two-core machine. */
const HANG_TIMEOUT_MS = 1_000;

let workDir: string;
let savedNatsUrl: string | undefined;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "poisonpill-e2e-detectors-"));
  // Each run starts its own private nats-server, even when POISONPILL_NATS_URL is set.
  savedNatsUrl = process.env.POISONPILL_NATS_URL;
  delete process.env.POISONPILL_NATS_URL;
});

afterAll(async () => {
  if (savedNatsUrl !== undefined) process.env.POISONPILL_NATS_URL = savedNatsUrl;
  await rm(workDir, { recursive: true, force: true });
});

interface FixtureRun {
  scenario: Scenario;
  outDir: string;
  report: RunReport;
  /** PIDs of every consumer start, from ConsumerStarted events. */
  consumerPids: number[];
}

function startedPids(events: HarnessEvent[]): number[] {
  return events.flatMap((event) => (event.type === "ConsumerStarted" && event.pid !== undefined ? [event.pid] : []));
}

/** Runs `consumer` (a file in test/fixtures/consumers) against a private JetStream broker. */
async function runFixture(consumer: string, options: { maxMessages: number; scenario?: Partial<Scenario>; env?: Record<string, string> }): Promise<FixtureRun> {
  const scenario: Scenario = {
    name: `e2e-${consumer.replace(/\.mjs$/, "")}`,
    broker: { kind: "jetstream", subject: "e2e.orders" },
    schema: { jsonSchema: OP_SCHEMA },
    consumer: {
      command: ["node", consumer],
      // Absolute, so a JSON copy of the scenario written elsewhere starts the same consumer.
      cwd: CONSUMERS_DIR,
      env: { NATS_URL: "${brokerUrl}", STREAM: "${stream}", STATE_DIR: "${stateDir}", ...options.env },
      stopGraceMs: 500,
    },
    hangTimeoutMs: HANG_TIMEOUT_MS,
    ...options.scenario,
  };
  const outDir = await mkdtemp(join(workDir, "out-"));
  const events: HarnessEvent[] = [];

  const report = await runScenario(scenarioFromObject(scenario, CONSUMERS_DIR), {
    seed: 1,
    maxMessages: options.maxMessages,
    outDir,
    onEvent: (event) => events.push(event),
  });

  // Every process group the run started, the broker's included, is gone.
  expect(liveProcessGroups()).toEqual([]);
  return { scenario, outDir, report, consumerPids: startedPids(events) };
}

/**
 * Replays a finding from its directory. A scenario built in code has no file,
 * so a JSON copy is written and passed, as `poisonpill replay --scenario` does.
 */
async function replayThroughFile(run: FixtureRun, finding: ReportFinding): Promise<{ stillFails: boolean; consumerPids: number[] }> {
  const scenarioFile = join(run.outDir, "scenario.json");
  await writeFile(scenarioFile, JSON.stringify(run.scenario));
  const events: HarnessEvent[] = [];

  const result = await replayFinding(finding.dir, { scenarioFile, onEvent: (event) => events.push(event) });

  expect(liveProcessGroups()).toEqual([]);
  return { stillFails: result.stillFails, consumerPids: startedPids(events) };
}

function onlyFinding(report: RunReport): ReportFinding {
  expect(report.findings.map((finding) => finding.detector)).toHaveLength(1);
  return report.findings[0]!;
}

function culpritOf(finding: ReportFinding): Record<string, unknown> | undefined {
  return parseObject(Buffer.from(finding.payload.base64, "base64"));
}

describe("detectors against JetStream", () => {
  it("crash names the poison message", async () => {
    const run = await runFixture("crash-on-poison.mjs", { maxMessages: 80 });

    const finding = onlyFinding(run.report);
    expect(finding.detector).toBe("crash");
    expect(finding.reproduced).toBe(true);
    expect(finding.messageCount).toBe(1);
    expect(culpritOf(finding)?.op).toBe("poison");
    expect(finding.evidence.exitCode).toBe(1);
    expect(finding.evidence.outputTail).toContain("cannot apply op poison");
    expect(await survivors(run.consumerPids)).toEqual([]);

    const replay = await replayThroughFile(run, finding);

    expect(replay.stillFails).toBe(true);
    expect(replay.consumerPids).toHaveLength(1);
    expect(await survivors(replay.consumerPids)).toEqual([]);
  });

  it("hang names the stalled message", async () => {
    const run = await runFixture("stall-on-poison.mjs", { maxMessages: 30 });

    const finding = onlyFinding(run.report);
    expect(finding.detector).toBe("hang");
    expect(finding.reproduced).toBe(true);
    expect(finding.messageCount).toBe(1);
    expect(culpritOf(finding)?.op).toBe("poison");
    expect(finding.evidence.unacknowledgedMs).toBeGreaterThanOrEqual(HANG_TIMEOUT_MS);
    expect(await survivors(run.consumerPids)).toEqual([]);

    const replay = await replayThroughFile(run, finding);

    expect(replay.stillFails).toBe(true);
    expect(replay.consumerPids).toHaveLength(1);
    expect(await survivors(replay.consumerPids)).toEqual([]);
  });

  it("invariant names the corrupting message", async () => {
    const countMatches: InvariantConfig = {
      name: "count matches JSON objects",
      async check({ stateDir, messages }) {
        const { objects } = JSON.parse(await readFile(join(stateDir, "count.json"), "utf8")) as { objects: number };
        const expected = messages.filter((message) => parseObject(message.sample.bytes) !== undefined).length;
        return objects === expected || `count is ${objects}, expected ${expected}`;
      },
    };

    const { report, consumerPids } = await runFixture("miscount-poison.mjs", { maxMessages: 150, scenario: { invariants: [countMatches], checkEveryMessages: 25 } });

    const finding = onlyFinding(report);
    expect(finding.detector).toBe("invariant");
    expect(finding.reproduced).toBe(true);
    expect(culpritOf(finding)?.op).toBe("poison");
    expect(finding.evidence.invariant).toBe("count matches JSON objects");
    expect(finding.evidence.invariantOutput).toMatch(/^count is \d+, expected \d+$/);
    expect(await survivors(consumerPids)).toEqual([]);
  });
});

describe("harness protection against hostile consumers", () => {
  it("survives megabytes of stderr", async () => {
    const { report, consumerPids } = await runFixture("noisy.mjs", { maxMessages: 60 });

    const finding = onlyFinding(report);
    expect(finding.detector).toBe("crash");
    expect(finding.reproduced).toBe(true);
    expect(culpritOf(finding)?.op).toBe("poison");
    expect(finding.evidence.exitCode).toBe(70);
    // The tail is hundreds of kilobytes: compare it without printing it in a failure message.
    const tail = finding.evidence.outputTail ?? "";
    expect(tail.includes("noisy consumer: poison op, crashing"), `last 300 characters of the tail: ${tail.slice(-300)}`).toBe(true);
    // Each consumer start wrote over 5 MB in lines of up to 1 MB. The evidence keeps a bounded tail of shortened lines.
    expect(tail.length).toBeLessThan(512 * 1024);
    expect(Math.max(...tail.split("\n").map((line) => line.length))).toBeLessThan(16 * 1024);
    expect(report.stats.sent).toBeGreaterThan(0);
    expect(await survivors(consumerPids)).toEqual([]);
  });

  it("kills consumers that ignore SIGTERM", async () => {
    const pidDir = await mkdtemp(join(workDir, "pids-"));

    const { report, consumerPids } = await runFixture("stubborn.mjs", { maxMessages: 40, env: { E2E_PID_DIR: pidDir } });

    const finding = onlyFinding(report);
    expect(finding.detector).toBe("crash");
    expect(finding.reproduced).toBe(true);
    expect(culpritOf(finding)?.op).toBe("poison");

    const recorded = await readdir(pidDir);
    const labels = new Map(await Promise.all(recorded.map(async (pid) => [Number(pid), (await readFile(join(pidDir, pid), "utf8")).trim()] as const)));
    const recordedConsumers = [...labels].filter(([, label]) => label === "stubborn consumer").map(([pid]) => pid);
    const stubbornChildren = [...labels].filter(([, label]) => label === "stubborn child").map(([pid]) => pid);
    expect(consumerPids.length).toBeGreaterThan(1);
    expect(recordedConsumers.sort()).toEqual([...consumerPids].sort());
    expect(stubbornChildren).toHaveLength(consumerPids.length);
    expect(await survivors([...consumerPids, ...stubbornChildren])).toEqual([]);
  });
});
