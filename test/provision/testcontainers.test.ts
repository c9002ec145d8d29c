import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import amqp from "amqplib";
import { ImageName, getContainerRuntimeClient } from "testcontainers";
import { afterAll, describe, expect, it } from "vitest";
import {
  ContainerImageNotFoundError,
  DEFAULT_NATS_IMAGE,
  DEFAULT_RABBITMQ_IMAGE,
  RUN_LABEL,
  engineAvailable,
  removeLeftoverContainers,
  startNatsContainer,
  startRabbitMqContainer,
} from "../../harness/provision/testcontainers.ts";
import { loadPodmanEnv } from "../support/podman-env.ts";

loadPodmanEnv();

const natsImage = process.env.POISONPILL_NATS_IMAGE ?? DEFAULT_NATS_IMAGE;
const rabbitMqImage = process.env.POISONPILL_RABBITMQ_IMAGE ?? DEFAULT_RABBITMQ_IMAGE;
const runLabel = `test-${randomUUID().slice(0, 8)}`;

async function imageExists(image: string): Promise<boolean> {
  const client = await getContainerRuntimeClient();
  return client.image.exists(ImageName.fromString(image));
}

const engine = await engineAvailable();
const natsSkipReason = !engine
  ? `no Docker-API engine at ${process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock"} (run scripts/setup-podman.sh, source scripts/.podman-env)`
  : !(await imageExists(natsImage))
    ? `image ${natsImage} not found (run scripts/setup-podman.sh)`
    : undefined;
const rabbitMqSkipReason = !engine
  ? natsSkipReason
  : !(await imageExists(rabbitMqImage))
    ? `image ${rabbitMqImage} not found (run scripts/setup-podman.sh)`
    : undefined;
if (natsSkipReason !== undefined) console.warn(`testcontainers NATS tests skipped: ${natsSkipReason}`);
if (rabbitMqSkipReason !== undefined) console.warn(`testcontainers RabbitMQ tests skipped: ${rabbitMqSkipReason}`);

/** Ids of every container with this test run's label, running or not, listed by the podman CLI. */
function labelledContainers(): string[] {
  const output = execFileSync("podman", ["ps", "-a", "-q", "--filter", `label=${RUN_LABEL}=${runLabel}`], { encoding: "utf8" });
  return output.split("\n").filter((line) => line.trim() !== "");
}

afterAll(async () => {
  if (engine) await removeLeftoverContainers(runLabel);
});

describe.skipIf(natsSkipReason !== undefined)("NATS container", () => {
  it("serves JetStream and leaves no container", async () => {
    const broker = await startNatsContainer({ runLabel });
    try {
      expect(broker.via).toBe("testcontainers");
      expect(broker.containerId).toMatch(/^[0-9a-f]{64}$/);
      expect(broker.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
      expect(labelledContainers()).toHaveLength(1);

      const connection = await connect({ servers: broker.url });
      try {
        const manager = await jetstreamManager(connection);
        const stream = await manager.streams.add({ name: "PROVISION_TEST", subjects: ["provision.test"] });
        expect(stream.config.name).toBe("PROVISION_TEST");
      } finally {
        await connection.close();
      }

      const varz = await fetch(`${broker.monitorUrl}/varz`, { signal: AbortSignal.timeout(5_000) });
      expect(varz.status).toBe(200);
    } finally {
      await broker.stop();
    }

    await broker.stop();
    expect(labelledContainers()).toEqual([]);
  });
});

describe.skipIf(rabbitMqSkipReason !== undefined)("RabbitMQ container", () => {
  it("accepts AMQP and leaves no container", async () => {
    const broker = await startRabbitMqContainer({ runLabel });
    try {
      expect(broker.via).toBe("testcontainers");
      expect(broker.url).toMatch(/^amqp:\/\/guest:guest@127\.0\.0\.1:\d+$/);
      expect(broker.url).not.toMatch(/:5672$/);
      expect(labelledContainers()).toHaveLength(1);

      const connection = await amqp.connect(broker.url);
      try {
        const channel = await connection.createChannel();
        const queue = await channel.assertQueue("provision-test", { durable: false });
        expect(queue.queue).toBe("provision-test");
      } finally {
        await connection.close();
      }

      const overview = await fetch(`${broker.monitorUrl}/api/overview`, {
        headers: { authorization: `Basic ${Buffer.from("guest:guest").toString("base64")}` },
        signal: AbortSignal.timeout(5_000),
      });
      expect(overview.status).toBe(200);
    } finally {
      await broker.stop();
    }

    await broker.stop();
    expect(labelledContainers()).toEqual([]);
  });
});

describe.skipIf(natsSkipReason !== undefined)("removeLeftoverContainers", () => {
  it("removes only the given run's containers", async () => {
    const otherRun = `${runLabel}-other`;
    const create = (label: string): string =>
      execFileSync("podman", ["create", "--network", "host", "--label", `${RUN_LABEL}=${label}`, natsImage], { encoding: "utf8" }).trim();
    create(runLabel);
    create(runLabel);
    const otherId = create(otherRun);

    try {
      expect(await removeLeftoverContainers(runLabel)).toBe(2);
      expect(labelledContainers()).toEqual([]);
      const other = execFileSync("podman", ["ps", "-a", "-q", "--no-trunc", "--filter", `label=${RUN_LABEL}=${otherRun}`], { encoding: "utf8" });
      expect(other.trim()).toBe(otherId);
    } finally {
      await removeLeftoverContainers(otherRun);
    }
  });
});

describe.skipIf(!engine)("container provisioning errors", () => {
  it("rejects a missing image without pulling", async () => {
    const missing = `localhost/poisonpill-missing:${randomUUID().slice(0, 8)}`;

    const error = await startNatsContainer({ image: missing, runLabel }).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(ContainerImageNotFoundError);
    expect((error as ContainerImageNotFoundError).image).toBe(missing);
    expect((error as Error).message).toContain(missing);
    expect(labelledContainers()).toEqual([]);
  });

  it("removes a container that never becomes ready", async () => {
    const error = await startNatsContainer({ image: natsImage, runLabel, startTimeoutMs: 3_000, readyLogLine: "a line nats-server never prints" }).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(Error);
    expect(labelledContainers()).toEqual([]);
  });
});

describe("engineAvailable", () => {
  it("returns false for an unused socket", async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `unix:///tmp/poisonpill-no-engine-${randomUUID()}.sock`;
    try {
      expect(await engineAvailable()).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });

  it("returns false for a remote DOCKER_HOST", async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = "tcp://docker.example.invalid:2375";
    try {
      expect(await engineAvailable()).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
});
