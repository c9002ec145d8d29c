import { existsSync } from "node:fs";
import { readFile, readlink } from "node:fs/promises";
import amqp from "amqplib";
import { describe, expect, it } from "vitest";
import { EnvironmentError } from "../../harness/errors.ts";
import { startLocalRabbitMq } from "../../harness/provision/local-rabbitmq.ts";
import { processRunning } from "../../harness/provision/owned-processes.ts";
import { acceptsConnection } from "../../harness/provision/wait-for-port.ts";

const SERVER_SCRIPT = "/usr/lib/rabbitmq/bin/rabbitmq-server";
const SYSTEM_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672";

const skipReason = existsSync(SERVER_SCRIPT) ? undefined : `${SERVER_SCRIPT} not found (apt-get install rabbitmq-server)`;
if (skipReason !== undefined) console.warn(`local RabbitMQ tests skipped: ${skipReason}`);

async function amqpAccepts(url: string): Promise<boolean> {
  try {
    const connection = await amqp.connect(url, { timeout: 5_000 });
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

async function processName(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/comm`, "utf8")).trim();
}

const systemBrokerUp = await amqpAccepts(SYSTEM_AMQP_URL);
if (!systemBrokerUp) console.warn("local RabbitMQ tests: no system broker on 127.0.0.1:5672, so its survival is not checked");

describe.skipIf(skipReason !== undefined)("startLocalRabbitMq", () => {
  it("starts, serves AMQP and stops cleanly", async () => {
    const started = Date.now();

    const broker = await startLocalRabbitMq();
    const startMs = Date.now() - started;
    console.info(`private RabbitMQ node started in ${startMs} ms`);

    let ownPids: number[];
    let nodeDirectory: string;
    try {
      // The start script runs in the node's private directory.
      nodeDirectory = await readlink(`/proc/${broker.pid}/cwd`);
      expect(nodeDirectory).toMatch(/poisonpill-rabbitmq-/);
      expect(existsSync(nodeDirectory)).toBe(true);

      expect(broker.via).toBe("local");
      expect(broker.family).toBe("rabbitmq");
      expect(broker.url).toMatch(/^amqp:\/\/guest:guest@127\.0\.0\.1:\d+$/);
      expect(broker.url).not.toMatch(/:5672$/);
      expect(broker.epmdPort).not.toBe(4369);
      expect(broker.nodeName).toMatch(/^poisonpill-[0-9a-f]{8}@localhost$/);

      const connection = await amqp.connect(broker.url);
      try {
        const channel = await connection.createChannel();
        const queue = await channel.assertQueue("local-provision-test", { durable: false });
        expect(queue.queue).toBe("local-provision-test");
      } finally {
        await connection.close();
      }

      const overview = await fetch(`${broker.monitorUrl}/api/overview`, {
        headers: { authorization: `Basic ${Buffer.from("guest:guest").toString("base64")}` },
        signal: AbortSignal.timeout(5_000),
      });
      expect(overview.status).toBe(200);
      expect(((await overview.json()) as { node: string }).node).toBe(broker.nodeName);

      ownPids = await broker.processIds();
      expect(ownPids).toContain(broker.pid);
      const names = await Promise.all(ownPids.map(processName));
      expect(names).toContain("epmd");
      expect(names).toContain("beam.smp");
      expect(await acceptsConnection(broker.epmdPort)).toBe(true);
    } finally {
      await broker.stop();
    }

    await broker.stop();
    const stillRunning = [];
    for (const pid of ownPids) if (await processRunning(pid)) stillRunning.push(pid);
    expect(stillRunning).toEqual([]);
    expect(() => process.kill(broker.pid, 0)).toThrow();
    expect(await acceptsConnection(broker.epmdPort)).toBe(false);
    expect(existsSync(nodeDirectory)).toBe(false);
    if (systemBrokerUp) {
      expect(await amqpAccepts(SYSTEM_AMQP_URL)).toBe(true);
      expect(await acceptsConnection(4369)).toBe(true);
    }
  });

  it("rejects a missing server script", async () => {
    const error = await startLocalRabbitMq({ serverScript: "/nonexistent/rabbitmq-server", startTimeoutMs: 10_000 }).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).hint).toContain("/nonexistent/rabbitmq-server not found");
  });

  it("reports a node that exits at once", async () => {
    const started = Date.now();

    const error = await startLocalRabbitMq({ serverScript: "/bin/false", startTimeoutMs: 120_000 }).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).message).toContain("stopped before");
    expect((error as EnvironmentError).hint).toContain("exited with code 1");
    // Well under the start timeout: the exit was noticed, not waited out.
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
