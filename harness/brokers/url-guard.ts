import { isIP } from "node:net";
import { ConfigError } from "../errors.ts";

/** Replaces the password or token in a broker URL with `***`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/?#]*)@/i, (_match, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(":");
    const user = colon === -1 ? "***" : userinfo.slice(0, colon);
    return colon === -1 ? `${scheme}***@` : `${scheme}${user}:***@`;
  });
}

/** Redacts every broker URL found inside free text (log lines, error messages). */
export function redactText(text: string): string {
  return text.replace(/\b(nats|tls|wss?|amqps?|https?):\/\/[^\s"'<>]+/gi, (url) => redactUrl(url));
}

/**
 * Returns the host part of a broker URL without resolving it. Accepts the
 * NATS shorthand `host:port` (no scheme).
 */
export function hostOf(url: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `nats://${url}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch (error) {
    throw new ConfigError(`invalid broker URL ${redactUrl(url)}`, {
      value: redactUrl(url),
      hint: "use a URL such as nats://127.0.0.1:4222 or amqp://guest:guest@127.0.0.1:5672",
      cause: error,
    });
  }
  return parsed.hostname.replace(/^\[|\]$/g, "");
}

/** True for `localhost`, 127.0.0.0/8 and ::1; decided from the text alone, with no name lookup. */
export function isLoopbackHost(host: string): boolean {
  const lower = host.toLowerCase();
  if (lower === "localhost" || lower.endsWith(".localhost")) return true;
  if (isIP(lower) === 4) return lower.startsWith("127.");
  if (isIP(lower) === 6) return lower === "::1" || lower === "0:0:0:0:0:0:0:1" || lower.startsWith("::ffff:127.");
  return false;
}

/**
 * Rejects a broker URL whose host is not a loopback address, unless the user
 * allowed remote brokers. Runs before any connection or name lookup, so a
 * production host is never contacted by accident.
 */
export function assertBrokerAllowed(url: string, allowRemoteBroker: boolean): void {
  const host = hostOf(url);
  if (allowRemoteBroker || isLoopbackHost(host)) return;
  throw new ConfigError(`broker host "${host}" in ${redactUrl(url)} is not a loopback address`, {
    value: redactUrl(url),
    hint: "poisonpill floods its target with poison messages; point it at a test broker on 127.0.0.1, or pass --allow-remote-broker (allowRemoteBroker: true in the scenario) if this host really is a disposable test broker",
  });
}

const URL_SCHEMES = {
  nats: ["nats", "tls", "ws", "wss"],
  rabbitmq: ["amqp"],
} as const;

/**
 * Rejects a URL whose scheme does not fit the broker family, before any
 * connection: a nats:// URL given to a RabbitMQ scenario is a configuration
 * mistake, not an unreachable broker. NATS also accepts a bare `host:port`.
 */
export function assertUrlScheme(url: string, family: "nats" | "rabbitmq"): void {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  const allowed: readonly string[] = URL_SCHEMES[family];
  if (scheme === undefined ? family === "nats" : allowed.includes(scheme)) return;
  const example = family === "nats" ? "nats://127.0.0.1:4222" : "amqp://guest:guest@127.0.0.1:5672";
  const extra = family === "rabbitmq" && scheme === "amqps" ? "; amqps is not supported because poisonpill relays the consumer's connection to watch its acknowledgements" : "";
  throw new ConfigError(`broker URL ${redactUrl(url)} is not a ${family === "nats" ? "NATS" : "RabbitMQ"} URL`, {
    value: redactUrl(url),
    hint: `use ${allowed.map((s) => `${s}://`).join(", ")} for this broker kind, e.g. ${example}${extra}`,
  });
}
