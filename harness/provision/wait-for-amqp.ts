import { setTimeout as sleep } from "node:timers/promises";
import amqp from "amqplib";
import { redactText, redactUrl } from "../brokers/url-guard.ts";
import { EnvironmentError, describeThrown } from "../errors.ts";

const RETRY_INTERVAL_MS = 250;

/**
 * Resolves once an AMQP connection to `url` opens, then closes it. A node
 * can accept TCP before it finishes booting, so only a completed AMQP
 * handshake proves that a run can use it.
 */
export async function waitForAmqp(url: string, options: { timeoutMs: number; serverName: string }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  do {
    try {
      const connection = await amqp.connect(url, { timeout: Math.max(1_000, deadline - Date.now()) });
      await connection.close();
      return;
    } catch (error) {
      lastError = error;
    }
    await sleep(RETRY_INTERVAL_MS);
  } while (Date.now() < deadline);
  throw new EnvironmentError(`${options.serverName} did not accept an AMQP connection within ${options.timeoutMs} ms`, {
    value: redactUrl(url),
    hint: `last error: ${redactText(describeThrown(lastError))}`,
    cause: lastError,
  });
}
