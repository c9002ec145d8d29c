import { randomUUID } from "node:crypto";
import createDebug from "debug";
import { assertBrokerAllowed, redactUrl } from "../brokers/url-guard.ts";
import { EnvironmentError, describeThrown } from "../errors.ts";
import type { ProvisionedBroker } from "./types.ts";

const debug = createDebug("poisonpill:provision");

export interface RabbitMqVhostOptions {
  /** Base URL of the management API, e.g. `http://127.0.0.1:15672`. */
  managementUrl: string;
  /** AMQP URL of the same broker. Its user gets full permissions on the new vhost; its vhost path is replaced. */
  amqpUrl: string;
  /** Management API login. Default: the user and password of `amqpUrl`, else guest/guest. */
  managementUser?: { username: string; password: string };
  /** Name of the vhost to create. Default `poisonpill-<random id>`. It must not exist yet. */
  vhost?: string;
  /** Allow a broker that is not on a loopback address. Default false. */
  allowRemoteBroker?: boolean;
  /** Limit for each management API request. Default 5_000 ms. */
  requestTimeoutMs?: number;
}

/**
 * Result of `createRabbitMqVhost`. `available: false` means the broker has
 * no reachable management API: callers then isolate runs by unique queue
 * names instead.
 */
export type RabbitMqVhostResult =
  | { available: true; vhost: string; broker: ProvisionedBroker }
  | { available: false; reason: string };

/**
 * Creates a fresh vhost through the RabbitMQ management API and grants the
 * AMQP user configure, write and read permissions on it. The returned
 * broker's `url` points at the vhost and `stop()` deletes the vhost with
 * everything in it.
 *
 * Throws an EnvironmentError when the API is reachable but rejects the
 * login or a request, and a ConfigError for a non-loopback broker unless
 * `allowRemoteBroker` is set.
 */
export async function createRabbitMqVhost(options: RabbitMqVhostOptions): Promise<RabbitMqVhostResult> {
  assertBrokerAllowed(options.managementUrl, options.allowRemoteBroker ?? false);
  assertBrokerAllowed(options.amqpUrl, options.allowRemoteBroker ?? false);
  const amqpUrl = new URL(options.amqpUrl);
  const amqpUser = { username: decodeURIComponent(amqpUrl.username) || "guest", password: decodeURIComponent(amqpUrl.password) || "guest" };
  const api = new ManagementApi(options.managementUrl, options.managementUser ?? amqpUser, options.requestTimeoutMs ?? 5_000);
  const vhost = options.vhost ?? `poisonpill-${randomUUID().slice(0, 8)}`;

  let overview: ApiResponse;
  try {
    overview = await api.request("GET", "/api/overview");
  } catch (error) {
    return unavailable(options.managementUrl, error instanceof Error ? error.message : describeThrown(error));
  }
  if (overview.status === 404) return unavailable(options.managementUrl, "GET /api/overview returned 404");
  api.assertStatus(overview, [200], "GET /api/overview");

  const existing = await api.request("GET", `/api/vhosts/${encodeURIComponent(vhost)}`);
  if (existing.status === 200) {
    throw new EnvironmentError(`vhost "${vhost}" already exists on ${options.managementUrl}`, {
      value: vhost,
      hint: "choose another vhost name; an existing vhost is never reused because stop() deletes it",
    });
  }
  api.assertStatus(await api.request("PUT", `/api/vhosts/${encodeURIComponent(vhost)}`, {}), [201, 204], `PUT /api/vhosts/${vhost}`);

  const stop = deleteVhostOnce(api, vhost);
  try {
    const path = `/api/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(amqpUser.username)}`;
    const permissions = { configure: ".*", write: ".*", read: ".*" };
    api.assertStatus(await api.request("PUT", path, permissions), [201, 204], `PUT ${path}`);
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  debug("Created vhost %s on %s for user %s", vhost, options.managementUrl, amqpUser.username);

  amqpUrl.pathname = `/${encodeURIComponent(vhost)}`;
  return {
    available: true,
    vhost,
    broker: { family: "rabbitmq", url: amqpUrl.toString(), monitorUrl: options.managementUrl, via: "url", stop },
  };
}

function unavailable(managementUrl: string, detail: string): RabbitMqVhostResult {
  const reason = `management API unavailable at ${redactUrl(managementUrl)}: ${detail}`;
  debug("%s", reason);
  return { available: false, reason };
}

/** Returns a `stop()` that deletes the vhost. Calls after a success do nothing, and a failed call may be retried. */
function deleteVhostOnce(api: ManagementApi, vhost: string): () => Promise<void> {
  let deleted = false;
  return async () => {
    if (deleted) return;
    const response = await api.request("DELETE", `/api/vhosts/${encodeURIComponent(vhost)}`);
    // 404: someone else deleted it already, which leaves nothing to do.
    api.assertStatus(response, [204, 404], `DELETE /api/vhosts/${vhost}`);
    deleted = true;
    debug("Deleted vhost %s", vhost);
  };
}

interface ApiResponse {
  status: number;
  statusText: string;
  body: string;
}

class ManagementApi {
  private readonly authorization: string;

  constructor(
    private readonly baseUrl: string,
    user: { username: string; password: string },
    private readonly timeoutMs: number,
  ) {
    this.authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString("base64")}`;
  }

  /** Sends one request and reads the whole response. Rejects on a network error or after `timeoutMs`. */
  async request(method: string, path: string, body?: unknown): Promise<ApiResponse> {
    try {
      const response = await fetch(new URL(path, this.baseUrl), {
        method,
        headers: { authorization: this.authorization, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      return { status: response.status, statusText: response.statusText, body: await response.text() };
    } catch (error) {
      // fetch() puts the useful part (ECONNREFUSED, timeout) into the cause.
      const detail = error instanceof Error && error.cause !== undefined ? describeThrown(error.cause) : describeThrown(error);
      throw new EnvironmentError(`RabbitMQ management API: ${method} ${path} failed: ${detail}`, {
        value: redactUrl(this.baseUrl),
        hint: `check that the management plugin listens there; requests time out after ${this.timeoutMs} ms`,
        cause: error,
      });
    }
  }

  assertStatus(response: ApiResponse, expected: number[], request: string): void {
    if (expected.includes(response.status)) return;
    const hint =
      response.status === 401
        ? "the management API rejected the login: give a user with the administrator tag (managementUser, or the user in the AMQP URL)"
        : `response body: ${response.body.slice(0, 300) || "(empty)"}`;
    throw new EnvironmentError(`RabbitMQ management API: ${request} returned ${response.status} ${response.statusText}, expected ${expected.join(" or ")}`, {
      value: redactUrl(this.baseUrl),
      hint,
    });
  }
}

/** Port of the RabbitMQ management plugin's HTTP listener when nothing else is known. */
const DEFAULT_MANAGEMENT_PORT = 15672;

/**
 * Gives a run a fresh vhost on `broker` when its management API answers (at
 * `broker.monitorUrl`, else port 15672 on the AMQP host). The returned
 * broker's `stop()` deletes the vhost, then stops `broker`. Without a
 * management API it returns `broker` unchanged, and the run relies on its
 * uniquely named queues and exchanges, which it deletes itself.
 */
export async function isolateInVhost(broker: ProvisionedBroker, allowRemoteBroker: boolean): Promise<ProvisionedBroker> {
  const amqpUrl = new URL(broker.url);
  const managementUrl = broker.monitorUrl ?? `http://${amqpUrl.host.replace(/:\d+$/, "")}:${DEFAULT_MANAGEMENT_PORT}`;
  const result = await createRabbitMqVhost({ managementUrl, amqpUrl: broker.url, allowRemoteBroker, requestTimeoutMs: 2_000 });
  if (!result.available) {
    debug("No vhost for this run (%s); isolating it by queue and exchange names", result.reason);
    return broker;
  }
  const vhostBroker = result.broker;
  return {
    ...broker,
    url: vhostBroker.url,
    monitorUrl: managementUrl,
    stop: async () => {
      try {
        await vhostBroker.stop();
      } finally {
        await broker.stop();
      }
    },
  };
}
