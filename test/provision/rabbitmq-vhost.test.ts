import { existsSync } from "node:fs";
import amqp from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../harness/errors.ts";
import { freePort } from "../../harness/provision/free-port.ts";
import { startLocalRabbitMq, type LocalRabbitMqBroker } from "../../harness/provision/local-rabbitmq.ts";
import { createRabbitMqVhost } from "../../harness/provision/rabbitmq-vhost.ts";

const SERVER_SCRIPT = "/usr/lib/rabbitmq/bin/rabbitmq-server";
const GUEST_AUTHORIZATION = `Basic ${Buffer.from("guest:guest").toString("base64")}`;

const skipReason = existsSync(SERVER_SCRIPT) ? undefined : `${SERVER_SCRIPT} not found (apt-get install rabbitmq-server)`;
if (skipReason !== undefined) console.warn(`RabbitMQ vhost tests skipped: ${skipReason}`);

async function vhostStatus(managementUrl: string, vhost: string): Promise<number> {
  const response = await fetch(`${managementUrl}/api/vhosts/${encodeURIComponent(vhost)}`, {
    headers: { authorization: GUEST_AUTHORIZATION },
    signal: AbortSignal.timeout(5_000),
  });
  await response.body?.cancel();
  return response.status;
}

describe.skipIf(skipReason !== undefined)("createRabbitMqVhost", () => {
  // One private node with the management plugin serves every test here.
  let node: LocalRabbitMqBroker;

  beforeAll(async () => {
    node = await startLocalRabbitMq({ management: true });
  });

  afterAll(async () => {
    await node?.stop();
  });

  it("creates a usable vhost and deletes it", async () => {
    const result = await createRabbitMqVhost({ managementUrl: node.monitorUrl!, amqpUrl: node.url });
    if (!result.available) throw new Error(`expected a vhost, got: ${result.reason}`);
    const { broker, vhost } = result;

    expect(vhost).toMatch(/^poisonpill-[0-9a-f]{8}$/);
    expect(broker.url).toBe(`${node.url}/${vhost}`);
    expect(await vhostStatus(node.monitorUrl!, vhost)).toBe(200);

    const connection = await amqp.connect(broker.url);
    try {
      const channel = await connection.createChannel();
      await channel.assertQueue("vhost-test", { durable: false });
      await channel.sendToQueue("vhost-test", Buffer.from("in the vhost"));
      const message = await channel.get("vhost-test", { noAck: true });
      expect(message).not.toBe(false);
      expect((message as amqp.GetMessage).content.toString()).toBe("in the vhost");
    } finally {
      await connection.close();
    }

    await broker.stop();
    expect(await vhostStatus(node.monitorUrl!, vhost)).toBe(404);
    await broker.stop();
  });

  it("isolates queues between vhosts", async () => {
    const first = await createRabbitMqVhost({ managementUrl: node.monitorUrl!, amqpUrl: node.url });
    const second = await createRabbitMqVhost({ managementUrl: node.monitorUrl!, amqpUrl: node.url });
    if (!first.available || !second.available) throw new Error("expected two vhosts");

    try {
      const connection = await amqp.connect(first.broker.url);
      try {
        const channel = await connection.createChannel();
        await channel.assertQueue("only-in-first", { durable: false });
      } finally {
        await connection.close();
      }

      const other = await amqp.connect(second.broker.url);
      try {
        const channel = await other.createChannel();
        const closed = new Promise((resolve) => channel.once("error", resolve));
        await expect(channel.checkQueue("only-in-first")).rejects.toThrow(/NOT_FOUND/);
        await closed;
      } finally {
        await other.close();
      }
    } finally {
      await first.broker.stop();
      await second.broker.stop();
    }
  });

  it("reports a missing management API", async () => {
    const closedPort = await freePort();

    const result = await createRabbitMqVhost({ managementUrl: `http://127.0.0.1:${closedPort}`, amqpUrl: node.url, requestTimeoutMs: 2_000 });

    expect(result.available).toBe(false);
    if (!result.available) expect(result.reason).toMatch(/^management API unavailable at http:\/\/127\.0\.0\.1:\d+\/?: .*ECONNREFUSED/);
  });

  it("rejects wrong credentials", async () => {
    const result = createRabbitMqVhost({
      managementUrl: node.monitorUrl!,
      amqpUrl: node.url,
      managementUser: { username: "guest", password: "wrong" },
    });

    await expect(result).rejects.toThrow(/returned 401/);
  });
});

describe("createRabbitMqVhost guard", () => {
  it("rejects a remote broker", async () => {
    const result = createRabbitMqVhost({ managementUrl: "http://192.0.2.1:15672", amqpUrl: "amqp://guest:guest@192.0.2.1:5672" });

    await expect(result).rejects.toBeInstanceOf(ConfigError);
  });
});
