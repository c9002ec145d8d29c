import { spawn, type ChildProcess } from "node:child_process";
import createDebug from "debug";
import { ConfigError, EnvironmentError } from "../errors.ts";
import { trackProcessGroup } from "../process/child-registry.ts";
import { stopProcessGroup } from "../process/stop-child.ts";
import type { ConsumerHandle, ExitInfo } from "./consumer-handle.ts";
import { OutputTail } from "./output-tail.ts";

export type { ExitInfo } from "./consumer-handle.ts";

const debug = createDebug("poisonpill:consumer");

export interface ConsumerSpec {
  /** Program and arguments. */
  command: string[];
  env: Record<string, string>;
  cwd: string;
  /** Time between SIGTERM and SIGKILL when stopping. */
  stopGraceMs: number;
}

/**
 * One start of the consumer under test, as a child process leading its own
 * process group. Output is kept in bounded tails; `stop()` is idempotent.
 */
export class ConsumerProcess implements ConsumerHandle {
  readonly stdout = new OutputTail();
  readonly stderr = new OutputTail();
  /** Resolves when the process exits, for whatever reason. */
  readonly exited: Promise<ExitInfo>;
  exitInfo: ExitInfo | undefined;
  private stopping = false;
  private readonly startedAt = Date.now();

  private constructor(
    private readonly child: ChildProcess,
    readonly spec: ConsumerSpec,
  ) {
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exitInfo = { code, signal, afterMs: Date.now() - this.startedAt };
        debug("Consumer pid %d exited (code %s, signal %s)", child.pid, code, signal);
        resolve(this.exitInfo);
      });
    });
    child.stdout!.on("data", (chunk: Buffer) => this.stdout.push(chunk));
    child.stderr!.on("data", (chunk: Buffer) => this.stderr.push(chunk));
  }

  /** Spawns the consumer; rejects with a ConfigError when the program cannot be started. */
  static async start(spec: ConsumerSpec): Promise<ConsumerProcess> {
    const [program, ...args] = spec.command;
    if (program === undefined) throw new ConfigError("consumer.command is empty", { hint: 'give the program and its arguments, e.g. ["node", "consumer.js"]' });
    const child = spawn(program, args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const spawned = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      child.once("spawn", () => resolve(undefined));
      child.once("error", (error) => resolve(error));
    });
    if (spawned !== undefined) {
      throw new ConfigError(`consumer command "${program}" could not be started (${spawned.code ?? spawned.message})`, {
        value: spec.command,
        hint: spawned.code === "ENOENT" ? `check consumer.command: "${program}" is not an executable on PATH or relative to ${spec.cwd}` : "check consumer.command and its permissions",
        cause: spawned,
      });
    }
    trackProcessGroup(child);
    debug("Started consumer pid %d: %s", child.pid, spec.command.join(" "));
    return new ConsumerProcess(child, spec);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** Stdout and stderr tails, for error messages and findings. */
  outputTail(lines = 40): string {
    const err = this.stderr.tail(lines);
    const out = this.stdout.tail(Math.max(5, Math.floor(lines / 4)));
    return [err && `stderr:\n${err}`, out && `stdout:\n${out}`].filter(Boolean).join("\n");
  }

  /**
   * Waits until the consumer is ready: a line of its output matches
   * `outputPattern`, or `probe` returns true (checked every `probeIntervalMs`).
   * Fails with an EnvironmentError if it exits first or `timeoutMs` passes.
   */
  async waitReady(options: { outputPattern?: RegExp; probe?: () => Promise<boolean>; timeoutMs: number; probeIntervalMs?: number }): Promise<void> {
    const { outputPattern, probe, timeoutMs } = options;
    const cleanups: Array<() => void> = [];
    try {
      await new Promise<void>((resolve, reject) => {
        let settled = false;
        const finish = (error?: Error): void => {
          if (settled) return;
          settled = true;
          if (error) reject(error);
          else resolve();
        };

        const timer = setTimeout(() => {
          const how = outputPattern ? `no output line matched /${outputPattern.source}/` : "it never appeared on the broker";
          finish(
            new EnvironmentError(`consumer did not become ready within ${timeoutMs} ms: ${how}`, {
              value: this.spec.command,
              hint: `check consumer.ready.output, raise consumer.ready.timeoutMs if the consumer is only slow, and see the consumer's output (${(this.stderr.tail(3) || this.stdout.tail(3)).replace(/\n/g, " | ") || "no output"})`,
            }),
          );
        }, timeoutMs);
        cleanups.push(() => clearTimeout(timer));

        void this.exited.then((info) => {
          finish(
            new EnvironmentError(`consumer exited before it was ready (code ${info.code}, signal ${info.signal})`, {
              value: this.spec.command,
              hint: `its output: ${(this.stderr.tail(5) || this.stdout.tail(5)).replace(/\n/g, " | ") || "none"}`,
            }),
          );
        });

        if (outputPattern) {
          const check = (line: string): void => {
            if (outputPattern.test(line)) finish();
          };
          cleanups.push(this.stdout.onLine(check), this.stderr.onLine(check));
        }
        if (probe) {
          const interval = options.probeIntervalMs ?? 25;
          const poll = async (): Promise<void> => {
            while (!settled) {
              try {
                if (await probe()) return finish();
              } catch (error) {
                debug("Readiness probe failed: %s", error);
              }
              await new Promise((r) => setTimeout(r, interval));
            }
          };
          void poll();
        }
      });
    } finally {
      for (const cleanup of cleanups) cleanup();
    }
  }

  /** SIGTERM, then SIGKILL after the grace period; safe to call more than once. */
  async stop(): Promise<void> {
    if (this.stopping) {
      await this.exited;
      return;
    }
    this.stopping = true;
    await stopProcessGroup(this.child, this.spec.stopGraceMs);
    await this.exited;
  }
}
