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

  it("ignores library frames", () => {
    const first = `Error: invalid wire type 7 at offset 3
    at Reader.skipType (file:///app/node_modules/protobufjs/src/reader.js:378:19)
    at Type.Order$decode [as decode] (eval at Codegen (file:///app/node_modules/@protobufjs/codegen/index.js:50:33), <anonymous>:27:5)
    at Type.decode_setup [as decode] (file:///app/node_modules/protobufjs/src/type.js:510:25)
    at handle (file:///app/orders.mjs:12:20)
    at run (file:///app/worker.mjs:30:11)`;
    const later = first.replace(/\n\s+at Type\.decode_setup[^\n]*/, "");
    expect(crashSignature(1, null, first)).toBe(crashSignature(1, null, later));
    expect(normalizeStack(later)).toBe("Error < handle (orders.mjs) < run (worker.mjs)");
  });

  it("drops the opening of printed error properties", () => {
    const withProperties = "TypeError: bad\n    at handle (file:///app/a.mjs:3:9)\n    at async file:///app/a.mjs:23:1 {\n  code: 'X'\n}";
    expect(normalizeStack(withProperties)).toBe("TypeError < handle (a.mjs) < async a.mjs");
  });

  it("gives stable ids", () => {
    expect(findingId("crash", "crash:exit=1")).toMatch(/^crash-[0-9a-f]{10}$/);
    expect(findingId("crash", "crash:exit=1")).toBe(findingId("crash", "crash:exit=1"));
  });
});
