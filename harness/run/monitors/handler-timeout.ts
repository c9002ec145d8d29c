import { InProcessConsumer } from "../../consumer/in-process/in-process-consumer.ts";
import { hangSignature } from "../../findings/signature.ts";
import type { ConsumerStart, MonitorFactory, MonitorFailure, StartMonitor } from "../consumer-start.ts";

/**
 * Reports a `hang` of an in-process handler attributed to the message it was
 * handling: when the handler call ran past its time limit (the consumer then
 * terminated the worker), or when the engine's hang check would fire while a
 * call is still running. Signature and detector match the engine's hang, so
 * the two group together.
 */
export class HandlerTimeoutMonitor implements StartMonitor {
  constructor(
    private readonly start: ConsumerStart,
    private readonly consumer: InProcessConsumer,
  ) {}

  check(): MonitorFailure | undefined {
    const { timedOut, busy } = this.consumer;
    if (timedOut !== undefined) return this.failure(timedOut.seq, timedOut.blockedMs);
    if (busy !== undefined && this.start.hangDetected()) return this.failure(busy.seq, Date.now() - busy.sinceMs);
    return undefined;
  }

  /** True while a handler call is running, so a settle on core NATS waits for the time limit. */
  undecided(): boolean {
    return this.consumer.busy !== undefined && this.consumer.running;
  }

  private failure(seq: number, blockedMs: number): MonitorFailure {
    // Only JetStream numbers messages as the lane does; elsewhere the unacknowledged messages stay the suspects.
    const suspects = this.start.context.loaded.scenario.broker.kind === "jetstream" ? [seq] : undefined;
    return {
      kind: "detected",
      detector: "hang",
      signature: hangSignature(),
      evidence: { handlerTimeoutMs: this.consumer.spec.timeoutMs, blockedMs, handlerSeq: seq },
      suspects,
    };
  }
}

/** Attaches a handler-timeout monitor to every start of an in-process handler. */
export function handlerTimeoutMonitor(): MonitorFactory {
  return (start) => (start.process instanceof InProcessConsumer ? new HandlerTimeoutMonitor(start, start.process) : undefined);
}
