import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunReport } from "../../harness/report/types.ts";
import { isAlive, killMarked, markedSurvivors, PROCESS_MARK_VARIABLE, survivors } from "./processes.ts";
import { REPO_ROOT, runCli, type CliResult } from "./run-cli.ts";
import { readPodmanEnv } from "../support/podman-env.ts";
import { acceptsConnection } from "../../harness/provision/wait-for-port.ts";

/**
 * The inventory consumer has two bugs: malformed JSON crashes it, and a
 * negative quantity corrupts its stock. With seed 1, 1500 messages find both
 * on every path and take about 13 s on a 2-core VM.
 */
const SCENARIO = "scenarios/inventory-jetstream.ts";
const SEED = "1";
const MESSAGES = "1500";

/** Limit for one full run; a run that exceeds it is hung, not slow. */
const RUN_TIMEOUT_MS = 90_000;
/** Limit for the short runs that only show which path `auto` picks. */
const SHORT_RUN_TIMEOUT_MS = 45_000;
/** Time the CLI gets to exit after SIGINT: the cleanups are bounded by 8 s. */
const INTERRUPT_EXIT_TIMEOUT_MS = 15_000;

const SYSTEM_NATS_PORT = 4222;
/** A socket path that exists nowhere, so no Docker-API engine responds there. */
const NO_ENGINE = { DOCKER_HOST: "unix:///nonexistent/poisonpill-no-engine.sock" };

/** Variables from scripts/.podman-env (written by scripts/setup-podman.sh), over DOCKER_HOST and the image name of this environment. */
function podmanEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["DOCKER_HOST", "POISONPILL_NATS_IMAGE", "TESTCONTAINERS_RYUK_DISABLED"]) {
    if (process.env[name] !== undefined) env[name] = process.env[name]!;
  }
  return { ...env, ...readPodmanEnv() };
}

function podman(args: string[]): string {
  return execFileSync("podman", args, { encoding: "utf8", env: { ...process.env, ...podmanEnv }, stdio: ["ignore", "pipe", "pipe"] });
}

/** Why the Testcontainers runs cannot work here, or undefined when they can. */
function testcontainersSkipReason(): string | undefined {
  if (podmanEnv.DOCKER_HOST === undefined) return "no DOCKER_HOST and no scripts/.podman-env (run scripts/setup-podman.sh)";
  const socket = podmanEnv.DOCKER_HOST.replace(/^unix:\/\//, "");
  if (!existsSync(socket)) return `no engine socket at ${podmanEnv.DOCKER_HOST} (run scripts/setup-podman.sh)`;
  const image = podmanEnv.POISONPILL_NATS_IMAGE ?? "localhost/poisonpill-nats:2.9.10";
  try {
    podman(["image", "exists", image]);
  } catch {
    return `image ${image} not found or podman missing (run scripts/setup-podman.sh)`;
  }
  return undefined;
}

const podmanEnv = podmanEnvironment();
const containerSkip = testcontainersSkipReason();
if (containerSkip !== undefined) console.warn(`provision e2e: Testcontainers runs skipped: ${containerSkip}`);
const urlSkip = (await acceptsConnection(SYSTEM_NATS_PORT)) ? undefined : `no NATS on 127.0.0.1:${SYSTEM_NATS_PORT}`;
if (urlSkip !== undefined) console.warn(`provision e2e: URL run skipped: ${urlSkip}`);

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "poisonpill-e2e-provision-"));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** The broker a run used, as its "broker:" line reports it. */
interface BrokerLine {
  via: string;
  pid?: number;
  containerId?: string;
}

function parseBrokerLine(stderr: string): BrokerLine | undefined {
  const line = stderr.split("\n").find((text) => text.startsWith("broker: "));
  if (line === undefined) return undefined;
  const match = /\((url|local|testcontainers)(?:, pid (\d+)|, container ([0-9a-f]{12}))?[;)]/.exec(line);
  if (match === null) throw new Error(`unexpected broker line: ${line}`);
  return { via: match[1]!, pid: match[2] === undefined ? undefined : Number(match[2]), containerId: match[3] };
}

/** Ids of every container, running or not, whose id starts with `prefix`. */
function containersWithId(prefix: string): string[] {
  return podman(["ps", "-a", "-q", "--no-trunc", "--filter", "label=poisonpill.run"])
    .split("\n")
    .filter((id) => id.startsWith(prefix));
}

async function runScenarioCli(name: string, args: string[], env: Record<string, string>, timeoutMs = RUN_TIMEOUT_MS): Promise<{ result: CliResult; outDir: string; reportFile: string }> {
  const outDir = join(workDir, name);
  const reportFile = join(workDir, `${name}.json`);
  const result = await runCli(["run", ...args, "--out", outDir, "--report-json", reportFile], { timeoutMs, env });
  return { result, outDir, reportFile };
}

/** Asserts that the run found both bugs of the inventory consumer, each reproduced. */
async function expectBothBugs(result: CliResult, reportFile: string): Promise<RunReport> {
  expect(result.timedOut, result.stderr).toBe(false);
  expect(result.code, result.stderr).toBe(1);
  const report = JSON.parse(await readFile(reportFile, "utf8")) as RunReport;
  const reproduced = report.findings.filter((finding) => finding.reproduced);
  expect(reproduced.map((finding) => finding.detector).sort()).toEqual(["crash", "invariant"]);
  return report;
}

/** Asserts that nothing the run started is left: the broker process or container, and any process carrying the run's mark. */
async function expectNoLeftovers(result: CliResult, broker: BrokerLine | undefined): Promise<void> {
  try {
    expect(await markedSurvivors(result.mark)).toEqual([]);
    if (broker?.pid !== undefined) expect(await survivors([broker.pid])).toEqual([]);
    if (broker?.containerId !== undefined) expect(containersWithId(broker.containerId)).toEqual([]);
  } finally {
    await killMarked(result.mark);
  }
}

/** Reads every file under `dir`, recursively, as text. */
async function filesUnder(dir: string): Promise<Array<{ path: string; text: string }>> {
  const files: Array<{ path: string; text: string }> = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.push({ path, text: await readFile(path, "latin1") });
  }
  return files;
}

describe("broker paths", () => {
  it.skipIf(urlSkip !== undefined)("URL finds both bugs, secret redacted", async () => {
    // The system NATS has no authentication and ignores the credentials, so the password only tests redaction.
    const url = `nats://poisonpill:secret-e2e-password@127.0.0.1:${SYSTEM_NATS_PORT}`;
    const { result, outDir, reportFile } = await runScenarioCli("url", [SCENARIO, "--seed", SEED, "--max-messages", MESSAGES, "--broker-url", url], {
      DEBUG: "poisonpill:*",
    });

    const report = await expectBothBugs(result, reportFile);
    expect(report.broker.via).toBe("url");
    expect(report.broker.reason).toBe("URL from --broker-url");
    expect(report.broker.url).toBe(`nats://poisonpill:***@127.0.0.1:${SYSTEM_NATS_PORT}`);
    expect(result.stdout).not.toContain("secret-e2e-password");
    expect(result.stderr).not.toContain("secret-e2e-password");
    // The debug output did cover the broker URL, redacted.
    expect(result.stderr).toContain("poisonpill:***@127.0.0.1");
    expect(await readFile(reportFile, "utf8")).not.toContain("secret-e2e-password");
    const written = await filesUnder(outDir);
    expect(written.length).toBeGreaterThan(0);
    for (const file of written) expect(file.text, file.path).not.toContain("secret-e2e-password");
    await expectNoLeftovers(result, parseBrokerLine(result.stderr));
  });

  it("local binary finds both bugs", async () => {
    const { result, reportFile } = await runScenarioCli("local", [SCENARIO, "--seed", SEED, "--max-messages", MESSAGES, "--provision", "local"], NO_ENGINE);

    const report = await expectBothBugs(result, reportFile);
    expect(report.broker.via).toBe("local");
    const broker = parseBrokerLine(result.stderr);
    expect(broker?.via).toBe("local");
    expect(broker?.pid).toBeGreaterThan(0);
    await expectNoLeftovers(result, broker);
  });

  it.skipIf(containerSkip !== undefined)("Testcontainers finds both bugs", async () => {
    const { result, reportFile } = await runScenarioCli("testcontainers", [SCENARIO, "--seed", SEED, "--max-messages", MESSAGES, "--provision", "testcontainers"], podmanEnv);

    const report = await expectBothBugs(result, reportFile);
    expect(report.broker.via).toBe("testcontainers");
    const broker = parseBrokerLine(result.stderr);
    expect(broker?.containerId).toMatch(/^[0-9a-f]{12}$/);
    await expectNoLeftovers(result, broker);
  });
});

describe("auto selection", () => {
  it.skipIf(containerSkip !== undefined)("picks Testcontainers when DOCKER_HOST responds", async () => {
    const { result, reportFile } = await runScenarioCli("auto-engine", [SCENARIO, "--seed", SEED, "--max-messages", "20"], podmanEnv, SHORT_RUN_TIMEOUT_MS);

    expect(result.timedOut, result.stderr).toBe(false);
    const report = JSON.parse(await readFile(reportFile, "utf8")) as RunReport;
    expect(report.broker.via).toBe("testcontainers");
    expect(report.broker.reason).toContain("a Docker-API engine responds");
    await expectNoLeftovers(result, parseBrokerLine(result.stderr));
  });

  it("picks the local binary without an engine", async () => {
    const { result, reportFile } = await runScenarioCli("auto-local", [SCENARIO, "--seed", SEED, "--max-messages", "20"], NO_ENGINE, SHORT_RUN_TIMEOUT_MS);

    expect(result.timedOut, result.stderr).toBe(false);
    const report = JSON.parse(await readFile(reportFile, "utf8")) as RunReport;
    expect(report.broker.via).toBe("local");
    expect(report.broker.reason).toContain(`no Docker-API engine responds at ${NO_ENGINE.DOCKER_HOST}`);
    await expectNoLeftovers(result, parseBrokerLine(result.stderr));
  });

  it("exits 3 listing three ways without any", async () => {
    const env = { ...NO_ENGINE, POISONPILL_NATS_SERVER: "/nonexistent/nats-server" };
    const { result } = await runScenarioCli("auto-none", [SCENARIO, "--max-messages", "20"], env, SHORT_RUN_TIMEOUT_MS);

    expect(result.code, result.stderr).toBe(3);
    const message = result.stderr.split("\n").filter((line) => line.startsWith("poisonpill:"));
    expect(message).toHaveLength(1);
    expect(message[0]).toContain("no nats broker available");
    expect(message[0]).toContain("(1) a broker URL, with --broker-url");
    expect(message[0]).toContain("(2) a Docker-API container engine for Testcontainers");
    expect(message[0]).toContain("(3) the nats-server binary on PATH");
    await expectNoLeftovers(result, undefined);
  });
});

describe("remote broker guard", () => {
  it("rejects a remote host, secret unprinted", async () => {
    const url = "nats://user:secret@broker.example.invalid:4222";
    const { result, reportFile } = await runScenarioCli("remote", [SCENARIO, "--broker-url", url], { DEBUG: "poisonpill:*" }, SHORT_RUN_TIMEOUT_MS);

    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('broker host "broker.example.invalid"');
    expect(result.stderr).toContain("--allow-remote-broker");
    expect(result.stdout).not.toContain("secret");
    expect(result.stderr).not.toContain("secret");
    expect(existsSync(reportFile)).toBe(false);
    // Rejected before any connection: no broker line, no consumer.
    expect(parseBrokerLine(result.stderr)).toBeUndefined();
    await expectNoLeftovers(result, undefined);
  });
});

describe("no leftovers", () => {
  const failingScenario = "test/fixtures/scenarios/missing-command.json";

  it("failed run with local broker", async () => {
    const { result } = await runScenarioCli("failed-local", [failingScenario, "--provision", "local"], NO_ENGINE, SHORT_RUN_TIMEOUT_MS);

    expect(result.code, result.stderr).toBe(2);
    const broker = parseBrokerLine(result.stderr);
    // The broker was up before the consumer failed to start.
    expect(broker?.pid).toBeGreaterThan(0);
    await expectNoLeftovers(result, broker);
  });

  it.skipIf(containerSkip !== undefined)("failed run with container", async () => {
    const { result } = await runScenarioCli("failed-container", [failingScenario, "--provision", "testcontainers"], podmanEnv, SHORT_RUN_TIMEOUT_MS);

    expect(result.code, result.stderr).toBe(2);
    const broker = parseBrokerLine(result.stderr);
    expect(broker?.containerId).toMatch(/^[0-9a-f]{12}$/);
    await expectNoLeftovers(result, broker);
  });

  it("SIGINT with local broker", async () => {
    const { code, stderr, broker, mark, storeDir } = await interruptRun("local", NO_ENGINE);

    expect(code, stderr).toBe(130);
    expect(broker.pid).toBeGreaterThan(0);
    await expectNoLeftovers({ mark } as CliResult, broker);
    expect(storeDir).toMatch(/poisonpill-nats-/);
    expect(existsSync(storeDir!)).toBe(false);
    expect(processesWithArgument(storeDir!)).toEqual([]);
  });

  it.skipIf(containerSkip !== undefined)("SIGINT with container", async () => {
    const { code, stderr, broker, mark } = await interruptRun("testcontainers", podmanEnv);

    expect(code, stderr).toBe(130);
    expect(broker.containerId).toMatch(/^[0-9a-f]{12}$/);
    await expectNoLeftovers({ mark } as CliResult, broker);
  });
});

/** Pids of processes whose command line contains `argument`. */
function processesWithArgument(argument: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0").includes(argument)) pids.push(Number(entry));
    } catch {
      // Exited meanwhile.
    }
  }
  return pids;
}

/**
 * Starts a long run, waits for its "broker:" line and its first progress
 * line (the consumer is then running), sends SIGINT and waits for the exit.
 */
async function interruptRun(
  provision: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string; broker: BrokerLine; mark: string; storeDir?: string }> {
  const mark = randomBytes(6).toString("hex");
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, [PROCESS_MARK_VARIABLE]: mark };
  delete childEnv.POISONPILL_NATS_URL;
  const args = ["bin/poisonpill.mjs", "run", SCENARIO, "--seed", SEED, "--max-messages", "100000", "--provision", provision, "--out", join(workDir, `sigint-${provision}`)];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: childEnv, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  try {
    const running = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no progress line within ${SHORT_RUN_TIMEOUT_MS} ms: ${stderr}`)), SHORT_RUN_TIMEOUT_MS);
      child.stderr.on("data", (chunk: string) => {
        stderr += chunk;
        if (/^broker: /m.test(stderr) && /^sent \d+/m.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`run exited before it was interrupted: ${stderr}`));
      });
    });
    await running;
    const broker = parseBrokerLine(stderr)!;
    const storeDir = broker.pid === undefined ? undefined : storeDirOf(broker.pid);
    expect(await isAlive(broker.pid ?? child.pid!)).toBe(true);

    child.kill("SIGINT");
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exited,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no exit within ${INTERRUPT_EXIT_TIMEOUT_MS} ms of SIGINT: ${stderr}`)), INTERRUPT_EXIT_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
    return { code, stderr, broker, mark, storeDir };
  } finally {
    child.kill("SIGKILL");
  }
}

/** Returns the `-sd` argument (store directory) of a running nats-server. */
function storeDirOf(pid: number): string | undefined {
  const argv = readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0");
  const index = argv.indexOf("-sd");
  return index === -1 ? undefined : argv[index + 1];
}
