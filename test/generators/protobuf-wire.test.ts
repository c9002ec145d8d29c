import { describe, expect, it } from "vitest";

import { WireType, WireWriter } from "../../generators/protobuf/wire.ts";
import { removeField, splitFields } from "../../generators/protobuf/wire-reader.ts";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

describe("WireWriter", () => {
  it("writes varints", () => {
    expect(hex(new WireWriter().varint(0).finish())).toBe("00");
    expect(hex(new WireWriter().varint(150).finish())).toBe("9601");
    expect(hex(new WireWriter().varint(2n ** 64n - 1n).finish())).toBe("ffffffffffffffffff01");
  });

  it("writes negative values as ten-byte varints", () => {
    expect(hex(new WireWriter().varint(-1).finish())).toBe("ffffffffffffffffff01");
  });

  it("writes zigzag varints", () => {
    expect(hex(new WireWriter().zigzag(-1).finish())).toBe("01");
    expect(hex(new WireWriter().zigzag(1).finish())).toBe("02");
    expect(hex(new WireWriter().zigzag(-(2n ** 63n)).finish())).toBe("ffffffffffffffffff01");
  });

  it("writes tags and fixed-width values", () => {
    expect(hex(new WireWriter().tag(1, WireType.VARINT).finish())).toBe("08");
    expect(hex(new WireWriter().tag(16, WireType.LEN).finish())).toBe("8201");
    expect(hex(new WireWriter().fixed32(1).finish())).toBe("01000000");
    expect(hex(new WireWriter().fixed64(-1n).finish())).toBe("ffffffffffffffff");
    expect(hex(new WireWriter().lenField(2, Uint8Array.from([0x61])).finish())).toBe("120161");
  });
});

describe("splitFields", () => {
  it("splits every wire type", () => {
    const bytes = new WireWriter()
      .tag(1, WireType.VARINT).varint(300)
      .tag(2, WireType.I64).fixed64(1n)
      .lenField(3, Uint8Array.from([1, 2]))
      .tag(4, WireType.SGROUP).tag(1, WireType.VARINT).varint(1).tag(4, WireType.EGROUP)
      .tag(5, WireType.I32).fixed32(1)
      .finish();
    expect(splitFields(bytes).map((field) => [field.fieldNumber, field.wireType])).toEqual([[1, 0], [2, 1], [3, 2], [4, 3], [5, 5]]);
  });

  it("rejects a length past the end", () => {
    expect(() => splitFields(Uint8Array.from([0x0a, 0x05, 0x01]))).toThrow(RangeError);
  });
});

describe("removeField", () => {
  it("removes a nested field from every occurrence", () => {
    const inner = new WireWriter().lenField(1, Uint8Array.from([0x61])).tag(2, WireType.VARINT).varint(7).finish();
    const bytes = new WireWriter().lenField(5, inner).lenField(5, inner).tag(1, WireType.VARINT).varint(9).finish();
    const expectedInner = new WireWriter().tag(2, WireType.VARINT).varint(7).finish();
    const expected = new WireWriter().lenField(5, expectedInner).lenField(5, expectedInner).tag(1, WireType.VARINT).varint(9).finish();
    expect(hex(removeField(bytes, [5, 1]))).toBe(hex(expected));
  });
});
