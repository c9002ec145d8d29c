import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import amqp from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCase } from "../../harness/corpus/store.ts";
import { startLocalNats } from "../../harness/provision/local-nats.ts";
import type { ProvisionedBroker } from "../../harness/provision/types.ts";
import { runCliChecked } from "./run-cli.ts";

/** The system RabbitMQ of the test machine (guest/guest on loopback). */
const AMQP_URL = process.env.POISONPILL_TEST_AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
/** The vulnerable inventory consumer on JetStream; it raises stock on a negative quantity. */
const INVENTORY = "scenarios/inventory-jetstream.ts";
/** The RabbitMQ orders consumer; it requeues a body it cannot parse, for ever. */
const ORDERS_RABBITMQ = "scenarios/orders-rabbitmq.ts";
const CLI_TIMEOUT_MS = 90_000;

/** Builds a 5 KB order as a producer might send it, with the given quantity. */
function largeOrder(quantity: number): Record<string, unknown> {
  return {
    order_id: "0b1f9a52-2c55-4b8e-9d3a-6c1f1e0d2a11",
    product_id: "widget-42",
    quantity,
    user_id: "u-9",
    customer: { name: "A. Customer", address: { street: "x".repeat(300), city: "Springfield" }, tags: ["vip", "b2b"] },
    items: Array.from({ length: 36 }, (_, i) => ({ sku: `SKU-${i}-${"y".repeat(60)}`, quantity: i + 1, price: 9.99 + i })),
    notes: "n".repeat(300),
  };
}

/** Builds a 5 KB order poisoned by a negative quantity. */
function poisonOrder(): Buffer {
  return Buffer.from(JSON.stringify(largeOrder(-37), null, 2));
}

/** Builds a 5 KB order with one stray comma, as a producer that assembles JSON by hand might send it. */
function malformedOrder(): Buffer {
  return Buffer.from(JSON.stringify(largeOrder(37), null, 2).replace('"quantity": 37,', '"quantity": 37,,'));
}

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "poisonpill-import-"));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** Imports with the CLI and returns the one case directory it created. */
async function importCase(corpus: string, source: string[], scenario = INVENTORY): Promise<string> {
  const result = await runCliChecked(["import", scenario, ...source, "--corpus", corpus], { timeoutMs: CLI_TIMEOUT_MS });
  expect(result.code, `stderr: ${result.stderr}`).toBe(0);
  const cases = await readdir(corpus);
  expect(cases).toHaveLength(1);
  expect(result.stdout).toContain(`npx poisonpill shrink ${join(corpus, cases[0]!)}`);
  return join(corpus, cases[0]!);
}

/**
 * Replays, shrinks and replays a case with the CLI; returns the signature
 * recorded by the first replay and the one after shrinking.
 */
async function replayShrinkReplay(caseDir: string, expectedSignature: string, brokerArgs: string[] = []): Promise<{ before: string; after: string; shrinkOutput: string }> {
  const first = await runCliChecked(["replay", caseDir, ...brokerArgs], { timeoutMs: CLI_TIMEOUT_MS });
  expect(first.code, `stderr: ${first.stderr}`).toBe(1);
  const before = (await readCase(caseDir)).case.signature!;
  expect(before).toBe(expectedSignature);

  const shrink = await runCliChecked(["shrink", caseDir, ...brokerArgs], { timeoutMs: CLI_TIMEOUT_MS });
  expect(shrink.code, `stderr: ${shrink.stderr}`).toBe(0);

  const again = await runCliChecked(["replay", caseDir, ...brokerArgs], { timeoutMs: CLI_TIMEOUT_MS });
  expect(again.code, `stderr: ${again.stderr}`).toBe(1);
  expect(again.stdout).toContain("still fails");
  return { before, after: (await readCase(caseDir)).case.signature!, shrinkOutput: shrink.stdout };
}

describe("import from a RabbitMQ dead-letter queue", () => {
  const suffix = randomBytes(4).toString("hex");
  const workQueue = `poisonpill-test-work-${suffix}`;
  const deadLetterQueue = `poisonpill-test-dlq-${suffix}`;
  let connection: amqp.ChannelModel;
  let channel: amqp.Channel;
  const poison = malformedOrder();

  beforeAll(async () => {
    connection = await amqp.connect(AMQP_URL);
    channel = await connection.createChannel();
    await channel.assertQueue(deadLetterQueue, { durable: false });
    await channel.assertQueue(workQueue, { durable: false, arguments: { "x-dead-letter-exchange": "", "x-dead-letter-routing-key": deadLetterQueue } });

    // Dead-letter the poison the way a consumer that gives up on it would: reject without requeue.
    channel.sendToQueue(workQueue, poison, { headers: { "x-trace-id": "trace-7" }, contentType: "application/json" });
    let delivered: amqp.GetMessage | false = false;
    for (let attempt = 0; attempt < 50 && delivered === false; attempt += 1) {
      delivered = await channel.get(workQueue, { noAck: false });
      if (delivered === false) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(delivered).not.toBe(false);
    channel.nack(delivered as amqp.GetMessage, false, false);
    for (let attempt = 0; attempt < 50 && (await channel.checkQueue(deadLetterQueue)).messageCount === 0; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 100));
  });

  afterAll(async () => {
    await channel.deleteQueue(workQueue).catch(() => undefined);
    await channel.deleteQueue(deadLetterQueue).catch(() => undefined);
    await connection.close();
  });

  it("imports, shrinks to 100 bytes, keeps the queue", async () => {
    expect(poison.length).toBeGreaterThanOrEqual(5_000);
    expect((await channel.checkQueue(deadLetterQueue)).messageCount).toBe(1);

    const caseDir = await importCase(join(workDir, "rabbitmq-corpus"), ["--rabbitmq-queue", deadLetterQueue, "--rabbitmq-url", AMQP_URL], ORDERS_RABBITMQ);
    const imported = await readCase(caseDir);
    expect(Buffer.from(imported.samples[0]!.bytes).equals(poison)).toBe(true);
    expect(imported.samples[0]!.headers).toEqual({ "x-trace-id": "trace-7" });
    expect(imported.case.source).toEqual({ kind: "import", from: `rabbitmq queue ${deadLetterQueue} message 1` });

    const { before, after, shrinkOutput } = await replayShrinkReplay(caseDir, "redelivery-loop", ["--broker-url", AMQP_URL]);
    expect(after).toBe(before);
    const shrunk = await readCase(caseDir);
    expect(shrunk.samples[0]!.bytes.length, shrinkOutput).toBeLessThanOrEqual(100);
    expect(Buffer.from(shrunk.original!).equals(poison)).toBe(true);
    // Not valid JSON, so the search is byte-wise.
    expect(shrunk.case.shrink!.method).toBe("bytes");

    // The dead-letter queue still contains the message, unchanged.
    expect((await channel.checkQueue(deadLetterQueue)).messageCount).toBe(1);
    const kept = await channel.get(deadLetterQueue, { noAck: false });
    expect(kept).not.toBe(false);
    expect((kept as amqp.GetMessage).content.equals(poison)).toBe(true);
    channel.nack(kept as amqp.GetMessage, false, true);
  }, 300_000);
});

describe("import from a JetStream stream", () => {
  let broker: ProvisionedBroker;
  const stream = `POISONPILL_TEST_${randomBytes(4).toString("hex").toUpperCase()}`;
  const poison = poisonOrder();

  beforeAll(async () => {
    broker = await startLocalNats();
    const nc = await connect({ servers: broker.url });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: stream, subjects: [`${stream.toLowerCase()}.>`] });
      const js = jsm.jetstream();
      await js.publish(`${stream.toLowerCase()}.orders`, Buffer.from('{"quantity":1}'));
      await js.publish(`${stream.toLowerCase()}.orders`, poison);
      await js.publish(`${stream.toLowerCase()}.orders`, Buffer.from('{"quantity":2}'));
    } finally {
      await nc.close();
    }
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it("imports one sequence and shrinks it", async () => {
    const caseDir = await importCase(join(workDir, "jetstream-corpus"), ["--jetstream-stream", stream, "--from-seq", "2", "--to-seq", "2", "--nats-url", broker.url]);
    expect(Buffer.from((await readCase(caseDir)).samples[0]!.bytes).equals(poison)).toBe(true);

    const { before, after } = await replayShrinkReplay(caseDir, "invariant:stock matches accepted orders");
    expect(after).toBe(before);
    expect(Buffer.from((await readCase(caseDir)).samples[0]!.bytes).toString()).toBe('{"quantity":-1}');
    expect((await readCase(caseDir)).case.shrink!.method).toBe("json");

    const nc = await connect({ servers: broker.url });
    try {
      const info = await (await jetstreamManager(nc)).streams.info(stream);
      expect(info.state.messages).toBe(3);
    } finally {
      await nc.close();
    }
  }, 300_000);
});

describe("import from local input", () => {
  it("reads a JSON file with body and headers", async () => {
    const corpus = join(workDir, "json-corpus");
    const file = join(workDir, "message.json");
    await writeFile(file, JSON.stringify({ body: { quantity: -5 }, headers: { "content-type": "application/json" } }));
    const caseDir = await importCase(corpus, ["--json", file]);
    const stored = await readCase(caseDir);
    expect(Buffer.from(stored.samples[0]!.bytes).toString()).toBe('{"quantity":-5}');
    expect(stored.samples[0]!.headers).toEqual({ "content-type": "application/json" });
    expect(JSON.parse(await readFile(join(caseDir, "case.json"), "utf8")).version).toBe(1);
  }, 60_000);

  it("keeps one case for a repeated import", async () => {
    const corpus = join(workDir, "hex-corpus");
    await importCase(corpus, ["--hex", "7b2271756164746974792c3a7d"]);
    const again = await runCliChecked(["import", INVENTORY, "--base64", Buffer.from("7b2271756164746974792c3a7d", "hex").toString("base64"), "--corpus", corpus], { timeoutMs: CLI_TIMEOUT_MS });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("already in the corpus");
    expect(await readdir(corpus)).toHaveLength(1);
  }, 60_000);

  it("labels a captured message reject by default", async () => {
    const caseDir = await importCase(join(workDir, "label-corpus"), ["--base64", Buffer.from('{"quantity":-1}').toString("base64")]);
    const { case: kase } = await readCase(caseDir);
    expect(kase.messages[0]!.class).toBe("captured");
    expect(kase.messages[0]!.mutation).toBe("captured");
    expect(kase.messages[0]!.expect).toBe("reject");
  }, 60_000);

  it("takes --expect accept", async () => {
    const caseDir = await importCase(join(workDir, "accept-corpus"), ["--hex", "7b7d", "--expect", "accept"]);
    expect((await readCase(caseDir)).case.messages[0]!.expect).toBe("accept");
  }, 60_000);

  it("rejects an unknown --expect", async () => {
    const result = await runCliChecked(["import", INVENTORY, "--hex", "7b7d", "--expect", "maybe", "--corpus", join(workDir, "none")], { timeoutMs: CLI_TIMEOUT_MS });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--expect must be one of accept, reject, got "maybe"');
  }, 60_000);

  it("names the characters of a bad --hex", async () => {
    const result = await runCliChecked(["import", INVENTORY, "--hex", "zz", "--corpus", join(workDir, "none")], { timeoutMs: CLI_TIMEOUT_MS });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not hex digits ("z")');
  }, 60_000);

  it("rejects a replay or shrink with another payload type", async () => {
    const caseDir = await importCase(join(workDir, "type-corpus"), ["--hex", "7b7d"]);
    for (const command of ["replay", "shrink"]) {
      const result = await runCliChecked([command, caseDir, "--scenario", "scenarios/orders-protobuf.ts"], { timeoutMs: CLI_TIMEOUT_MS });
      expect(result.code, `${command} stdout: ${result.stdout}`).toBe(2);
      expect(result.stderr).toMatch(/reads protobuf:.*, but corpus case import-\w+ was recorded for json-schema:/);
      expect(result.stderr).toContain("--any-scenario");
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
    }
  }, 60_000);

  it("rejects two sources", async () => {
    const result = await runCliChecked(["import", INVENTORY, "--hex", "00", "--base64", "AA==", "--corpus", join(workDir, "none")], { timeoutMs: CLI_TIMEOUT_MS });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("import takes exactly one source, got --base64, --hex");
  }, 60_000);
});
