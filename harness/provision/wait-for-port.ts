import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { EnvironmentError } from "../errors.ts";

/** Pause between two connection attempts. */
const POLL_INTERVAL_MS = 100;

/** Limit for one connection attempt. A loopback connect takes well under 1 ms. */
const ATTEMPT_TIMEOUT_MS = 1_000;

export interface WaitForPortOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Name of the server in error messages, e.g. "NATS container (localhost/poisonpill-nats:2.9.10)". */
  serverName: string;
  /** Checked before every attempt: returns a reason to stop waiting (the server exited), or undefined. */
  failure?: () => string | undefined;
}

/** Resolves once 127.0.0.1:port accepts a TCP connection; rejects with an EnvironmentError on timeout. */
export async function waitForTcpPort(port: number, options: WaitForPortOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const reason = options.failure?.();
    if (reason !== undefined) {
      throw new EnvironmentError(`${options.serverName} stopped before 127.0.0.1:${port} accepted connections`, { value: port, hint: reason });
    }
    if (await acceptsConnection(port)) return;
    if (Date.now() >= deadline) {
      throw new EnvironmentError(`${options.serverName} did not accept connections on 127.0.0.1:${port} within ${options.timeoutMs} ms`, {
        value: port,
        hint: "the server may be slow on this machine: raise startTimeoutMs, or check its log",
      });
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

/** Checks once whether 127.0.0.1:port accepts a TCP connection, within one attempt's timeout. */
export function acceptsConnection(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const finish = (accepted: boolean): void => {
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(ATTEMPT_TIMEOUT_MS, () => finish(false));
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
  });
}
