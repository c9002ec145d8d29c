import { join } from "node:path";
import type { Sample } from "../../generators/sample.ts";
import type { Finding, ReproMessage } from "../findings/types.ts";
import { messageFileName, ORIGINAL_FILE, readCase, scenarioFileForCase, writeCase } from "./store.ts";
import type { Scenario } from "../scenario/types.ts";
import { payloadTypeOf } from "./payload-type.ts";
import type { CorpusCase } from "./types.ts";

export function reproToSample(message: ReproMessage): Sample {
  return { class: message.class, mutation: message.mutation, path: message.path, expect: message.expect, bytes: Buffer.from(message.base64, "base64"), headers: message.headers };
}

/** Effect of adding a finding to the corpus. */
export type CorpusAddOutcome = "added" | "replaced" | "kept";

/**
 * Adds a confirmed finding to the corpus as case `<finding id>`, so one
 * signature is one case. An existing case for the signature is replaced only
 * by a smaller culprit, so a committed reproducer stays put.
 */
export async function addFindingToCorpus(corpusDir: string, finding: Finding, scenario: Scenario): Promise<{ dir: string; outcome: CorpusAddOutcome }> {
  const dir = join(corpusDir, finding.id);
  const culpritBytes = Buffer.from(finding.culprit.base64, "base64").length;
  let outcome: CorpusAddOutcome = "added";
  try {
    const existing = await readCase(dir);
    if (existing.samples[existing.samples.length - 1]!.bytes.length <= culpritBytes) return { dir, outcome: "kept" };
    outcome = "replaced";
  } catch {
    // No readable case yet: write a new one.
  }

  const count = finding.messages.length;
  const kase: CorpusCase = {
    id: finding.id,
    scenario: scenario.name,
    payloadType: payloadTypeOf(scenario),
    scenarioFile: scenarioFileForCase(dir, finding.scenarioFile),
    detector: finding.detector,
    signature: finding.signature,
    source: { kind: "finding", findingId: finding.id, seed: finding.seed, samplePath: finding.culprit.samplePath },
    messages: finding.messages.map((message, index) => ({
      file: messageFileName(index, count),
      class: message.class,
      mutation: message.mutation,
      path: message.path,
      expect: message.expect,
      headers: message.headers,
    })),
    addedAt: new Date().toISOString(),
  };
  let original: Uint8Array | undefined;
  if (finding.shrink !== undefined) {
    const { original: originalMessage, ...record } = finding.shrink;
    kase.shrink = { ...record, originalFile: ORIGINAL_FILE };
    original = Buffer.from(originalMessage.base64, "base64");
  }
  await writeCase(corpusDir, kase, finding.messages.map(reproToSample), original);
  return { dir, outcome };
}
