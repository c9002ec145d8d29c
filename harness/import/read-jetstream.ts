import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { HeaderValue } from "../../generators/sample.ts";
import { redactText, redactUrl } from "../brokers/url-guard.ts";
import { ConfigError, EnvironmentError, describeThrown } from "../errors.ts";
import type { CapturedMessage } from "./captured.ts";

export interface JetStreamReadOptions {
  url: string;
  stream: string;
  /** First stream sequence to read, inclusive. */
  fromSeq: number;
  /** Last stream sequence to read, inclusive. */
  toSeq: number;
  /** Time allowed for connecting and reading, in milliseconds. Default 10_000. */
  timeoutMs?: number;
}

/** Sequences one import may read: a stream range is a handful of captured messages, not a backup. */
export const MAX_JETSTREAM_RANGE = 1_000;

/**
 * Reads the messages with stream sequences `fromSeq..toSeq` by direct lookup
 * (STREAM.MSG.GET), which leaves the stream and its consumers untouched.
 * Sequences that were deleted are skipped.
 */
export async function capturedFromJetStream(options: JetStreamReadOptions): Promise<CapturedMessage[]> {
  const { stream, fromSeq, toSeq } = options;
  if (!Number.isSafeInteger(fromSeq) || !Number.isSafeInteger(toSeq) || fromSeq < 1 || toSeq < fromSeq) {
    throw new ConfigError(`invalid sequence range ${fromSeq}..${toSeq}`, { value: `${fromSeq}..${toSeq}`, hint: "pass --from-seq N --to-seq M with 1 <= N <= M" });
  }
  if (toSeq - fromSeq + 1 > MAX_JETSTREAM_RANGE) {
    throw new ConfigError(`sequence range ${fromSeq}..${toSeq} has more than ${MAX_JETSTREAM_RANGE} messages`, { value: `${fromSeq}..${toSeq}`, hint: "import the poison messages only, in ranges of at most 1000" });
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  let nc;
  try {
    nc = await connect({ servers: options.url, timeout: timeoutMs });
  } catch (error) {
    throw new EnvironmentError(`could not connect to NATS at ${redactUrl(options.url)}: ${redactText(describeThrown(error))}`, { value: redactUrl(options.url), hint: "check --nats-url and that the server runs with JetStream", cause: error });
  }
  try {
    const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
    try {
      await jsm.streams.info(stream);
    } catch (error) {
      throw new ConfigError(`JetStream stream "${stream}" not found at ${redactUrl(options.url)}`, { value: stream, hint: "check --jetstream-stream", cause: error });
    }
    const captured: CapturedMessage[] = [];
    for (let seq = fromSeq; seq <= toSeq; seq += 1) {
      const message = await jsm.streams.getMessage(stream, { seq });
      if (message === null) continue;
      let headers: Record<string, HeaderValue> | undefined;
      if (message.header !== undefined) {
        const entries = [...message.header].map(([key, values]) => [key, values.length === 1 ? values[0]! : values] as const);
        if (entries.length > 0) headers = Object.fromEntries(entries);
      }
      captured.push({ bytes: Uint8Array.from(message.data), headers, from: `jetstream stream ${stream} seq ${seq} (subject ${message.subject})` });
    }
    return captured;
  } finally {
    await nc.close().catch(() => undefined);
  }
}
