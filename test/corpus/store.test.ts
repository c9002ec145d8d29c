import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Sample } from "../../generators/sample.ts";
import { addFindingToCorpus } from "../../harness/corpus/from-finding.ts";
import { payloadTypeOf } from "../../harness/corpus/payload-type.ts";
import { readCase, readCorpus, writeCase } from "../../harness/corpus/store.ts";
import { CORPUS_FORMAT_VERSION, type CorpusCase } from "../../harness/corpus/types.ts";
import { ConfigError } from "../../harness/errors.ts";
import type { Finding } from "../../harness/findings/types.ts";
import type { Scenario } from "../../harness/scenario/types.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "poisonpill-corpus-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sample = (text: string, headers?: Sample["headers"]): Sample => ({ class: "valid", mutation: "valid.generated", path: "", expect: "accept", bytes: Buffer.from(text), headers });

function twoMessageCase(id = "invariant-abc"): CorpusCase {
  return {
    id,
    scenario: "inventory",
    payloadType: "json-schema:order.schema.json",
    detector: "invariant",
    signature: "invariant:stock",
    source: { kind: "import", from: "file dump.bin" },
    messages: [
      { file: "message-001.bin", class: "valid", mutation: "valid.generated", path: "", expect: "accept" },
      { file: "payload.bin", class: "valid", mutation: "valid.generated", path: "", expect: "accept", headers: { "x-trace": "t1", "x-raw": Buffer.from([0, 255]) } },
    ],
    addedAt: "2026-01-01T00:00:00.000Z",
  };
}

const scenario = { name: "inventory", schema: { jsonSchema: "../schemas/order.schema.json" } } as unknown as Scenario;

function finding(base64: string): Finding {
  return {
    id: "crash-0123456789",
    detector: "crash",
    signature: "crash:exit=1",
    reproduced: true,
    count: 3,
    seed: 7,
    culprit: { samplePath: "4:0", class: "corrupt", mutation: "corrupt.truncate", path: "", expect: "reject", base64 },
    messages: [{ samplePath: "4:0", class: "corrupt", mutation: "corrupt.truncate", path: "", expect: "reject", base64 }],
    evidence: {},
    dir: "/tmp/x",
    replayCommand: "npx poisonpill replay x",
    scenarioName: "inventory",
    scenarioFile: join(dir, "..", "inventory.ts"),
    detectedAt: "2026-01-01T00:00:00.000Z",
  };
}

describe("corpus case files", () => {
  it("round-trips payloads and binary headers", async () => {
    await writeCase(dir, twoMessageCase(), [sample("first"), sample("second")], Buffer.from("the original"));
    const stored = await readCase(join(dir, "invariant-abc"));
    expect(stored.samples.map((s) => Buffer.from(s.bytes).toString())).toEqual(["first", "second"]);
    expect(stored.samples[1]!.headers!["x-trace"]).toBe("t1");
    expect(Buffer.from(stored.samples[1]!.headers!["x-raw"] as Uint8Array)).toEqual(Buffer.from([0, 255]));
    expect(stored.case.signature).toBe("invariant:stock");
  });

  it("writes format, version and payload files", async () => {
    await writeCase(dir, twoMessageCase(), [sample("first"), sample("second")]);
    const document = JSON.parse(await readFile(join(dir, "invariant-abc", "case.json"), "utf8")) as Record<string, unknown>;
    expect(document.format).toBe("poisonpill-corpus-case");
    expect(document.version).toBe(CORPUS_FORMAT_VERSION);
    expect((await readdir(join(dir, "invariant-abc"))).sort()).toEqual(["case.json", "message-001.bin", "payload.bin"]);
  });

  it("replaces a case without leftovers", async () => {
    await writeCase(dir, twoMessageCase(), [sample("first"), sample("second")]);
    await writeCase(dir, twoMessageCase(), [sample("one"), sample("two")]);
    expect(await readdir(dir)).toEqual(["invariant-abc"]);
    const stored = await readCase(join(dir, "invariant-abc"));
    expect(Buffer.from(stored.samples[1]!.bytes).toString()).toBe("two");
  });

  it("rejects another format version", async () => {
    await writeCase(dir, twoMessageCase(), [sample("first"), sample("second")]);
    const file = join(dir, "invariant-abc", "case.json");
    const document = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...document, version: 99 }));
    await expect(readCase(join(dir, "invariant-abc"))).rejects.toThrow(/format version 99/);
    await expect(readCase(join(dir, "invariant-abc"))).rejects.toBeInstanceOf(ConfigError);
  });

  it("rejects message files outside the case", async () => {
    const kase = twoMessageCase();
    await writeCase(dir, kase, [sample("first"), sample("second")]);
    const file = join(dir, "invariant-abc", "case.json");
    const document = JSON.parse(await readFile(file, "utf8")) as { messages: { file: string }[] };
    document.messages[0]!.file = "../../etc/passwd";
    await writeFile(file, JSON.stringify(document));
    await expect(readCase(join(dir, "invariant-abc"))).rejects.toThrow(/plain file name/);
  });
});

describe("readCorpus", () => {
  it("skips a case removed while reading", async () => {
    await writeCase(dir, twoMessageCase("a-case"), [sample("1"), sample("2")]);
    await mkdir(join(dir, "b-case"));
    expect((await readCorpus(dir)).map((stored) => stored.case.id)).toEqual(["a-case"]);
  });

  it("treats a missing directory as empty", async () => {
    expect(await readCorpus(join(dir, "absent"))).toEqual([]);
  });

  it("skips unfinished writes and sorts by id", async () => {
    await writeCase(dir, twoMessageCase("b-case"), [sample("1"), sample("2")]);
    await writeCase(dir, twoMessageCase("a-case"), [sample("1"), sample("2")]);
    await mkdir(join(dir, ".c-case.tmp-1-2"));
    await writeCase(dir, twoMessageCase("a-case.old-12-34"), [sample("1"), sample("2")]);
    expect((await readCorpus(dir)).map((stored) => stored.case.id)).toEqual(["a-case", "b-case"]);
  });
});

describe("addFindingToCorpus", () => {
  it("adds a finding with its seed and path", async () => {
    const result = await addFindingToCorpus(dir, finding(Buffer.from("{").toString("base64")), scenario);
    expect(result.outcome).toBe("added");
    const stored = await readCase(result.dir);
    expect(stored.case.source).toEqual({ kind: "finding", findingId: "crash-0123456789", seed: 7, samplePath: "4:0" });
    expect(stored.case.payloadType).toBe("json-schema:order.schema.json");
    expect(stored.case.scenarioFile).toBe(join("..", "..", "inventory.ts"));
  });

  it("keeps a smaller existing case", async () => {
    await addFindingToCorpus(dir, finding(Buffer.from("{").toString("base64")), scenario);
    const result = await addFindingToCorpus(dir, finding(Buffer.from("{{{{").toString("base64")), scenario);
    expect(result.outcome).toBe("kept");
    expect(Buffer.from((await readCase(result.dir)).samples[0]!.bytes).toString()).toBe("{");
  });

  it("replaces a larger existing case", async () => {
    await addFindingToCorpus(dir, finding(Buffer.from("{{{{").toString("base64")), scenario);
    const result = await addFindingToCorpus(dir, finding(Buffer.from("{").toString("base64")), scenario);
    expect(result.outcome).toBe("replaced");
  });
});

describe("payloadTypeOf", () => {
  it("names schema files and proto types", () => {
    expect(payloadTypeOf(scenario)).toBe("json-schema:order.schema.json");
    expect(payloadTypeOf({ ...scenario, schema: { proto: "x.proto", type: ".shop.Order" } })).toBe("protobuf:shop.Order");
    expect(payloadTypeOf({ ...scenario, schema: { jsonSchema: { $id: "urn:order" } } })).toBe("json-schema:urn:order");
    expect(payloadTypeOf({ ...scenario, schema: { jsonSchema: { type: "object" } } })).toMatch(/^json-schema:inline-[0-9a-f]{10}$/);
  });
});
