import type { ValidateFunction } from "ajv";

import type { Expectation, Sample, SampleClass } from "../sample.ts";
import { toJsonText, utf8 } from "./json-text.ts";

/**
 * Strict decoder. `ignoreBOM: true` keeps a leading U+FEFF in the text, so
 * BOM-prefixed bytes reach JSON.parse as they are and fail there, as they do
 * in a consumer that calls `JSON.parse(buffer.toString())`.
 */
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export interface Label {
  expect: Expectation;
  /** The decoded value; undefined when the bytes are not UTF-8 JSON. */
  value?: unknown;
}

/**
 * Decides what a correct consumer must do with `bytes`: reject anything that
 * is not UTF-8 JSON, otherwise whatever ajv decides for the parsed value.
 * A validator that overflows the stack (a recursive schema against thousands
 * of nesting levels) counts as a reject, because no consumer can accept a
 * message it cannot validate.
 */
export function labelBytes(validate: ValidateFunction, bytes: Uint8Array): Label {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    return { expect: "reject" };
  }

  try {
    return { expect: validate(value) ? "accept" : "reject", value };
  } catch (error) {
    if (error instanceof RangeError) return { expect: "reject", value };
    throw error;
  }
}

/** The payload of a sample: a value to serialize, or bytes to send as they are. */
export type Payload = { value: unknown } | { bytes: Uint8Array };

/** Serializes the payload where needed and labels it with ajv. */
export function makeSample(
  validate: ValidateFunction,
  sampleClass: SampleClass,
  mutation: string,
  path: string,
  payload: Payload,
): Sample {
  const bytes = "bytes" in payload ? payload.bytes : utf8(toJsonText(payload.value));
  const label = labelBytes(validate, bytes);
  const sample: Sample = { class: sampleClass, mutation, path, expect: label.expect, bytes };
  if ("value" in label) sample.value = label.value;
  return sample;
}
