/** What the harness gives the handler worker (as `workerData`). */
export interface WorkerSetup {
  /** file: URL of the handler module. */
  moduleUrl: string;
  /** Export to call; "default" when the scenario names none. */
  exportName: string;
  broker: { kind: "nats" | "jetstream" | "rabbitmq"; url: string; subject: string; stream: string; queue: string };
  stateDir: string;
  env: Record<string, string>;
}

/** Messages the worker posts to the harness. */
export type WorkerReport =
  /** Subscribed: deliveries may start. */
  | { type: "ready" }
  /** The handler module could not be loaded or has no such function export. */
  | { type: "load-failed"; message: string }
  /** A handler call begins; the harness times it. */
  | { type: "start"; seq: number }
  /** A handler call returned; `heapUsedBytes` is present at most every few tens of milliseconds. */
  | { type: "done"; seq: number; heapUsedBytes?: number }
  /** A handler call threw; `stack` is the error as Node would print it for an uncaught exception. */
  | { type: "failed"; seq: number; stack: string };

/** The harness's request to the worker to close its broker connection and exit. */
export interface StopRequest {
  type: "stop";
}
