import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../harness/provision/free-port.ts";
import { survivors } from "./processes.ts";
import { runCliChecked, type CliResult } from "./run-cli.ts";

/** Every bad input is rejected within seconds, so this limit only stops a hung run. */
const CLI_TIMEOUT_MS = 30_000;

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "poisonpill-e2e-bad-input-"));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** Lines of the CLI's own error report: everything it prints as "poisonpill: ...". */
function errorLines(result: CliResult): string[] {
  return result.stderr.split("\n").filter((line) => line.startsWith("poisonpill:"));
}

function runRejected(args: string[], env?: Record<string, string>): Promise<CliResult> {
  return runCliChecked([...args, "--out", join(workDir, "out")], { timeoutMs: CLI_TIMEOUT_MS, env });
}

interface BadInput {
  name: string;
  args: () => Promise<string[]>;
  exitCode: number;
  /** Text that names the offending value. */
  value: string | (() => string);
  /** Text of the fix the message suggests. */
  fix: string;
}

let unreachablePort = 0;

const cases: BadInput[] = [
  {
    name: "missing schema file",
    args: async () => ["run", "test/fixtures/scenarios/missing-schema.json"],
    exitCode: 2,
    value: "test/fixtures/schemas/no-such.schema.json",
    fix: "fix schema.jsonSchema in the scenario",
  },
  {
    name: "unsupported schema keyword",
    args: async () => ["run", "test/fixtures/scenarios/unsupported-keyword.json"],
    exitCode: 2,
    value: '"patternProperties"',
    fix: "remove it",
  },
  {
    name: "nonexistent consumer command",
    args: async () => ["run", "test/fixtures/scenarios/missing-command.json"],
    exitCode: 2,
    value: "poisonpill-e2e-no-such-consumer",
    fix: "check consumer.command",
  },
  {
    name: "unreachable broker URL",
    args: async () => {
      // A port that was free a moment ago and that nothing here listens on.
      unreachablePort = await freePort();
      return ["run", "scenarios/inventory-jetstream.json", "--broker-url", `nats://127.0.0.1:${unreachablePort}`];
    },
    exitCode: 3,
    value: () => `nats://127.0.0.1:${unreachablePort}`,
    fix: "start the broker, fix the URL",
  },
];

describe("CLI rejects bad input", () => {
  it.each(cases)("$name exits $exitCode", async ({ args, exitCode, value, fix }) => {
    const result = await runRejected(await args());

    expect(result.code, `stderr: ${result.stderr}`).toBe(exitCode);
    const lines = errorLines(result);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(typeof value === "string" ? value : value());
    expect(lines[0]).toContain(fix);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it("consumer never ready exits 3", async () => {
    const pidDir = await mkdtemp(join(workDir, "pids-"));

    const result = await runRejected(["run", "test/fixtures/scenarios/never-ready.json"], { E2E_PID_DIR: pidDir });

    expect(result.code, `stderr: ${result.stderr}`).toBe(3);
    const lines = errorLines(result);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("did not become ready within 1500 ms");
    expect(lines[0]).toContain("/consumer ready/");
    expect(lines[0]).toContain("check consumer.ready");
    expect(lines[0]).toContain("never-ready consumer starting, but it will not subscribe");

    // The consumer ignores SIGTERM and leaves a child that ignores it too.
    const recorded = await readdir(pidDir);
    const labels = await Promise.all(recorded.map((pid) => readFile(join(pidDir, pid), "utf8")));
    expect(labels.map((label) => label.trim()).sort()).toEqual(["never-ready consumer", "stubborn child"]);
    expect(await survivors(recorded.map(Number))).toEqual([]);
  });

  it("remote broker host exits 2 without the password", async () => {
    const url = "nats://user:secret@broker.example.invalid:4222";

    const result = await runRejected(["run", "scenarios/inventory-jetstream.ts", "--broker-url", url]);

    expect(result.code, `stderr: ${result.stderr}`).toBe(2);
    const lines = errorLines(result);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('broker host "broker.example.invalid"');
    expect(lines[0]).toContain("--allow-remote-broker");
    expect(result.stdout).not.toContain("secret");
    expect(result.stderr).not.toContain("secret");
  });
});
