import path from "node:path";

import { describe, expect, it } from "vitest";

import { SchemaError } from "../../generators/errors.ts";
import { loadProtoType } from "../../generators/protobuf/load.ts";

const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures/proto");

function loadError(run: () => unknown): SchemaError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SchemaError);
    return error as SchemaError;
  }
  throw new Error("expected a SchemaError, but loading succeeded");
}

describe("loadProtoType", () => {
  it("resolves a local import and google/protobuf/timestamp.proto", () => {
    const type = loadProtoType(path.join(FIXTURES, "kitchen_sink.proto"), "kitchen.KitchenSink");
    expect(type.fields.created_at.resolvedType?.fullName).toBe(".google.protobuf.Timestamp");
    expect(type.fields.quantity.resolvedType?.fullName).toBe(".common.Quantity");
  });

  it("keeps field names as written", () => {
    const type = loadProtoType(path.join(FIXTURES, "orders.proto"), "shop.Order");
    expect(Object.keys(type.fields)).toEqual(["order_id", "product_id", "quantity", "user_id", "items", "created_at"]);
    expect(type.fields.order_id.type).toBe("uint64");
  });

  it("accepts a leading dot in the type name", () => {
    expect(loadProtoType(path.join(FIXTURES, "orders.proto"), ".shop.LineItem").fullName).toBe(".shop.LineItem");
  });

  it("resolves imports through include paths", () => {
    const type = loadProtoType(path.join(FIXTURES, "needs_include.proto"), "include_check.Shipment", {
      includePaths: [path.join(FIXTURES, "common")],
    });
    expect(type.fields.weight.resolvedType?.fullName).toBe(".common.Quantity");
  });

  it("reports a missing import with the searched paths", () => {
    const error = loadError(() => loadProtoType(path.join(FIXTURES, "needs_include.proto"), "include_check.Shipment"));
    expect(error.message).toContain('import "units.proto"');
    expect(error.message).toContain(path.join(FIXTURES, "units.proto"));
    expect(error.message).toContain("includePaths");
    expect(error.pointer).toBe(path.join(FIXTURES, "needs_include.proto"));
  });

  it("lists every searched include path", () => {
    const error = loadError(() =>
      loadProtoType(path.join(FIXTURES, "broken/missing_import.proto"), "broken.Orphan", { includePaths: [FIXTURES, "/nonexistent-include"] }),
    );
    expect(error.message).toContain(path.join(FIXTURES, "does/not/exist.proto"));
    expect(error.message).toContain("/nonexistent-include/does/not/exist.proto");
  });

  it("reports the line of a missing import", () => {
    const error = loadError(() => loadProtoType(path.join(FIXTURES, "broken/missing_import.proto"), "broken.Orphan"));
    expect(error.message).toContain(`import "does/not/exist.proto" in ${path.join(FIXTURES, "broken/missing_import.proto")} at line 5 was not found`);
    expect(error.keyword).toBe("import");
  });

  it("reports a parse error with its line", () => {
    const error = loadError(() => loadProtoType(path.join(FIXTURES, "broken/parse_error.proto"), "broken.Good"));
    expect(error.message).toContain("parse_error.proto");
    expect(error.message).toMatch(/at line 11\b/);
    expect(error.pointer).toBe(`${path.join(FIXTURES, "broken/parse_error.proto")}:11`);
  });

  it("lists the message types when the type is unknown", () => {
    const error = loadError(() => loadProtoType(path.join(FIXTURES, "orders.proto"), "shop.Ordr"));
    expect(error.message).toContain("shop.Ordr is not defined");
    expect(error.message).toContain("message types there: shop.LineItem, shop.Order");
    expect(error.message).not.toContain("google.protobuf.Timestamp");
  });

  it("reports a missing file", () => {
    const error = loadError(() => loadProtoType(path.join(FIXTURES, "absent.proto"), "x.Y"));
    expect(error.message).toMatch(/absent\.proto was not found/);
  });
});
