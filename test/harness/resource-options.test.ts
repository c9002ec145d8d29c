import { describe, expect, it } from "vitest";
import { ConfigError } from "../../harness/errors.ts";
import { parseProcStat } from "../../harness/run/monitors/proc-stat.ts";
import { resolveSettings } from "../../harness/run/settings.ts";
import { validateScenario } from "../../harness/scenario/validate.ts";

const base = {
  name: "s",
  broker: { kind: "nats", subject: "a.b" },
  schema: { jsonSchema: {} },
  consumer: { command: ["node", "c.mjs"] },
};

describe("resource options", () => {
  it("memory defaults apply", () => {
    const settings = resolveSettings(validateScenario({ ...base }));
    expect(settings.memory).toEqual({ warmupMessages: 2_000, maxGrowthBytesPerMessage: 256, sampleIntervalMs: 200 });
  });

  it("memory can be turned off", () => {
    expect(resolveSettings(validateScenario({ ...base, memory: { enabled: false } })).memory).toBeUndefined();
  });

  it.each([
    [{ memory: { warmupMessages: -1 } }, /memory.warmupMessages must be an integer >= 0/],
    [{ memory: { maxGrowthBytesPerMessage: 0 } }, /memory.maxGrowthBytesPerMessage must be an integer >= 1/],
    [{ memory: { sampleIntervalMs: 5 } }, /memory.sampleIntervalMs must be an integer >= 10/],
    [{ liveness: {} }, /liveness must be an object with either "url" or "command"/],
    [{ liveness: { url: "http://10.0.0.1/health" } }, /liveness.url must be a URL on a loopback host/],
    [{ liveness: { url: "ftp://127.0.0.1/x" } }, /liveness.url must be an http or https URL/],
    [{ liveness: { command: [] } }, /liveness.command must be a non-empty array/],
    [{ contentEncoding: "br" }, /scenario.contentEncoding must be "identity" or "gzip"/],
  ])("rejects %j", (extra, message) => {
    expect(() => validateScenario({ ...base, ...extra })).toThrow(ConfigError);
    expect(() => validateScenario({ ...base, ...extra })).toThrow(message);
  });

  it("accepts a liveness URL with the port placeholder", () => {
    expect(() => validateScenario({ ...base, liveness: { url: "http://127.0.0.1:${livenessPort}/health" } })).not.toThrow();
    expect(() => validateScenario({ ...base, liveness: { url: "http://[::1]:8080/" } })).not.toThrow();
  });
});

describe("parseProcStat", () => {
  it("reads fields after a command with spaces", () => {
    const fields = ["S", "1", "4242", ...Array.from({ length: 8 }, () => "0"), "150", "50", ...Array.from({ length: 8 }, () => "0"), "1000", "0"];
    const stat = parseProcStat(`4243 (node (my) app) ${fields.join(" ")}`)!;
    expect(stat.pgrp).toBe(4242);
    expect(stat.cpuTicks).toBe(200);
    expect(stat.rssPages).toBe(1000);
  });

  it("reads this process", async () => {
    const { readFileSync } = await import("node:fs");
    const stat = parseProcStat(readFileSync("/proc/self/stat", "utf8"))!;
    expect(stat.rssPages).toBeGreaterThan(0);
  });
});
