import { describe, expect, it } from "vitest";
import { runCliChecked } from "./run-cli.ts";

/** The CLI fails before it starts a broker, so a few seconds are plenty; tsx compiles on first load. */
const TIMEOUT_MS = 30_000;

const BROKEN = "test/fixtures/protobuf-cli";

/** The single line the CLI prints on stderr for a configuration error. */
function errorLine(stderr: string): string {
  const lines = stderr.split("\n").filter((line) => line !== "");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^poisonpill: /);
  return lines[0]!;
}

describe("poisonpill CLI with a broken .proto", () => {
  it("samples rejects a parse error", async () => {
    const result = await runCliChecked(["samples", `${BROKEN}/parse-error.json`, "-n", "2"], { timeoutMs: TIMEOUT_MS });

    expect(result.code).toBe(2);
    const line = errorLine(result.stderr);
    expect(line).toContain("fixtures/proto/broken/parse_error.proto is invalid at line 11");
    expect(line).toContain("';' expected");
    expect(line).toContain("fix the .proto file");
    expect(result.stdout).toBe("");
  });

  it("samples rejects an unknown type", async () => {
    const result = await runCliChecked(["samples", `${BROKEN}/unknown-type.json`, "-n", "2"], { timeoutMs: TIMEOUT_MS });

    expect(result.code).toBe(2);
    const line = errorLine(result.stderr);
    expect(line).toContain("message type shop.Refund is not defined in");
    expect(line).toContain("fixtures/proto/orders.proto");
    expect(line).toContain("message types there: shop.LineItem, shop.Order");
    expect(line).toContain("set schema.type in the scenario");
  });

  it("samples rejects a missing import", async () => {
    const result = await runCliChecked(["samples", `${BROKEN}/missing-import.json`, "-n", "2"], { timeoutMs: TIMEOUT_MS });

    expect(result.code).toBe(2);
    const line = errorLine(result.stderr);
    expect(line).toContain('import "does/not/exist.proto" in');
    expect(line).toContain("fixtures/proto/broken/missing_import.proto at line 5 was not found");
    expect(line).toContain("set schema.includePaths in the scenario");
  });

  it("run rejects each before any broker", async () => {
    for (const name of ["parse-error", "unknown-type", "missing-import"]) {
      const result = await runCliChecked(["run", `${BROKEN}/${name}.json`, "--seed", "1", "--max-messages", "10", "--out", "/tmp/poisonpill-protobuf-cli"], { timeoutMs: TIMEOUT_MS });

      expect(result.code, name).toBe(2);
      expect(errorLine(result.stderr), name).toMatch(/\.proto/);
      expect(result.stdout, name).not.toContain("broker:");
    }
  });
});
