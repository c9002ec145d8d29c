import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HarnessEvent } from "../../harness/events.ts";
import type { Finding } from "../../harness/findings/types.ts";
import type { RunReport } from "../../harness/report/types.ts";
import { runScenario } from "../../harness/run/run-scenario.ts";
import { loadScenario } from "../../harness/scenario/load.ts";
import { runCliChecked } from "./run-cli.ts";

const decode = (base64: string) => JSON.parse(Buffer.from(base64, "base64").toString("utf8")) as Record<string, unknown>;

describe("vulnerable inventory, 3,000 messages", () => {
  let outDir: string;
  let report: RunReport;
  const events: HarnessEvent[] = [];

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), "poisonpill-triage-"));
    const loaded = await loadScenario("scenarios/inventory-jetstream.ts");
    report = await runScenario(loaded, { seed: 1, maxMessages: 3_000, outDir, onEvent: (event) => events.push(event) });
  }, 180_000);

  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  it("reports one finding per planted bug", () => {
    const detectors = report.findings.map((finding) => finding.detector).sort();
    expect(detectors).toEqual(["crash", "invariant"]);
    for (const finding of report.findings) {
      expect(finding.reproduced).toBe(true);
      expect(finding.count).toBeGreaterThanOrEqual(1);
    }
    expect(report.findings.reduce((sum, finding) => sum + finding.count, 0)).toBeGreaterThan(2);
  });

  it("shrinks the negative quantity to -1 within 100 replays", () => {
    const finding = report.findings.find((f) => f.detector === "invariant")!;
    const order = decode(finding.payload.base64);
    expect(order.quantity).toBe(-1);
    expect(order.order_id).toBe("00000000-0000-1000-8000-000000000000");
    expect(order.product_id).toBe("");
    expect(order.user_id).toBe("");
    // A fifth member may remain: the one the sample's mutation added, at the path its label names.
    const extra = Object.keys(order).filter((key) => !["order_id", "product_id", "quantity", "user_id"].includes(key));
    expect(extra.map((key) => `/${key}`)).toEqual(extra.length === 0 ? [] : [finding.shrink!.original.path]);
    expect(finding.shrink!.method).toBe("fast-check");
    expect(finding.shrink!.stoppedBy).toBe("minimal");
    expect(finding.shrink!.replays).toBeLessThanOrEqual(100);
  });

  it("keeps the original payload next to the minimal one", () => {
    for (const finding of report.findings) {
      // A smaller repeat that replaced the shrunk reproducer leaves the first payload in the evidence.
      const first = finding.shrink?.original ?? (finding.evidence.firstReproducer as { base64: string } | undefined);
      expect(first, finding.id).toBeDefined();
      expect(finding.payload.size).toBeLessThanOrEqual(Buffer.from(first!.base64, "base64").length);
    }
  });

  it("keeps the smallest crashing payload", () => {
    const crash = report.findings.find((f) => f.detector === "crash")!;
    // An empty body is the smallest input that makes JSON.parse throw.
    expect(crash.payload.size).toBe(0);
  });

  it("rewrites the finding file with the minimal payload", async () => {
    for (const reported of report.findings) {
      const written = JSON.parse(await readFile(join(reported.dir, "finding.json"), "utf8")) as Finding;
      expect(written.culprit.base64).toBe(reported.payload.base64);
      expect(written.shrink?.replays).toBe(reported.shrink?.replays);
      expect(written.evidence.firstReproducer).toEqual(reported.evidence.firstReproducer);
      expect(written.count).toBe(reported.count);
      const payload = await readFile(join(reported.dir, "payload.bin"));
      expect(payload.toString("base64")).toBe(reported.payload.base64);
    }
  });

  it("writes each finding before shrinking it", () => {
    for (const finding of report.findings) {
      const confirmed = events.findIndex((e) => e.type === "FindingConfirmed" && e.finding.id === finding.id);
      const shrunk = events.findIndex((e) => e.type === "FindingShrunk" && e.id === finding.id);
      expect(confirmed, finding.id).toBeGreaterThanOrEqual(0);
      expect(shrunk, finding.id).toBeGreaterThan(confirmed);
    }
  });

  it("never shrinks a payload to a larger one", () => {
    const shrinks = events.filter((e) => e.type === "FindingShrunk");
    expect(shrinks.length).toBeGreaterThanOrEqual(2);
    for (const event of shrinks) {
      expect(event.bytes, event.id).toBeLessThanOrEqual(event.originalBytes);
      if (event.smaller) expect(event.bytes, event.id).toBeLessThan(event.originalBytes);
    }
  });

  it("takes evidence from the confirming replay", async () => {
    const invariant = report.findings.find((f) => f.detector === "invariant")!;
    // The flood's consumer crashed on another message before the invariant was checked; that crash is not this finding's output.
    expect(invariant.evidence.observedIn).toBe("replay");
    expect(invariant.evidence.outputTail).not.toContain("SyntaxError");
    expect(await readFile(join(invariant.dir, "output.txt"), "utf8")).toBe(`${invariant.evidence.outputTail}\n`);
    for (const finding of report.findings) {
      expect(finding.evidence.observedIn, finding.id).toBe("replay");
      expect(finding.evidence.floodObservation, finding.id).toBeDefined();
    }
  });

  it("reports a smaller repeat and describes it", () => {
    const crash = report.findings.find((f) => f.detector === "crash")!;
    const replaced = events.filter((e) => e.type === "ReproducerReplaced" && e.id === crash.id);
    expect(replaced.length).toBeGreaterThan(0);
    // The finding's payload is the one named by the last replacement or shrink, whichever came later.
    const changes = events.flatMap((e) => ((e.type === "ReproducerReplaced" || (e.type === "FindingShrunk" && e.smaller)) && e.id === crash.id ? [{ type: e.type, bytes: e.bytes }] : []));
    const last = changes.at(-1)!;
    expect(last.bytes).toBe(crash.payload.size);
    if (last.type === "ReproducerReplaced") expect(crash.shrink).toBeUndefined();
    // The empty payload was sent alone to a fresh consumer: its evidence is that replay's crash.
    expect(crash.evidence.outputTail).toContain("Unexpected end of JSON input");
  });
});

describe("poisonpill shrink on a finding", () => {
  let workDir: string;
  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), "poisonpill-shrink-cli-"));
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it("shrinks an unshrunk finding in place", async () => {
    const reportFile = join(workDir, "r.json");
    const run = await runCliChecked(
      ["run", "scenarios/inventory-jetstream.ts", "--seed", "1", "--max-messages", "200", "--no-corpus", "--shrink-max-replays", "0", "--out", join(workDir, "out"), "--report-json", reportFile],
      { timeoutMs: 120_000 },
    );
    expect(run.code, `stderr: ${run.stderr}`).toBe(1);
    const report = JSON.parse(await readFile(reportFile, "utf8")) as RunReport;
    const invariant = report.findings.find((finding) => finding.detector === "invariant")!;
    expect(invariant.shrink).toBeUndefined();

    const shrink = await runCliChecked(["shrink", invariant.dir], { timeoutMs: 120_000 });
    expect(shrink.code, `stderr: ${shrink.stderr}`).toBe(0);
    expect(shrink.stdout).toContain(`replay: ${invariant.replayCommand}`);
    const shrunk = JSON.parse(await readFile(join(invariant.dir, "finding.json"), "utf8")) as Finding;
    expect(decode(shrunk.culprit.base64).quantity).toBe(-1);
    expect(shrunk.shrink!.original.base64).toBe(invariant.payload.base64);
    expect(shrunk.culprit.samplePath).toMatch(/^\d+(:\d+)+$/);

    expect(shrunk.evidence.observedIn).toBe("replay");

    const replay = await runCliChecked(["replay", invariant.dir], { timeoutMs: 60_000 });
    expect(replay.code, `stderr: ${replay.stderr}`).toBe(1);
    expect(replay.stdout).toContain("still fails");

    const again = await runCliChecked(["shrink", invariant.dir], { timeoutMs: 120_000 });
    expect(again.code, `stderr: ${again.stderr}`).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^could not shrink finding ${invariant.id} \\(\\d+ bytes\\): no smaller payload fails the same way \\(\\d+ replays\\); nothing changed$`, "m"));
    expect(again.stdout).not.toContain("shrunk finding");
    expect(JSON.parse(await readFile(join(invariant.dir, "finding.json"), "utf8"))).toEqual(shrunk);
  }, 300_000);

  it("rejects a scenario of another payload type", async () => {
    const out = join(workDir, "out", "findings");
    const [id] = (await readdir(out)).filter((name) => name.startsWith("invariant-"));
    const replay = await runCliChecked(["replay", join(out, id!), "--scenario", "scenarios/orders-protobuf.ts"], { timeoutMs: 60_000 });
    expect(replay.code, `stdout: ${replay.stdout}`).toBe(2);
    expect(replay.stderr).toContain(`reads protobuf:shop.Order, but finding ${id} was recorded for json-schema:`);

    const forced = await runCliChecked(["replay", join(out, id!), "--scenario", "scenarios/orders-protobuf.ts", "--any-scenario"], { timeoutMs: 60_000 });
    expect(forced.code, `stderr: ${forced.stderr}`).not.toBe(2);
  }, 120_000);
});
