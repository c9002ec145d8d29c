import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import amqp from "amqplib";
import type { HarnessEvent } from "../../harness/events.ts";
import type { RunReport } from "../../harness/report/types.ts";
import { runScenario } from "../../harness/run/run-scenario.ts";
import { scenarioFromObject } from "../../harness/scenario/load.ts";
import type { Scenario } from "../../harness/scenario/types.ts";

/** The RabbitMQ the end-to-end tests share; each run declares uniquely named queues on it and deletes them. */
export const SYSTEM_AMQP_URL = process.env.POISONPILL_AMQP_URL || "amqp://guest:guest@127.0.0.1:5672";

export const SCENARIOS_DIR = fileURLToPath(new URL("../../scenarios/", import.meta.url));

/** Returns why the shared RabbitMQ cannot be used, or undefined when an AMQP connection opens within 3 s. */
export async function rabbitMqUnavailable(url = SYSTEM_AMQP_URL): Promise<string | undefined> {
  try {
    const connection = await amqp.connect(url, { timeout: 3_000 });
    await connection.close();
    return undefined;
  } catch (error) {
    return `no RabbitMQ at ${url.replace(/\/\/[^@]*@/, "//")}: ${(error as Error).message}`;
  }
}

/** Builds an orders scenario on RabbitMQ that runs one of fixtures/consumers/orders-rabbitmq-*.mjs. */
export function rabbitOrdersScenario(consumerFile: string, overrides: Partial<Scenario> = {}): Scenario {
  return {
    name: `test-${consumerFile}`,
    broker: { kind: "rabbitmq", queue: "test.orders" },
    schema: { jsonSchema: "../fixtures/schemas/order-created.schema.json" },
    consumer: {
      command: ["node", `../fixtures/consumers/${consumerFile}`],
      env: { AMQP_URL: "${brokerUrl}", QUEUE: "${queue}" },
      ready: { output: "orders consumer ready" },
    },
    maxDeliveries: 10,
    ...overrides,
  };
}

/** Runs a scenario in this process, resolving relative paths from scenarios/, and collects its events. */
export async function runInProcess(scenario: Scenario, options: { seed: number; maxMessages: number; outDir: string; brokerUrl?: string }): Promise<{ report: RunReport; events: HarnessEvent[] }> {
  const events: HarnessEvent[] = [];
  const report = await runScenario(scenarioFromObject(scenario, SCENARIOS_DIR), { ...options, onEvent: (event) => events.push(event) });
  return { report, events };
}

/** Runs `rabbitmqctl eval <expression>` against the local node and returns its output. */
export function rabbitmqctlEval(expression: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("rabbitmqctl", ["eval", expression], { timeout: 20_000, encoding: "utf8" }, (error, stdout) => (error ? reject(error) : resolve(stdout.trim())));
  });
}
