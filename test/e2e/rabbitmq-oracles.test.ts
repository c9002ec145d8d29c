import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HarnessEvent } from "../../harness/events.ts";
import type { RunReport } from "../../harness/report/types.ts";
import { runScenario } from "../../harness/run/run-scenario.ts";
import { scenarioFromObject } from "../../harness/scenario/load.ts";
import type { Scenario } from "../../harness/scenario/types.ts";
import { rabbitMqUnavailable, rabbitOrdersScenario, SCENARIOS_DIR, SYSTEM_AMQP_URL } from "./rabbitmq-support.ts";

const brokerSkip = await rabbitMqUnavailable();
if (brokerSkip !== undefined) console.warn(`RabbitMQ oracle tests skipped: ${brokerSkip}`);

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "poisonpill-e2e-rabbitmq-oracles-"));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** Runs a scenario in this process against the shared broker, without shrinking, which these tests do not examine. */
async function runInProcess(scenario: Scenario, options: { seed: number; maxMessages: number; outDir: string; brokerUrl: string }): Promise<{ report: RunReport; events: HarnessEvent[] }> {
  const events: HarnessEvent[] = [];
  const report = await runScenario(scenarioFromObject(scenario, SCENARIOS_DIR), { ...options, shrink: false, onEvent: (event) => events.push(event) });
  return { report, events };
}

function isNestedTable(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

describe.skipIf(brokerSkip !== undefined)("RabbitMQ oracles", () => {
  it("consumer holding its prefetch window full is a stall", async () => {
    // maxInFlight well above 4 held messages, so the queue backs up behind the full window.
    const scenario = rabbitOrdersScenario("orders-rabbitmq-holding.mjs", { hangTimeoutMs: 1_500, maxInFlight: 64, generator: { classes: ["valid", "corrupt"] } });
    const { report } = await runInProcess(scenario, { seed: 1, maxMessages: 200, outDir: join(workDir, "stall"), brokerUrl: SYSTEM_AMQP_URL });

    const stall = report.findings.find((finding) => finding.detector === "stall");
    expect(stall, JSON.stringify(report.findings)).toBeDefined();
    expect(stall!.reproduced).toBe(true);
    expect(stall!.evidence.observedIn).toBe("replay");
    expect(stall!.evidence.prefetch).toBe(4);
    // Overtaking needs messages queued behind the window: the flood had them, the replay of the held messages alone has none.
    const flood = stall!.evidence.floodObservation!;
    expect(flood.overtaken).toBe(true);
    expect(flood.readyMessages as number).toBeGreaterThan(0);
    // Reproduced by the held messages together: a full window of 4.
    expect(stall!.messageCount).toBe(4);
    // Held messages left at the end of the flood, fewer than the window, are a hang: nothing waits behind them.
    for (const hang of report.findings.filter((finding) => finding.detector === "hang")) {
      expect(() => JSON.parse(Buffer.from(hang.payload.base64, "base64").toString("utf8"))).toThrow();
    }
  }, 60_000);

  it("consumer stopping on a message stays a hang", async () => {
    const scenario = rabbitOrdersScenario("orders-rabbitmq-stuck.mjs", { hangTimeoutMs: 1_500, maxInFlight: 64, generator: { classes: ["valid", "corrupt"] } });
    const { report } = await runInProcess(scenario, { seed: 1, maxMessages: 100, outDir: join(workDir, "hang"), brokerUrl: SYSTEM_AMQP_URL });

    expect(report.findings.map((finding) => finding.detector)).toContain("hang");
    expect(report.findings.map((finding) => finding.detector)).not.toContain("stall");
  }, 60_000);

  it("channel closed by the broker is a crash", async () => {
    const scenario = rabbitOrdersScenario("orders-rabbitmq-double-ack.mjs", { generator: { classes: ["valid", "corrupt"] } });
    const { report } = await runInProcess(scenario, { seed: 1, maxMessages: 100, outDir: join(workDir, "channel-closed"), brokerUrl: SYSTEM_AMQP_URL });

    const crash = report.findings.find((finding) => finding.signature === "crash:channel-closed:406");
    expect(crash, JSON.stringify(report.findings)).toBeDefined();
    expect(crash!.detector).toBe("crash");
    expect(crash!.reproduced).toBe(true);
    expect(crash!.evidence.replyText).toMatch(/PRECONDITION_FAILED - unknown delivery tag/);
    expect(crash!.messageCount).toBe(1);
    expect(() => JSON.parse(Buffer.from(crash!.payload.base64, "base64").toString("utf8"))).toThrow();
  }, 60_000);

  it("cancelled subscription is a crash", async () => {
    const scenario = rabbitOrdersScenario("orders-rabbitmq-cancel.mjs", { generator: { classes: ["valid", "corrupt"] } });
    const { report } = await runInProcess(scenario, { seed: 1, maxMessages: 100, outDir: join(workDir, "cancel"), brokerUrl: SYSTEM_AMQP_URL });

    const gone = report.findings.find((finding) => finding.signature === "crash:consumer-gone");
    expect(gone, JSON.stringify(report.findings)).toBeDefined();
    expect(gone!.detector).toBe("crash");
    expect(gone!.reproduced).toBe(true);
    expect(gone!.evidence.consumerCount).toBe(0);
    expect(gone!.messageCount).toBe(1);
    expect(() => JSON.parse(Buffer.from(gone!.payload.base64, "base64").toString("utf8"))).toThrow();
  }, 60_000);

  it("hardened consumer survives adversarial headers", async () => {
    const scenario = rabbitOrdersScenario("orders-rabbitmq-hardened.mjs", { generator: { classes: ["headers"] } });
    const { report, events } = await runInProcess(scenario, { seed: 1, maxMessages: 300, outDir: join(workDir, "headers-hardened"), brokerUrl: SYSTEM_AMQP_URL });

    expect(report.findings).toEqual([]);
    expect(report.stats.sent).toBe(300);
    // Tables over the frame or the client's encoding buffer never leave the harness; everything else is processed.
    const refused = events.flatMap((event) => (event.type === "Warning" && event.message.startsWith("broker refused") ? [event.message] : []));
    expect(refused.length).toBe(report.stats.brokerRejected);
    expect(refused.some((message) => message.includes("frame_max"))).toBe(true);
    expect(refused.some((message) => message.includes("encoding buffer"))).toBe(true);
    expect(report.stats.acknowledged).toBe(300 - report.stats.brokerRejected);
  }, 60_000);

  it("consumer crashing on a nested table is found", async () => {
    const scenario = rabbitOrdersScenario("orders-rabbitmq-header-crash.mjs");
    const { report } = await runInProcess(scenario, { seed: 1, maxMessages: 400, outDir: join(workDir, "headers-crash"), brokerUrl: SYSTEM_AMQP_URL });

    const crash = report.findings.find((finding) => finding.detector === "crash");
    expect(crash, JSON.stringify(report.findings)).toBeDefined();
    expect(crash!.reproduced).toBe(true);
    expect(crash!.class).toBe("headers");
    expect(crash!.expect).toBe("accept");
    expect(report.findings.filter((finding) => finding.class !== "headers")).toEqual([]);
    const headers = JSON.parse(await readFile(join(crash!.dir, "headers.json"), "utf8")) as Record<string, unknown>;
    expect(Object.values(headers).some(isNestedTable), JSON.stringify(headers).slice(0, 200)).toBe(true);
  }, 60_000);
});
