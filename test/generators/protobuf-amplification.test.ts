/**
 * Measures how much heap the decoded `oversized` samples take. The decode
 * runs in a child `node --expose-gc` process, so that garbage collection can
 * be forced before and after and no other test's allocations interfere.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";

import { fromProtobuf, loadProtoType } from "../../generators/protobuf/index.ts";

const REPO = path.resolve(import.meta.dirname, "../..");
const FIXTURES = path.join(REPO, "fixtures/proto");
const workDir = mkdtempSync(path.join(tmpdir(), "poisonpill-amplification-"));

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/**
 * Decodes one bytes file and prints the retained heap growth. The decoder is
 * compiled by a first, empty decode before the baseline, and the decoded
 * message stays referenced until after the second measurement.
 */
const MEASURE = `
const fs = require("node:fs");
const protobuf = require("protobufjs");
const [schemaPath, typeName, file] = process.argv.slice(1);
const type = protobuf.Root.fromJSON(JSON.parse(fs.readFileSync(schemaPath, "utf8"))).lookupType(typeName);
const bytes = fs.readFileSync(file);
type.decode(bytes.subarray(0, 0));
globalThis.gc();
globalThis.gc();
const before = process.memoryUsage().heapUsed;
const decoded = type.decode(bytes);
globalThis.gc();
globalThis.gc();
const after = process.memoryUsage().heapUsed;
process.stdout.write(JSON.stringify({ encodedBytes: bytes.length, heapGrowthBytes: after - before, fields: Object.keys(decoded).length }));
`;

interface Measurement {
  encodedBytes: number;
  heapGrowthBytes: number;
}

/** Runs MEASURE in a fresh process per sample, so one decode's garbage cannot skew the next. */
function measure(schemaPath: string, typeName: string, samplePath: string): Measurement {
  const child = spawnSync(process.execPath, ["--expose-gc", "-e", MEASURE, schemaPath, typeName, samplePath], {
    cwd: REPO,
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout) as Measurement;
}

describe.each([
  ["kitchen_sink.proto", "kitchen.KitchenSink", ["oversized.packed-varint64", "oversized.empty-messages", "oversized.empty-bytes"]],
  ["orders.proto", "shop.Order", ["oversized.empty-messages"]],
])("oversized samples of %s", (file, typeName, mutations) => {
  it("grow the heap by at least ten times their size", () => {
    const type = loadProtoType(path.join(FIXTURES, file), typeName);
    const samples = fc.sample(fromProtobuf(type, { classes: ["oversized"] }), { numRuns: 30, seed: 7 });

    const schemaPath = path.join(workDir, `${typeName}.json`);
    writeFileSync(schemaPath, JSON.stringify(type.root.toJSON()));

    for (const mutation of mutations) {
      const sample = samples.find((candidate) => candidate.mutation === mutation);
      expect(sample, mutation).toBeDefined();
      expect(sample!.expect).toBe("accept");
      const samplePath = path.join(workDir, `${typeName}-${mutation}.bin`);
      writeFileSync(samplePath, sample!.bytes);

      const result = measure(schemaPath, typeName, samplePath);
      const ratio = result.heapGrowthBytes / result.encodedBytes;
      expect(ratio, `${mutation}: ${result.heapGrowthBytes} heap bytes for ${result.encodedBytes} encoded`).toBeGreaterThanOrEqual(10);
    }
  });
});
