import { describe, expect, it } from "vitest";
import { OutputTail } from "../../harness/consumer/output-tail.ts";

describe("OutputTail", () => {
  it("keeps only the last lines", () => {
    const tail = new OutputTail(3);
    tail.push(Buffer.from("a\nb\nc\nd\ne\n"));
    expect(tail.tail()).toBe("c\nd\ne");
  });

  it("joins lines split across chunks", () => {
    const tail = new OutputTail();
    const lines: string[] = [];
    tail.onLine((line) => lines.push(line));
    tail.push(Buffer.from("hel"));
    tail.push(Buffer.from("lo\nwor"));
    tail.push(Buffer.from("ld\n"));
    expect(lines).toEqual(["hello", "world"]);
  });

  it("bounds an endless line", () => {
    const tail = new OutputTail(10, 100);
    for (let i = 0; i < 1000; i += 1) tail.push(Buffer.alloc(1000, 0x61));
    expect(tail.bytesSeen).toBe(1_000_000);
    expect(tail.tail().length).toBeLessThan(10 * 200);
  });
});
