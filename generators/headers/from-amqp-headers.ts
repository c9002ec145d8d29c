import fc from "fast-check";

import type { Expectation, HeaderValue, Sample } from "../sample.ts";
import { fieldTableBytes, longestKeyBytes, MAX_KEY_BYTES } from "./field-table.ts";

/** Headers of one sample, with what makes them adversarial. */
export interface HeaderCase {
  /** Dotted name, e.g. `headers.nested-table`. */
  mutation: string;
  /** The header key the case is about, as `headers/<key>`; `headers` when it is about the whole table. */
  path: string;
  headers: Record<string, HeaderValue>;
  /** `reject` when no AMQP client or broker can carry the table (see `amqpHeadersVerdict`). */
  expect: Expectation;
}

export interface AmqpHeadersOptions {
  /**
   * The connection's negotiated `frame_max`, in bytes. A content header frame
   * must fit in one frame, so a table near this size is the largest a
   * message can carry and one over it is refused. Default 131_072, the
   * default of RabbitMQ 3.x and of amqplib 2.3.
   */
  frameMaxBytes?: number;
  /** Levels of nested tables, and of nested arrays, in the deep cases. Default 200, minimum 1. */
  nestingDepth?: number;
  /** UTF-8 length of the long string value. Default 32_768, minimum 1. */
  longStringBytes?: number;
  /** Keys of the many-keys case. Default 1_000, minimum 1. */
  manyKeys?: number;
}

/**
 * Size of amqplib 2.3's buffer for encoding one field table: a table over it
 * makes `publish` throw before anything is sent.
 */
export const AMQPLIB_TABLE_LIMIT_BYTES = 65_536;

/**
 * Bytes of a content header frame besides the headers table: frame header and
 * end (8), class, weight, body size and property flags (14), and the
 * message id and delivery mode the harness sets. 512 leaves room for a
 * message id of a few hundred bytes.
 */
export const HEADER_FRAME_RESERVE_BYTES = 512;

/** Header keys that mean something to JavaScript objects, AMQP or RabbitMQ plugins rather than to the application. */
const ODD_KEYS = ["", "__proto__", "constructor", "prototype", "hasOwnProperty", "toString", "a\u0000b", "ключ", "\u{1F4A3}", " "];

/** Fills in defaults and raises a RangeError naming the first invalid option. */
function resolve(options: AmqpHeadersOptions): Required<AmqpHeadersOptions> {
  const check = (name: keyof AmqpHeadersOptions, fallback: number, minimum: number): number => {
    const value = options[name] ?? fallback;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < minimum) {
      throw new RangeError(`fromAmqpHeaders: ${name} must be an integer >= ${minimum}, got ${String(value)}`);
    }
    return value;
  };
  return {
    // AMQP 0-9-1 sets 4096 as the smallest frame_max a peer may ask for.
    frameMaxBytes: check("frameMaxBytes", 131_072, 4_096),
    nestingDepth: check("nestingDepth", 200, 1),
    longStringBytes: check("longStringBytes", 32_768, 1),
    manyKeys: check("manyKeys", 1_000, 1),
  };
}

/**
 * Returns whether a header table can reach a consumer: `reject` when a key
 * is over 255 bytes, or the table is over amqplib's encoding buffer or too
 * large for one content header frame of `frameMaxBytes`. RabbitMQ closes the
 * whole connection (501 FRAME_ERROR) when a frame exceeds `frame_max`.
 */
export function amqpHeadersVerdict(headers: Record<string, HeaderValue>, frameMaxBytes: number): Expectation {
  if (longestKeyBytes(headers) > MAX_KEY_BYTES) return "reject";
  const bytes = fieldTableBytes(headers);
  return bytes > AMQPLIB_TABLE_LIMIT_BYTES || bytes > frameMaxBytes - HEADER_FRAME_RESERVE_BYTES ? "reject" : "accept";
}

function nestedTable(depth: number, leaf: HeaderValue): HeaderValue {
  let value: HeaderValue = leaf;
  for (let level = 0; level < depth; level += 1) value = { [`level${depth - level}`]: value };
  return value;
}

function nestedArray(depth: number, leaf: HeaderValue): HeaderValue {
  let value: HeaderValue = leaf;
  for (let level = 0; level < depth; level += 1) value = [value];
  return value;
}

/** A string of `bytes` UTF-8 bytes built from `unit` (ASCII is padded on), so multi-byte characters are included. */
function stringOfBytes(bytes: number, unit: string): string {
  const unitBytes = new TextEncoder().encode(unit).byteLength;
  const text = unit.repeat(Math.floor(bytes / unitBytes));
  return text + "x".repeat(bytes - Math.floor(bytes / unitBytes) * unitBytes);
}

/** A table whose encoded size is exactly `bytes`, from one long string header. */
function tableOfSize(key: string, bytes: number): Record<string, HeaderValue> {
  const overhead = fieldTableBytes({ [key]: "" });
  return { [key]: "x".repeat(Math.max(0, bytes - overhead)) };
}

/**
 * Returns an arbitrary of adversarial AMQP header tables: field arrays of
 * mixed types, deeply nested tables and arrays, long strings, binary values,
 * many keys, keys that JavaScript objects treat specially, a table just
 * under the frame limit, and tables no client or broker carries (over
 * `frameMaxBytes`, over amqplib's 64 KiB encoding buffer, a key over 255
 * bytes), which are labelled `reject`.
 *
 * NOTE: keys named `!` and numbers that are not integers above 2^50 are
 * never generated: amqplib 2.3 reads an object with a `!` key as a typed
 * value, and encodes such numbers as 64-bit integers, which throws.
 */
export function fromAmqpHeaders(options: AmqpHeadersOptions = {}): fc.Arbitrary<HeaderCase> {
  const { frameMaxBytes, nestingDepth, longStringBytes, manyKeys } = resolve(options);
  const make = (mutation: string, key: string | undefined, headers: Record<string, HeaderValue>): HeaderCase => ({
    mutation,
    path: key === undefined ? "headers" : `headers/${key}`,
    headers,
    expect: amqpHeadersVerdict(headers, frameMaxBytes),
  });
  const word = fc.string({ minLength: 1, maxLength: 12 });
  const bytes = fc.uint8Array({ maxLength: 64 });

  const cases: Array<fc.Arbitrary<HeaderCase>> = [
    fc.tuple(word, fc.array(fc.oneof(word, fc.integer(), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.boolean(), bytes), { maxLength: 8 })).map(([text, items]) =>
      make("headers.array", "x-items", {
        "x-items": [...items, "", text, 0, -1, 127, 128, -32_769, 2 ** 31, 2 ** 53, -(2 ** 62), 0.5, true, [], {}, [[text]], { inner: [text] }],
      }),
    ),
    word.map((leaf) => make("headers.nested-table", "x-nested", { "x-nested": nestedTable(nestingDepth, leaf) })),
    word.map((leaf) => make("headers.nested-array", "x-nested", { "x-nested": nestedArray(nestingDepth, leaf) })),
    fc.constantFrom("x", "é", "\u{1F4A3}", "\u0000", "\u202E").map((unit) => make("headers.long-string", "x-long", { "x-long": stringOfBytes(longStringBytes, unit) })),
    fc.tuple(bytes, fc.nat(255)).map(([random, byte]) =>
      make("headers.binary", "x-binary", {
        "x-binary": random,
        "x-binary-empty": new Uint8Array(0),
        "x-binary-invalid-utf8": Uint8Array.of(0xc3, 0x28, 0xff, 0xfe, 0x00, byte),
        "x-binary-array": [random, Uint8Array.of(byte)],
      }),
    ),
    word.map((value) => make("headers.many-keys", undefined, Object.fromEntries(Array.from({ length: manyKeys }, (_, i) => [`x-key-${i}`, i % 2 === 0 ? value : i])))),
    fc.constantFrom(...ODD_KEYS).map((key) => make("headers.odd-key", key, Object.fromEntries([[key, "value"], [`${key}-nested`, { [key]: key }]]))),
    fc.constant(null).map(() => make("headers.near-frame-max", "x-fill", tableOfSize("x-fill", Math.min(AMQPLIB_TABLE_LIMIT_BYTES, frameMaxBytes - HEADER_FRAME_RESERVE_BYTES)))),
    fc.constant(null).map(() => make("headers.over-frame-max", "x-fill", tableOfSize("x-fill", frameMaxBytes + 1))),
    fc.constant(null).map(() => make("headers.over-client-limit", "x-fill", tableOfSize("x-fill", AMQPLIB_TABLE_LIMIT_BYTES + 1))),
    fc.constant(null).map(() => make("headers.key-too-long", "k".repeat(MAX_KEY_BYTES + 1), { ["k".repeat(MAX_KEY_BYTES + 1)]: "value" })),
  ];
  return fc.oneof(...cases);
}

/**
 * Returns an arbitrary of `headers` samples: each payload from `payloads`
 * (normally the `valid` class) sent with an adversarial header table from
 * fromAmqpHeaders. A sample is `accept` when its payload is and the table
 * can be carried, so a correct consumer processes it despite odd headers.
 */
export function withAmqpHeaders(payloads: fc.Arbitrary<Sample>, options: AmqpHeadersOptions = {}): fc.Arbitrary<Sample> {
  return fc.tuple(payloads, fromAmqpHeaders(options)).map(([payload, headerCase]): Sample => {
    const sample: Sample = {
      class: "headers",
      mutation: headerCase.mutation,
      path: headerCase.path,
      expect: payload.expect === "accept" && headerCase.expect === "accept" ? "accept" : "reject",
      bytes: payload.bytes,
      headers: { ...payload.headers, ...headerCase.headers },
    };
    if (payload.value !== undefined) sample.value = payload.value;
    return sample;
  });
}
