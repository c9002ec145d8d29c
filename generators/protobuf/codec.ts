/**
 * Encoding with protobufjs, and the decode check that settles what a correct
 * consumer must do with a sample.
 */
import protobuf from "protobufjs";

import type { Expectation } from "../sample.ts";
import type { PlainMessage } from "./valid.ts";

/**
 * How decoded messages become plain objects: 64-bit integers as decimal
 * strings and enums as numbers, matching the form of generated values.
 */
export const TO_OBJECT_OPTIONS: protobuf.IConversionOptions = { longs: String, enums: Number };

/** Encodes a plain object with protobufjs. */
export function encodeValue(type: protobuf.Type, value: PlainMessage): Uint8Array {
  return type.encode(type.fromObject(value)).finish();
}

export type DecodeOutcome =
  | { ok: true; value: PlainMessage }
  | { ok: false; error: string };

/**
 * Decodes with protobufjs and verifies the result. A message that decodes and
 * verifies is one a correct consumer must accept; anything else it must reject.
 */
export function decodeOutcome(type: protobuf.Type, bytes: Uint8Array): DecodeOutcome {
  try {
    const message = type.decode(bytes);
    const problem = type.verify(message);
    if (problem) return { ok: false, error: problem };
    return { ok: true, value: type.toObject(message, TO_OBJECT_OPTIONS) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

export function expectationOf(outcome: DecodeOutcome): Expectation {
  return outcome.ok ? "accept" : "reject";
}
