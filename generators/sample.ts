/**
 * A labelled payload: what is sent to the consumer, and what a correct
 * consumer must do with it.
 */

/** The family a sample belongs to. */
export type SampleClass =
  /** Schema-valid, typical values. */
  | "valid"
  /** Schema-valid, at the edges: min/max, empty, maximum length, unusual Unicode. */
  | "boundary"
  /** Parses as the payload format but breaks the schema in one place. */
  | "violation"
  /** Injection fragments, prototype keys, lone surrogates, extreme numbers. */
  | "adversarial"
  /** Bytes that are not a well-formed payload: truncated, invalid UTF-8, broken wire format. */
  | "corrupt"
  /** Sizes near or beyond a broker or parser limit. */
  | "oversized"
  /** A valid payload with adversarial message headers: AMQP field tables with arrays, deep nesting, long or binary values. */
  | "headers";

/**
 * Label of a message that poisonpill did not generate: one captured from a
 * broker or a file and imported. Its content is unknown, so no generator
 * produces it and a scenario cannot request it.
 */
export type CapturedClass = "captured";

/** The class a message is labelled with: a generated sample's class, or `captured`. */
export type MessageClass = SampleClass | CapturedClass;

export const SAMPLE_CLASSES: readonly SampleClass[] = [
  "valid",
  "boundary",
  "violation",
  "adversarial",
  "corrupt",
  "oversized",
  "headers",
];

/** Classes of the payload generators (fromJsonSchema, fromProtobuf); `headers` comes from fromAmqpHeaders instead. */
export type PayloadSampleClass = Exclude<SampleClass, "headers">;

/**
 * What a correct consumer must do: `accept` means process it (and acknowledge),
 * `reject` means refuse it without crashing, hanging or changing state.
 */
export type Expectation = "accept" | "reject";

/** Message header values as the brokers carry them. */
export type HeaderValue = string | number | boolean | Uint8Array | HeaderValue[] | { [key: string]: HeaderValue };

export interface Sample {
  class: MessageClass;
  /** Dotted name of what was done, e.g. `violation.wrong-type` or `corrupt.truncate`. */
  mutation: string;
  /** JSON pointer (or protobuf field path) of the mutated location; "" for the whole payload. */
  path: string;
  expect: Expectation;
  /** The decoded value, where the bytes decode to one; undefined for raw corruption. */
  value?: unknown;
  /** The exact bytes to publish. */
  bytes: Uint8Array;
  /** Headers to publish with the payload, where the sample sets any. */
  headers?: Record<string, HeaderValue>;
}
