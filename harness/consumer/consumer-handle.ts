import type { OutputTail } from "./output-tail.ts";

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Milliseconds since the consumer started. */
  afterMs: number;
}

/**
 * One running consumer under test, whatever runs it: a child process
 * (ConsumerProcess) or a handler in a worker thread (InProcessConsumer).
 * `stop()` is idempotent.
 */
export interface ConsumerHandle {
  /** Process group to read from /proc; undefined when the consumer runs inside the harness. */
  readonly pid: number | undefined;
  readonly stdout: OutputTail;
  readonly stderr: OutputTail;
  /** Resolves when the consumer exits or crashes, for whatever reason other than `stop()`. */
  readonly exited: Promise<ExitInfo>;
  readonly exitInfo: ExitInfo | undefined;
  readonly running: boolean;
  /** Stdout and stderr tails, for error messages and findings. */
  outputTail(lines?: number): string;
  /** Memory in use when /proc cannot tell it (`pid` undefined): the worker's V8 heap, in bytes. */
  memoryBytes?(): number | undefined;
  stop(): Promise<void>;
}
