import type { HeaderValue } from "../../generators/sample.ts";

/** A message captured outside poisonpill: its body, headers and where it was read. */
export interface CapturedMessage {
  bytes: Uint8Array;
  headers?: Record<string, HeaderValue>;
  /** Human-readable origin, e.g. `rabbitmq queue orders.dlq message 3` or `file dump.bin`. */
  from: string;
}
