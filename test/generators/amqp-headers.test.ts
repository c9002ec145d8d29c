import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AMQPLIB_TABLE_LIMIT_BYTES, amqpHeadersVerdict, fieldTableBytes, fromAmqpHeaders, withAmqpHeaders, type HeaderCase } from "../../generators/headers/index.ts";
import type { HeaderValue, Sample } from "../../generators/sample.ts";
import { toAmqpHeaders } from "../../harness/brokers/rabbitmq.ts";
import { createRequire } from "node:module";

// amqplib's package exports hide its codec; the table encoder is loaded by file path to compare sizes with it.
const require = createRequire(import.meta.url);
const { encodeTable } = require(require.resolve("amqplib").replace(/channel_api\.js$|index\.js$/, "lib/codec.js")) as { encodeTable: (buffer: Buffer, value: unknown, offset: number) => number };

const validPayload: fc.Arbitrary<Sample> = fc.constant({ class: "valid", mutation: "valid.generated", path: "", expect: "accept", value: {}, bytes: new TextEncoder().encode("{}") });

function casesByMutation(options = {}, count = 400): Map<string, HeaderCase> {
  const byMutation = new Map<string, HeaderCase>();
  for (const headerCase of fc.sample(fromAmqpHeaders(options), { seed: 7, numRuns: count })) byMutation.set(headerCase.mutation, headerCase);
  return byMutation;
}

function depthOf(value: HeaderValue): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (typeof value === "object" && !(value instanceof Uint8Array)) return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

describe("fromAmqpHeaders", () => {
  it("produces every adversarial case", () => {
    expect([...casesByMutation().keys()].sort()).toEqual([
      "headers.array",
      "headers.binary",
      "headers.key-too-long",
      "headers.many-keys",
      "headers.near-frame-max",
      "headers.nested-array",
      "headers.nested-table",
      "headers.odd-key",
      "headers.over-client-limit",
      "headers.over-frame-max",
      "headers.long-string",
    ].sort());
  });

  it("sizes tables as amqplib encodes them", () => {
    const buffer = Buffer.alloc(AMQPLIB_TABLE_LIMIT_BYTES);
    for (const headerCase of fc.sample(fromAmqpHeaders({ nestingDepth: 20 }), { seed: 3, numRuns: 300 })) {
      if (headerCase.expect === "reject") continue;
      expect(encodeTable(buffer, toAmqpHeaders(headerCase.headers), 0), headerCase.mutation).toBe(fieldTableBytes(headerCase.headers));
    }
  });

  it("labels what amqplib cannot encode as reject", () => {
    const buffer = Buffer.alloc(AMQPLIB_TABLE_LIMIT_BYTES);
    const cases = casesByMutation();
    for (const mutation of ["headers.over-client-limit", "headers.over-frame-max", "headers.key-too-long"]) {
      const headerCase = cases.get(mutation)!;
      expect(headerCase.expect, mutation).toBe("reject");
      expect(() => encodeTable(buffer, toAmqpHeaders(headerCase.headers), 0), mutation).toThrow(RangeError);
    }
  });

  it("keeps the near-frame-max table under both limits", () => {
    const headerCase = casesByMutation({ frameMaxBytes: 8_192 }).get("headers.near-frame-max")!;
    expect(headerCase.expect).toBe("accept");
    expect(fieldTableBytes(headerCase.headers)).toBeLessThanOrEqual(8_192 - 512);
    expect(fieldTableBytes(headerCase.headers)).toBeGreaterThan(8_192 - 1_024);
  });

  it("rejects tables over a small frame_max", () => {
    const headerCase = casesByMutation({ frameMaxBytes: 8_192, longStringBytes: 10_000 }).get("headers.long-string")!;
    expect(headerCase.expect).toBe("reject");
    expect(amqpHeadersVerdict(headerCase.headers, 131_072)).toBe("accept");
  });

  it("nests tables and arrays to nestingDepth", () => {
    const cases = casesByMutation({ nestingDepth: 50 });
    expect(depthOf(cases.get("headers.nested-table")!.headers)).toBe(51);
    expect(depthOf(cases.get("headers.nested-array")!.headers)).toBe(51);
  });

  it("carries binary values as Uint8Array", () => {
    const headers = casesByMutation().get("headers.binary")!.headers;
    expect(headers["x-binary-invalid-utf8"]).toBeInstanceOf(Uint8Array);
    expect(headers["x-binary-empty"]).toEqual(new Uint8Array(0));
  });

  it("keeps prototype keys as own properties", () => {
    const keys = fc.sample(fromAmqpHeaders(), { seed: 11, numRuns: 600 }).filter((c) => c.mutation === "headers.odd-key").flatMap((c) => Object.keys(c.headers));
    expect(keys).toContain("__proto__");
  });

  it("rejects invalid options", () => {
    expect(() => fromAmqpHeaders({ frameMaxBytes: 1_000 })).toThrow(/frameMaxBytes must be an integer >= 4096, got 1000/);
    expect(() => fromAmqpHeaders({ nestingDepth: 0 })).toThrow(/nestingDepth/);
  });
});

describe("withAmqpHeaders", () => {
  it("labels valid payloads by their headers", () => {
    for (const sample of fc.sample(withAmqpHeaders(validPayload), { seed: 5, numRuns: 200 })) {
      expect(sample.class).toBe("headers");
      expect(sample.mutation.startsWith("headers.")).toBe(true);
      expect(sample.expect).toBe(amqpHeadersVerdict(sample.headers!, 131_072));
      expect(new TextDecoder().decode(sample.bytes)).toBe("{}");
    }
  });

  it("keeps a rejected payload rejected", () => {
    const corrupt = fc.constant<Sample>({ class: "corrupt", mutation: "corrupt.truncate", path: "", expect: "reject", bytes: Uint8Array.of(0x7b) });
    for (const sample of fc.sample(withAmqpHeaders(corrupt), { seed: 5, numRuns: 50 })) expect(sample.expect).toBe("reject");
  });
});
