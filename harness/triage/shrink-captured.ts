import type { ShrinkBudget } from "./budget.ts";
import { payloadKey } from "./sample-key.ts";
import { shrinkBytes } from "./shrink-bytes.ts";
import { parseJsonPayload, shrinkJson, type BytesFails } from "./shrink-json.ts";
import { isWireFormat, shrinkProtobuf } from "./shrink-protobuf.ts";

/** How a captured payload was reduced. */
export type CapturedShrinkMethod = "json" | "protobuf" | "bytes";

export interface CapturedShrinkResult {
  bytes: Uint8Array;
  method: CapturedShrinkMethod;
}

export interface CapturedShrinkOptions {
  /** The scenario's payloads are protobuf: wire-format bytes are reduced field by field. */
  protobuf?: boolean;
}

/**
 * Reduces a payload that no generator produced (a captured or imported
 * message): JSON structurally, protobuf field by field, anything else
 * byte-wise. `bytes` must already fail the same way. Each distinct candidate
 * is replayed at most once, and every replay counts against `budget`.
 */
export async function shrinkCaptured(bytes: Uint8Array, fails: BytesFails, budget: ShrinkBudget, options: CapturedShrinkOptions = {}): Promise<CapturedShrinkResult> {
  const known = new Map<string, boolean>([[payloadKey(bytes), true]]);
  const cached = async (candidate: Uint8Array, count: boolean): Promise<boolean> => {
    const key = payloadKey(candidate);
    const previous = known.get(key);
    if (previous !== undefined) return previous;
    if (count && !budget.take()) return false;
    const failed = await fails(candidate);
    known.set(key, failed);
    return failed;
  };
  const counted: BytesFails = (candidate) => cached(candidate, true);
  const exhausted = () => budget.exhausted;

  let result: CapturedShrinkResult | undefined;
  if (options.protobuf === true && isWireFormat(bytes)) {
    result = { bytes: await shrinkProtobuf(bytes, counted, exhausted), method: "protobuf" };
  } else {
    const json = parseJsonPayload(bytes);
    const reduced = json === undefined ? undefined : await shrinkJson(json.value, counted, exhausted);
    if (reduced !== undefined) result = { bytes: reduced, method: "json" };
  }
  // ddmin counts its own calls against the budget.
  result ??= { bytes: await shrinkBytes(bytes, (candidate) => cached(candidate, false), budget), method: "bytes" };
  return result.bytes.length <= bytes.length ? result : { bytes, method: result.method };
}
