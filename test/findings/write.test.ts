import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Finding } from "../../harness/findings/types.ts";
import { writeFinding } from "../../harness/findings/write.ts";
import { readFinding } from "../../harness/run/replay-finding.ts";

const directory = mkdtempSync(join(tmpdir(), "poisonpill-findings-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function findingWithHeaders(): Finding {
  const message = {
    samplePath: "3",
    class: "headers" as const,
    mutation: "headers.binary",
    path: "",
    expect: "accept" as const,
    base64: Buffer.from("{}").toString("base64"),
    headers: { blob: new Uint8Array([0, 255, 7]), nested: { list: [1, "two", Buffer.from([9])] } },
  };
  return {
    id: "crash-0123456789",
    detector: "crash",
    signature: "crash:exit=1",
    reproduced: true,
    count: 1,
    seed: 1,
    culprit: message,
    messages: [message],
    evidence: {},
    dir: join(directory, "findings", "crash-0123456789"),
    replayCommand: "npx poisonpill replay x",
    scenarioName: "s",
    detectedAt: new Date(0).toISOString(),
  };
}

describe("finding files", () => {
  it("keep binary header values", async () => {
    const findingsDir = join(directory, "findings");
    await writeFinding(findingsDir, findingWithHeaders());

    const read = await readFinding(join(findingsDir, "crash-0123456789"));
    const headers = read.messages[0]!.headers!;
    expect(Buffer.from(headers.blob as Uint8Array)).toEqual(Buffer.from([0, 255, 7]));
    const nested = headers.nested as { list: unknown[] };
    expect(nested.list[1]).toBe("two");
    expect(Buffer.from(nested.list[2] as Uint8Array)).toEqual(Buffer.from([9]));
  });

  it("write headers.json in JSON form", async () => {
    const file = join(directory, "findings", "crash-0123456789", "headers.json");
    expect(JSON.parse(readFileSync(file, "utf8")).blob).toEqual({ $base64: Buffer.from([0, 255, 7]).toString("base64") });
  });
});
