import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const REPO_ROOT = resolve(import.meta.dirname, "..", "..");
const directory = mkdtempSync(join(tmpdir(), "poisonpill-scenario-"));

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe("TypeScript scenario outside the repository", () => {
  it("loads without a package.json beside it", () => {
    const file = join(directory, "tiny.ts");
    writeFileSync(
      file,
      `import { defineScenario } from ${JSON.stringify(join(REPO_ROOT, "harness/scenario/define.ts"))};
export default defineScenario({
  name: "tiny",
  broker: { kind: "jetstream", subject: "tiny.orders" },
  schema: { jsonSchema: { type: "object", properties: { a: { type: "integer" } }, required: ["a"] } },
  consumer: { command: ["node", "consumer.mjs"], ready: { output: "ready" } },
});
`,
    );
    const result = spawnSync(process.execPath, [join(REPO_ROOT, "bin/poisonpill.mjs"), "samples", file, "-n", "3"], { encoding: "utf8", timeout: 60_000 });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split("\n")).toHaveLength(3);
  });
});
