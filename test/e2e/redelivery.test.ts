import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunReport } from "../../harness/report/types.ts";
import type { Scenario } from "../../harness/scenario/types.ts";
import { rabbitMqUnavailable, rabbitOrdersScenario, runInProcess, SYSTEM_AMQP_URL } from "./rabbitmq-support.ts";

/**
 * One property on both brokers: no message is delivered more than
 * `maxDeliveries` times. A consumer that requeues (nacks) an unparsable
 * order forever breaks it; one that dead-letters or terminates it keeps it.
 */
const MAX_DELIVERIES = 10;

const natsSkip = existsSync("/usr/sbin/nats-server") || process.env.POISONPILL_NATS_URL ? undefined : "nats-server not installed and POISONPILL_NATS_URL not set";
if (natsSkip !== undefined) console.warn(`JetStream redelivery tests skipped: ${natsSkip}`);
const rabbitSkip = await rabbitMqUnavailable();
if (rabbitSkip !== undefined) console.warn(`RabbitMQ redelivery tests skipped: ${rabbitSkip}`);

function jetStreamOrdersScenario(consumerFile: string): Scenario {
  return {
    name: `test-${consumerFile}`,
    broker: { kind: "jetstream", subject: "test.orders" },
    schema: { jsonSchema: "../fixtures/schemas/order-created.schema.json" },
    consumer: {
      command: ["node", `../fixtures/consumers/${consumerFile}`],
      env: { NATS_URL: "${brokerUrl}", STREAM: "${stream}" },
      ready: { output: "consumer ready" },
    },
    maxDeliveries: MAX_DELIVERIES,
  };
}

function loopFindings(report: RunReport) {
  return report.findings.filter((finding) => finding.detector === "redelivery-loop");
}

function expectLoopOnMalformedPayload(report: RunReport): void {
  const [loop] = loopFindings(report);
  expect(loop, JSON.stringify(report.findings)).toBeDefined();
  expect(loop!.reproduced).toBe(true);
  expect(loop!.messageCount).toBe(1);
  expect(loop!.evidence.deliveries as number).toBeGreaterThan(MAX_DELIVERIES);
  expect(() => JSON.parse(Buffer.from(loop!.payload.base64, "base64").toString("utf8"))).toThrow();
}

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "poisonpill-e2e-redelivery-"));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe.skipIf(natsSkip !== undefined)("redelivery loop on JetStream", () => {
  it("consumer that naks forever fails", async () => {
    const { report } = await runInProcess(jetStreamOrdersScenario("orders-jetstream-nak.mjs"), { seed: 1, maxMessages: 300, outDir: join(workDir, "js-nak") });
    expectLoopOnMalformedPayload(report);
  });

  it("consumer that terminates passes", async () => {
    const { report } = await runInProcess(jetStreamOrdersScenario("orders-jetstream-term.mjs"), { seed: 1, maxMessages: 300, outDir: join(workDir, "js-term") });
    expect(report.findings).toEqual([]);
    expect(report.stats.acknowledged).toBe(300);
  });
});

describe.skipIf(rabbitSkip !== undefined)("redelivery loop on RabbitMQ", () => {
  it("consumer that requeues forever fails", async () => {
    const { report } = await runInProcess(rabbitOrdersScenario("orders-rabbitmq-requeue.mjs"), { seed: 1, maxMessages: 300, outDir: join(workDir, "rabbit-requeue"), brokerUrl: SYSTEM_AMQP_URL });
    expectLoopOnMalformedPayload(report);
  });

  it("consumer that dead-letters passes", async () => {
    const { report, events } = await runInProcess(rabbitOrdersScenario("orders-rabbitmq-hardened.mjs"), { seed: 1, maxMessages: 300, outDir: join(workDir, "rabbit-dead-letter"), brokerUrl: SYSTEM_AMQP_URL });
    expect(report.findings).toEqual([]);
    // Header tables no client can send (the headers class labels them reject) never reach the queue.
    expect(report.stats.acknowledged).toBe(300 - report.stats.brokerRejected);
    expect(report.stats.brokerRejected).toBeLessThan(15);
    expect(events.filter((event) => event.type === "FailureObserved")).toEqual([]);
  });

  it("dead-lettered accept sample is a finding", async () => {
    // This consumer dead-letters everything, so the first valid order it rejects is reported.
    const scenario = rabbitOrdersScenario("orders-rabbitmq-rejects-all.mjs");
    const { report } = await runInProcess(scenario, { seed: 1, maxMessages: 100, outDir: join(workDir, "rabbit-rejects-all"), brokerUrl: SYSTEM_AMQP_URL });
    const deadLettered = report.findings.find((finding) => finding.detector === "dead-lettered");
    expect(deadLettered, JSON.stringify(report.findings)).toBeDefined();
    expect(deadLettered!.expect).toBe("accept");
    expect(deadLettered!.signature).toBe("dead-lettered:rejected");
    expect(deadLettered!.reproduced).toBe(true);
  });
});
