import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { killMarked, markedSurvivors, PROCESS_MARK_VARIABLE, survivors } from "../e2e/processes.ts";
import { REPO_ROOT } from "../e2e/run-cli.ts";

const SERVER_SCRIPT = "/usr/lib/rabbitmq/bin/rabbitmq-server";
/** A cold start of a private node takes about 5 s here; this limit only stops a hung one. */
const READY_TIMEOUT_MS = 60_000;
/** The interrupt cleanups are bounded by 8 s. */
const EXIT_TIMEOUT_MS = 15_000;

const skipReason = existsSync(SERVER_SCRIPT) ? undefined : `${SERVER_SCRIPT} not found (apt-get install rabbitmq-server)`;
if (skipReason !== undefined) console.warn(`interrupt tests skipped: ${skipReason}`);

/** Starts a private node in a separate Node process that prints the node's pids, then idles until a signal. */
const HOLDER_SCRIPT = `
const { startLocalRabbitMq } = await import("./harness/provision/local-rabbitmq.ts");
const broker = await startLocalRabbitMq();
process.stdout.write("ready " + JSON.stringify(await broker.processIds()) + "\\n");
setInterval(() => undefined, 1_000);
`;

async function processName(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/comm`, "utf8")).trim();
  } catch {
    return "(gone)";
  }
}

describe.skipIf(skipReason !== undefined)("interrupted private RabbitMQ node", () => {
  it("SIGINT stops the node and its epmd", async () => {
    const mark = randomBytes(6).toString("hex");
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", HOLDER_SCRIPT], {
      cwd: REPO_ROOT,
      env: { ...process.env, [PROCESS_MARK_VARIABLE]: mark },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

    try {
      const nodePids = await new Promise<number[]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`node not ready within ${READY_TIMEOUT_MS} ms: ${output}`)), READY_TIMEOUT_MS);
        child.stdout.on("data", (chunk: string) => {
          output += chunk;
          const match = /^ready (\[.*\])$/m.exec(output);
          if (match !== null) {
            clearTimeout(timer);
            resolve(JSON.parse(match[1]!) as number[]);
          }
        });
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`holder exited early: ${output}`));
        });
      });
      const names = await Promise.all(nodePids.map(processName));
      expect(names).toContain("epmd");
      expect(names).toContain("beam.smp");

      child.kill("SIGINT");
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([
        exited,
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`no exit within ${EXIT_TIMEOUT_MS} ms of SIGINT`)), EXIT_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);

      expect(code, output).toBe(130);
      expect(await survivors(nodePids)).toEqual([]);
      expect(await markedSurvivors(mark)).toEqual([]);
    } finally {
      child.kill("SIGKILL");
      await killMarked(mark);
    }
  });
});
