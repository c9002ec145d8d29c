import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import amqp from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RabbitMqSession } from "../../harness/brokers/rabbitmq.ts";
import { startLocalRabbitMq, type LocalRabbitMqBroker } from "../../harness/provision/local-rabbitmq.ts";
import type { RunReport } from "../../harness/report/types.ts";
import { rabbitMqUnavailable, rabbitmqctlEval, rabbitOrdersScenario, runInProcess, SYSTEM_AMQP_URL } from "./rabbitmq-support.ts";
import { runCliChecked } from "./run-cli.ts";

const SERVER_SCRIPT = "/usr/lib/rabbitmq/bin/rabbitmq-server";

const brokerSkip = await rabbitMqUnavailable();
if (brokerSkip !== undefined) console.warn(`RabbitMQ end-to-end tests skipped: ${brokerSkip}`);
const nodeSkip = brokerSkip ?? (existsSync(SERVER_SCRIPT) ? undefined : `${SERVER_SCRIPT} not found, so no private node can start`);
if (nodeSkip !== undefined && brokerSkip === undefined) console.warn(`RabbitMQ private-node test skipped: ${nodeSkip}`);

/** A limit far below the adversarial samples (5 kB number literals, 60 kB nesting), far above typical orders. */
const LOWERED_MAX_MESSAGE_SIZE = 1_024;

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "poisonpill-e2e-rabbitmq-"));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function queueNames(): Promise<string[]> {
  return (await rabbitmqctlEval("[element(4, element(2, Q)) || Q <- rabbit_amqqueue:list()].")).match(/<<"([^"]*)">>/g)?.map((name) => name.slice(3, -3)) ?? [];
}

describe.skipIf(nodeSkip !== undefined)("orders-rabbitmq scenario from the CLI", () => {
  it("reports a confirmed redelivery loop", async () => {
    const runDir = await mkdtemp(join(workDir, "cli-"));
    const reportFile = join(runDir, "r.json");

    // No broker URL: the CLI starts a private RabbitMQ node, as on a fresh machine.
    const result = await runCliChecked(["run", "scenarios/orders-rabbitmq.ts", "--seed", "1", "--max-messages", "2000", "--report-json", reportFile, "--out", join(runDir, "out")], { timeoutMs: 180_000 });

    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(await readFile(reportFile, "utf8")) as RunReport;
    const loop = report.findings.find((finding) => finding.detector === "redelivery-loop");
    expect(loop, JSON.stringify(report.findings)).toBeDefined();
    expect(loop!.reproduced).toBe(true);
    expect(loop!.messageCount).toBe(1);
    const payload = Buffer.from(loop!.payload.base64, "base64").toString("utf8");
    expect(() => JSON.parse(payload)).toThrow();
    expect(loop!.evidence.deliveries as number).toBeGreaterThan(10);
  });
});

describe.skipIf(brokerSkip !== undefined)("RabbitMQ lanes", () => {
  it("hardened scenario finds nothing for seeds 1 to 5", async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const runDir = await mkdtemp(join(workDir, `hardened-${seed}-`));
      const reportFile = join(runDir, "r.json");
      const result = await runCliChecked(
        ["run", "scenarios/orders-rabbitmq-hardened.json", "--seed", String(seed), "--max-messages", "2000", "--report-json", reportFile, "--out", join(runDir, "out"), "--broker-url", SYSTEM_AMQP_URL],
        { timeoutMs: 60_000 },
      );
      const report = JSON.parse(await readFile(reportFile, "utf8")) as RunReport;
      expect(report.findings, `seed ${seed}`).toEqual([]);
      expect(result.code, `seed ${seed}: ${result.stderr}`).toBe(0);
      // Header tables no client can send (the headers class labels them reject) never reach the queue.
      expect(report.stats.acknowledged, `seed ${seed}`).toBe(2000 - report.stats.brokerRejected);
      expect(report.stats.brokerRejected, `seed ${seed}`).toBeLessThan(60);
    }
  }, 300_000);

  it("consumer that exits mid-flood is a crash", async () => {
    const { report } = await runInProcess(rabbitOrdersScenario("orders-rabbitmq-crashing.mjs"), { seed: 1, maxMessages: 300, outDir: join(workDir, "crash"), brokerUrl: SYSTEM_AMQP_URL });

    const crash = report.findings.find((finding) => finding.detector === "crash");
    expect(crash, JSON.stringify(report.findings)).toBeDefined();
    expect(crash!.reproduced).toBe(true);
    expect(report.stats.consumerStarts).toBeGreaterThan(1);
  });

  it("consumer that stops acknowledging is a hang", async () => {
    const scenario = rabbitOrdersScenario("orders-rabbitmq-stuck.mjs", { hangTimeoutMs: 1_500 });
    const { report } = await runInProcess(scenario, { seed: 1, maxMessages: 200, outDir: join(workDir, "hang"), brokerUrl: SYSTEM_AMQP_URL });

    const hang = report.findings.find((finding) => finding.detector === "hang");
    expect(hang, JSON.stringify(report.findings)).toBeDefined();
    expect(hang!.reproduced).toBe(true);
    expect(() => JSON.parse(Buffer.from(hang!.payload.base64, "base64").toString("utf8"))).toThrow();
  });

  it("run leaves no queues behind", async () => {
    // A base name of its own: other test files create test.orders.* queues on the same broker at the same time.
    const base = `test.cleanup.${process.pid}`;
    const scenario = rabbitOrdersScenario("orders-rabbitmq-hardened.mjs", { broker: { kind: "rabbitmq", queue: base } });
    await runInProcess(scenario, { seed: 3, maxMessages: 50, outDir: join(workDir, "cleanup"), brokerUrl: SYSTEM_AMQP_URL });
    const left = (await queueNames()).filter((name) => name.startsWith(`${base}.`));
    expect(left).toEqual([]);
  });
});

describe("RabbitMQ channel errors", () => {
  // A private node whose max_message_size is configured low from the start:
  // lowering the system broker's limit would fail other test files' publishes
  // that run at the same time.
  let node: LocalRabbitMqBroker | undefined;
  let nodeSkip: string | undefined;

  beforeAll(async () => {
    try {
      node = await startLocalRabbitMq({ management: false, extraConfig: [`max_message_size = ${LOWERED_MAX_MESSAGE_SIZE}`] });
    } catch (error) {
      nodeSkip = `no private RabbitMQ node: ${(error as Error).message}`;
      console.warn(`max_message_size tests skipped: ${nodeSkip}`);
    }
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
  });

  it("oversized messages mid-flood are broker rejections", async (context) => {
    if (node === undefined) return context.skip(nodeSkip);
    const { report, events } = await runInProcess(rabbitOrdersScenario("orders-rabbitmq-hardened.mjs"), { seed: 1, maxMessages: 600, outDir: join(workDir, "oversized"), brokerUrl: node.url });

    const warnings = events.flatMap((event) => (event.type === "Warning" ? [event.message] : []));
    expect(warnings.some((message) => message.includes("PRECONDITION_FAILED") && message.includes(`configured max size ${LOWERED_MAX_MESSAGE_SIZE}`))).toBe(true);
    expect(report.stats.brokerRejected).toBeGreaterThan(0);
    expect(report.stats.brokerRejected).toBe(warnings.filter((message) => message.startsWith("broker refused")).length);
    // The run went on after each closed channel: every other message was processed.
    expect(report.stats.sent).toBe(600);
    expect(report.stats.acknowledged).toBe(600 - report.stats.brokerRejected);
    expect(report.findings).toEqual([]);
  });

  it("publish channel closed by the broker is reopened", async (context) => {
    if (node === undefined) return context.skip(nodeSkip);
    // The session cannot read a private node's limit up front, so the oversized message goes out on the shared publish channel.
    const session = await RabbitMqSession.open({ family: "rabbitmq", url: node.url, via: "url", stop: async () => {} }, { queue: "test.channel" }, `c${process.pid}`);
    try {
      const sample = (size: number) => ({ class: "valid" as const, mutation: "test", path: "", expect: "accept" as const, bytes: Buffer.alloc(size, 0x20) });
      const lane = await session.openLane("s1");
      try {
        expect(await lane.publish(sample(10))).toBe(1);
        await expect(lane.publish(sample(LOWERED_MAX_MESSAGE_SIZE * 4))).rejects.toThrow(/PRECONDITION_FAILED/);
        expect(await lane.publish(sample(10))).toBe(2);
        expect(session.maxPayloadBytes).toBe(LOWERED_MAX_MESSAGE_SIZE);

        const connection = await amqp.connect(node.url);
        const check = await connection.createChannel();
        const { messageCount } = await check.checkQueue(lane.placeholders.queue!);
        await connection.close();
        expect(messageCount).toBe(2);
      } finally {
        await lane.dispose();
      }
    } finally {
      await session.close();
    }
  });
});
