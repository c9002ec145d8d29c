import { gzipSync } from "node:zlib";

import type { Candidate } from "./candidates.ts";
import { replaceAt } from "./json-value.ts";
import { toJsonText, utf8 } from "./json-text.ts";
import type { ValueLocation } from "./locations.ts";
import type { ContentEncoding } from "./options.ts";

export interface OversizedLimits {
  /** The broker's payload limit, in bytes. */
  maxPayloadBytes: number;
  nestingDepth: number;
  numberDigits: number;
  contentEncoding: ContentEncoding;
}

/** A string no generated value contains, replaced in the JSON text after serialization. */
const SLOT = "\u0000poisonpill-slot\u0000";
const SLOT_TEXT = JSON.stringify(SLOT);

/** Decompressed size of one gzip member of a bomb: 1 MiB of one byte compresses to about 1 KiB. */
const BOMB_MEMBER_BYTES = 1 << 20;

/**
 * Wire size of a decompression bomb before the broker limit caps it: about
 * 100 members. A consumer that inflates it without a limit allocates about
 * 100 MiB, which shows in its memory without taking down a test machine.
 */
const BOMB_TARGET_BYTES = 100 * 1024;

/**
 * Serializes `root` with the value at `path` replaced by text that
 * `fill(room)` writes in `room` bytes, so the whole payload is exactly
 * `totalBytes` long. Returns undefined when the rest of the value already
 * leaves less than `minRoom` bytes.
 */
function sizedText(root: unknown, path: string, totalBytes: number, minRoom: number, fill: (room: number) => string): Uint8Array | undefined {
  const text = toJsonText(path === "" ? SLOT : replaceAt(root, path, SLOT));
  const at = text.indexOf(SLOT_TEXT);
  const head = text.slice(0, at);
  const tail = text.slice(at + SLOT_TEXT.length);
  const room = totalBytes - utf8(head).length - utf8(tail).length;
  if (room < minRoom) return undefined;
  return utf8(head + fill(room) + tail);
}

/** A JSON string literal of exactly `room` bytes (room >= 2). */
const stringOf = (room: number) => `"${"x".repeat(room - 2)}"`;

/** Writes a JSON array of zeros of exactly `room` bytes (room >= 2), with one space when the room is even. */
function arrayOf(room: number): string {
  if (room < 3) return "[]";
  const count = Math.floor((room - 1) / 2);
  const padding = room - (2 * count + 1);
  return `[${" ".repeat(padding)}${"0,".repeat(count - 1)}0]`;
}

function longDigits(count: number): string {
  return "1234567890".repeat(Math.ceil(count / 10)).slice(0, count).replace(/^0/, "1");
}

let bombMember: Buffer | undefined;

/**
 * gzip stream of `totalBytes` bytes that inflates to a JSON string of about
 * 1000 times its size: gzip members concatenated, each 1 MiB of one
 * character, opened and closed by members that hold the quotes. Decoders
 * that follow RFC 1952 (zlib, Node's gunzip) read every member.
 */
function gzipBomb(totalBytes: number): Uint8Array {
  const open = gzipSync(utf8('{"padding":"'), { level: 9 });
  const close = gzipSync(utf8('"}'), { level: 9 });
  // The member is the same every time, and compressing 1 MiB at level 9 costs more than the rest of the sample.
  bombMember ??= gzipSync(Buffer.alloc(BOMB_MEMBER_BYTES, 0x61), { level: 9 });
  const member = bombMember;
  const count = Math.max(1, Math.floor((totalBytes - open.length - close.length) / member.length));
  return Buffer.concat([open, ...Array.from({ length: count }, () => member), close]);
}

/** Compresses with stored blocks only, so the wire size is the input size plus a fixed overhead. */
function storedGzip(bytes: Uint8Array): Uint8Array {
  return gzipSync(bytes, { level: 0 });
}

/**
 * Lists payloads sized from the broker's limit. They are: exactly the limit,
 * one byte over (the broker must reject it), a string and an array that leave
 * the payload one byte under the limit, deep nesting, and a number with a
 * very long digit string. All sizes count the wire bytes: with gzip the JSON is
 * compressed with stored (uncompressed) deflate blocks and sized to match.
 */
export function oversizedCandidates(root: unknown, locations: readonly ValueLocation[], limits: OversizedLimits): Candidate[] {
  const { maxPayloadBytes, contentEncoding } = limits;
  const gzip = contentEncoding === "gzip";
  const wire = (bytes: Uint8Array) => (gzip ? storedGzip(bytes) : bytes);
  // Stored deflate adds 18 bytes of gzip framing plus a few bytes per block; the loop below finds the exact JSON size.
  const jsonBudget = (wireBytes: number) => (gzip ? wireBytes - 18 - 5 * Math.ceil(wireBytes / 16_000) : wireBytes);

  /**
   * Wire bytes of `wireBytes` length, or the closest below when stored
   * blocks make that size unreachable. Identity encoding is exact at once.
   */
  const fitted = (path: string, wireBytes: number, minRoom: number, fill: (room: number) => string): Uint8Array | undefined => {
    let jsonBytes = jsonBudget(wireBytes);
    let best: Uint8Array | undefined;
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const json = sizedText(root, path, jsonBytes, minRoom, fill);
      if (json === undefined) return best;
      const bytes = wire(json);
      if (bytes.length <= wireBytes && (best === undefined || bytes.length > best.length)) best = bytes;
      if (bytes.length === wireBytes) return bytes;
      jsonBytes -= bytes.length - wireBytes;
    }
    return best;
  };

  const strings = locations.filter((location) => typeof location.value === "string").map((location) => location.path);
  const arrays = locations.filter((location) => Array.isArray(location.value)).map((location) => location.path);
  const numbers = locations.filter((location) => typeof location.value === "number").map((location) => location.path);
  const stringPaths = strings.length > 0 ? strings : [""];
  const arrayPaths = arrays.length > 0 ? arrays : [""];
  const numberPaths = numbers.length > 0 ? numbers : [""];

  const candidates: Candidate[] = [];
  const sized = (mutation: string, path: string, wireBytes: number, minRoom: number, fill: (room: number) => string) => {
    // Built lazily: only the candidate a draw picks pays for a payload near the limit.
    if (sizedText(root, path, jsonBudget(wireBytes), minRoom, () => "") === undefined) return;
    candidates.push({ mutation, path, build: () => ({ bytes: fitted(path, wireBytes, minRoom, fill) ?? new Uint8Array(0) }) });
  };

  for (const path of stringPaths) {
    sized("oversized.max-payload", path, maxPayloadBytes, 2, stringOf);
    sized("oversized.over-limit", path, maxPayloadBytes + 1, 2, stringOf);
    sized("oversized.long-string", path, maxPayloadBytes - 1, 2, stringOf);
  }
  for (const path of arrayPaths) sized("oversized.long-array", path, maxPayloadBytes - 1, 2, arrayOf);

  const budget = jsonBudget(maxPayloadBytes);
  const arrayDepth = Math.max(1, Math.min(limits.nestingDepth, Math.floor(budget / 2)));
  const objectDepth = Math.max(1, Math.min(limits.nestingDepth, Math.floor((budget - 4) / 6)));
  candidates.push({ mutation: "oversized.deep-nesting", path: "", build: () => ({ bytes: wire(utf8("[".repeat(arrayDepth) + "]".repeat(arrayDepth))) }) });
  candidates.push({ mutation: "oversized.deep-nesting", path: "", build: () => ({ bytes: wire(utf8('{"a":'.repeat(objectDepth) + "null" + "}".repeat(objectDepth))) }) });

  for (const path of numberPaths) {
    for (const sign of ["", "-"]) {
      // The digits take what room is left, up to numberDigits; the payload stays within the limit.
      const fill = (room: number) => sign + longDigits(Math.min(limits.numberDigits, room - sign.length));
      if (sizedText(root, path, budget, sign.length + 1, () => "") === undefined) continue;
      candidates.push({ mutation: "oversized.long-number", path, build: () => ({ bytes: wire(sizedText(root, path, budget, sign.length + 1, fill)!) }) });
    }
  }

  if (gzip) {
    const bombBytes = Math.min(BOMB_TARGET_BYTES, maxPayloadBytes);
    candidates.push({ mutation: "oversized.gzip-bomb", path: "", build: () => ({ bytes: gzipBomb(bombBytes) }) });
  }
  return candidates;
}
