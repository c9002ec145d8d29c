import { getHeapStatistics } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import type { HandlerMessage, MessageHandler } from "../../scenario/types.ts";
import { subscribe, type Verdict } from "./subscribe.ts";
import type { StopRequest, WorkerReport, WorkerSetup } from "./protocol.ts";

/** Minimum milliseconds between heap readings sent along with "done"; `getHeapStatistics` costs microseconds. */
const HEAP_SAMPLE_GAP_MS = 20;

const setup = workerData as WorkerSetup;
const port = parentPort!;
let lastHeapSampleAt = 0;

function report(message: WorkerReport): void {
  port.postMessage(message);
}

/** Imports the module as load.ts imports scenarios: through tsx's `tsImport` where Node treats a .ts file as CommonJS. */
async function importModule(url: string): Promise<Record<string, unknown>> {
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_REQUIRE_CYCLE_MODULE") throw error;
    const { tsImport } = await import("tsx/esm/api");
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
}

async function loadHandler(): Promise<MessageHandler> {
  const module = await importModule(setup.moduleUrl);
  const handler = module[setup.exportName];
  if (typeof handler !== "function") {
    const exported = Object.keys(module).join(", ") || "nothing";
    throw new Error(`export "${setup.exportName}" of ${setup.moduleUrl} is ${typeof handler}, not a function (the module exports ${exported})`);
  }
  return handler as MessageHandler;
}

/** The error as Node prints an uncaught exception, so crash signatures of handlers and programs read alike. */
function describeError(thrown: unknown): string {
  if (thrown instanceof Error && typeof thrown.stack === "string") return thrown.stack;
  let text: string;
  try {
    text = typeof thrown === "string" ? thrown : (JSON.stringify(thrown) ?? String(thrown));
  } catch {
    text = Object.prototype.toString.call(thrown);
  }
  return `Error: the handler threw a non-Error value: ${text}`;
}

function heapSample(): number | undefined {
  const now = Date.now();
  if (now - lastHeapSampleAt < HEAP_SAMPLE_GAP_MS) return undefined;
  lastHeapSampleAt = now;
  return getHeapStatistics().used_heap_size;
}

/** Calls the handler for one message and reports its start and end; "failed" means it threw. */
async function deliver(handler: MessageHandler, message: Omit<HandlerMessage, "stateDir" | "env">): Promise<Verdict> {
  report({ type: "start", seq: message.seq });
  try {
    const result = await handler({ ...message, stateDir: setup.stateDir, env: { ...setup.env } });
    report({ type: "done", seq: message.seq, heapUsedBytes: heapSample() });
    return result === "reject" ? "reject" : "ack";
  } catch (error) {
    report({ type: "failed", seq: message.seq, stack: describeError(error) });
    return "failed";
  }
}

let handler: MessageHandler;
try {
  handler = await loadHandler();
} catch (error) {
  report({ type: "load-failed", message: describeError(error) });
  process.exit(1);
}

const close = await subscribe(setup.broker, (message) => deliver(handler, message));
port.on("message", (request: StopRequest) => {
  if (request.type !== "stop") return;
  void close().finally(() => process.exit(0));
});
report({ type: "ready" });
