import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Sample } from "../../generators/sample.ts";
import type { Observation } from "../../harness/run/observe.ts";
import { SampleSource } from "../../harness/scenario/sample-source.ts";
import { isSmaller, shrinkReproducer } from "../../harness/triage/shrink-reproducer.ts";

const limits = { maxReplays: 100, maxTimeMs: 30_000 };
const seed = 5;

/** Samples whose payload grows as fast-check shrinks the integer toward 0: `n` gives 100 - n bytes. */
const growing = fc.integer({ min: 1, max: 90 }).map((n): Sample => ({
  class: "violation",
  mutation: "violation.grow",
  path: "/n",
  expect: "reject",
  bytes: Buffer.from("x".repeat(100 - n)),
}));

const failure = (outputTail: string): Observation => ({ kind: "failure", detector: "crash", signature: "crash:test", evidence: { exitCode: 1, outputTail } });

describe("shrinkReproducer", () => {
  const source = new SampleSource(growing);
  const [original] = source.range(seed, 0, 1);

  it("keeps the original when shrinking would grow it", async () => {
    let replays = 0;
    const result = await shrinkReproducer({ prefix: [], culprit: original!, samplePath: "0", seed, source, protobuf: false }, "crash:test", async () => {
      replays += 1;
      return failure("any");
    }, limits);
    expect(replays).toBeGreaterThan(0);
    expect(result.smaller).toBe(false);
    expect(result.culprit).toBe(original);
    expect(result.samplePath).toBe("0");
    expect(result.observation).toBeUndefined();
  });

  it("returns the replay of the smaller culprit", async () => {
    const captured: Sample = { class: "valid", mutation: "captured", path: "", expect: "reject", bytes: Buffer.from("abcdefgh") };
    const result = await shrinkReproducer({ prefix: [], culprit: captured, protobuf: false }, "crash:test", async (samples) => {
      const bytes = Buffer.from(samples.at(-1)!.bytes).toString();
      return bytes.includes("d") ? failure(`replayed ${bytes}`) : { kind: "ok" };
    }, limits);
    expect(result.smaller).toBe(true);
    expect(Buffer.from(result.culprit.bytes).toString()).toBe("d");
    expect(result.observation?.evidence.outputTail).toBe("replayed d");
  });
});

describe("isSmaller", () => {
  const sample = (bytes: string, headers?: Record<string, string>): Sample => ({ class: "valid", mutation: "m", path: "", expect: "accept", bytes: Buffer.from(bytes), headers });

  it("compares payload bytes first", () => {
    expect(isSmaller(sample("ab"), sample("abc"))).toBe(true);
    expect(isSmaller(sample("abcd", {}), sample("abc", { a: "long header" }))).toBe(false);
  });

  it("breaks a tie by header size", () => {
    expect(isSmaller(sample("ab", { a: "1" }), sample("ab", { a: "123" }))).toBe(true);
    expect(isSmaller(sample("ab"), sample("ab"))).toBe(false);
  });
});
