import { execFile } from "node:child_process";
import createDebug from "debug";
import { describeThrown } from "../errors.ts";
import { hostOf, isLoopbackHost } from "./url-guard.ts";

const debug = createDebug("poisonpill:broker");

/**
 * RabbitMQ's default `max_message_size` since 3.8.0 (128 MiB), used when the
 * live value cannot be read. RabbitMQ 4.0 lowered the default to 16 MiB.
 */
export const DEFAULT_MAX_MESSAGE_SIZE = 134_217_728;

/** `rabbitmqctl` starts an Erlang VM (about 0.3 s here); 10 s means it cannot reach the node. */
const RABBITMQCTL_TIMEOUT_MS = 10_000;

/**
 * Erlang expression that returns the node's `max_message_size` and the ports
 * of its AMQP listeners, so the caller can check that rabbitmqctl reached the
 * node behind the URL and not another one on the same machine.
 */
const EXPRESSION =
  "{application:get_env(rabbit, max_message_size), [element(6, L) || L <- rabbit_networking:active_listeners(), element(3, L) =:= amqp]}.";

/**
 * Reads the live `max_message_size` of the RabbitMQ node behind `url` with
 * `rabbitmqctl eval`. Works only for a node on this machine whose Erlang
 * cookie the harness can read; returns undefined otherwise.
 */
export async function readMaxMessageSize(url: string): Promise<number | undefined> {
  if (!isLoopbackHost(hostOf(url))) return undefined;
  const port = Number(new URL(url).port || 5672);
  let output: string;
  try {
    output = await new Promise<string>((resolve, reject) => {
      execFile("rabbitmqctl", ["eval", EXPRESSION], { timeout: RABBITMQCTL_TIMEOUT_MS, encoding: "utf8" }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
    });
  } catch (error) {
    debug("rabbitmqctl could not read max_message_size: %s", describeThrown(error));
    return undefined;
  }
  const match = /^\{\{ok,(\d+)\},\[([\d,]*)\]\}/.exec(output.replace(/\s+/g, ""));
  if (match === null) {
    debug("Unexpected rabbitmqctl output: %s", output.slice(0, 200));
    return undefined;
  }
  const ports = match[2]!.split(",").filter(Boolean).map(Number);
  if (!ports.includes(port)) {
    debug("rabbitmqctl reached a node listening on %o, not on %d", ports, port);
    return undefined;
  }
  return Number(match[1]);
}

/** Reads the configured limit from RabbitMQ's channel error text for an oversized message. */
export function maxMessageSizeFromError(replyText: string): number | undefined {
  const match = /larger than configured max size (\d+)/.exec(replyText);
  return match === null ? undefined : Number(match[1]);
}
