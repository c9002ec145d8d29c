import { describe, expect, it } from "vitest";
import { crashSignature, findingId, normalizeStack } from "../../harness/findings/signature.ts";

const crashA = `rejected order: invalid quantity
file:///work/main/fixtures/consumers/inventory-vulnerable.mjs:19
  const order = JSON.parse(message.string());
                     ^

SyntaxError: Unexpected token 'a', "abc" is not valid JSON
    at JSON.parse (<anonymous>)
    at file:///work/main/fixtures/consumers/inventory-vulnerable.mjs:19:22
    at runWorker (file:///work/main/fixtures/consumers/jetstream-worker.mjs:27:11)
    at async file:///work/main/fixtures/consumers/inventory-vulnerable.mjs:18:1

Node.js v20.20.2`;

const crashB = crashA.replace(`Unexpected token 'a', "abc" is not valid JSON`, "Unexpected end of JSON input").replace(":19:22", ":21:7").replace("/work/main/", "/tmp/other/");

describe("crash signature", () => {
  it("keeps the error type and top frames", () => {
    expect(normalizeStack(crashA)).toBe("SyntaxError < JSON.parse (<anonymous>) < inventory-vulnerable.mjs < runWorker (jetstream-worker.mjs)");
  });

  it("is the same for different payloads, lines and directories", () => {
    expect(crashSignature(1, null, crashA)).toBe(crashSignature(1, null, crashB));
  });

  it("differs by exit code and by signal", () => {
    expect(crashSignature(1, null, crashA)).not.toBe(crashSignature(2, null, crashA));
    expect(crashSignature(null, "SIGSEGV", "")).toBe("crash:signal=SIGSEGV");
  });

  it("uses the last stack trace in the output", () => {
    const earlier = "TypeError: x\n    at first (a.js:1:1)\nrecovered\n";
    expect(normalizeStack(earlier + crashA)).toContain("SyntaxError");
  });

  it("gives stable ids", () => {
    expect(findingId("crash", "crash:exit=1")).toMatch(/^crash-[0-9a-f]{10}$/);
    expect(findingId("crash", "crash:exit=1")).toBe(findingId("crash", "crash:exit=1"));
  });
});
