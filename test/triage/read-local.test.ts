import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../harness/errors.ts";
import { capturedFromBase64, capturedFromHex, capturedFromJsonFile } from "../../harness/import/read-local.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "poisonpill-read-local-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function jsonFile(content: string): Promise<string> {
  const file = join(dir, "message.json");
  await writeFile(file, content);
  return file;
}

describe("capturedFromBase64", () => {
  it("decodes standard and URL-safe base64", () => {
    expect(Buffer.from(capturedFromBase64("+/8=").bytes)).toEqual(Buffer.from([0xfb, 0xff]));
    expect(Buffer.from(capturedFromBase64("-_8").bytes)).toEqual(Buffer.from([0xfb, 0xff]));
  });

  it("rejects other characters", () => {
    expect(() => capturedFromBase64("not base64!")).toThrow(ConfigError);
  });
});

describe("capturedFromHex", () => {
  it("ignores 0x and whitespace", () => {
    expect(Buffer.from(capturedFromHex("0x7b 7d").bytes).toString()).toBe("{}");
  });

  it("rejects an odd digit count", () => {
    expect(() => capturedFromHex("7b7")).toThrow(/odd number of hex digits \(3\)/);
  });

  it("names characters that are not hex", () => {
    expect(() => capturedFromHex("zz")).toThrow('--hex contains characters that are not hex digits ("z"): "zz"');
    expect(() => capturedFromHex("7bxg")).toThrow(/\("x", "g"\)/);
  });

  it("rejects an empty body", () => {
    expect(() => capturedFromHex("0x")).toThrow("--hex is empty");
  });
});

describe("capturedFromJsonFile", () => {
  it("takes a string body as text", async () => {
    const message = await capturedFromJsonFile(await jsonFile(JSON.stringify({ body: "{not json" })));
    expect(Buffer.from(message.bytes).toString()).toBe("{not json");
    expect(message.headers).toBeUndefined();
  });

  it("serializes an object body", async () => {
    const message = await capturedFromJsonFile(await jsonFile(JSON.stringify({ body: { a: [1, 2] }, headers: { "x-id": 3 } })));
    expect(Buffer.from(message.bytes).toString()).toBe('{"a":[1,2]}');
    expect(message.headers).toEqual({ "x-id": 3 });
  });

  it("decodes bodyBase64", async () => {
    const message = await capturedFromJsonFile(await jsonFile(JSON.stringify({ bodyBase64: "AAEC" })));
    expect(Buffer.from(message.bytes)).toEqual(Buffer.from([0, 1, 2]));
  });

  it("rejects both body fields", async () => {
    await expect(capturedFromJsonFile(await jsonFile(JSON.stringify({ body: "a", bodyBase64: "AA==" })))).rejects.toThrow(/exactly one of "body" and "bodyBase64"/);
  });

  it("rejects null headers", async () => {
    await expect(capturedFromJsonFile(await jsonFile(JSON.stringify({ body: "a", headers: { x: null } })))).rejects.toThrow(/"headers"/);
  });

  it("rejects invalid JSON", async () => {
    await expect(capturedFromJsonFile(await jsonFile("{"))).rejects.toThrow(/is not valid JSON/);
  });
});
