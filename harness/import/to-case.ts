import { join } from "node:path";
import type { Expectation, Sample } from "../../generators/sample.ts";
import { payloadTypeOf } from "../corpus/payload-type.ts";
import { messageFileName, readCase, scenarioFileForCase, writeCase } from "../corpus/store.ts";
import type { CorpusCase } from "../corpus/types.ts";
import type { LoadedScenario } from "../scenario/load.ts";
import { payloadKey } from "../triage/sample-key.ts";
import type { CapturedMessage } from "./captured.ts";

export interface ImportedCase {
  id: string;
  dir: string;
  /** False when a case for the same bytes and headers was there already and was kept as it is. */
  created: boolean;
}

export interface ImportOptions {
  /**
   * Expected handling by a correct consumer. Default `reject`, because a
   * captured poison message's intent is unknown: a consumer that rejects it
   * without crashing, looping or changing state handles it correctly.
   */
  expect?: Expectation;
}

/**
 * Stores a captured message as corpus case `import-<hash>`, named after its
 * bytes and headers, so importing the same message twice keeps one case
 * (and keeps what `poisonpill shrink` made of it). The message is labelled
 * class `captured`, mutation `captured`.
 */
export async function importCaptured(loaded: LoadedScenario, corpusDir: string, message: CapturedMessage, options: ImportOptions = {}): Promise<ImportedCase> {
  const id = `import-${payloadKey(message.bytes, message.headers).slice(0, 10)}`;
  const dir = join(corpusDir, id);
  try {
    await readCase(dir);
    return { id, dir, created: false };
  } catch {
    // No readable case with this id: write it.
  }
  const sample: Sample = { class: "captured", mutation: "captured", path: "", expect: options.expect ?? "reject", bytes: message.bytes, headers: message.headers };
  const kase: CorpusCase = {
    id,
    scenario: loaded.scenario.name,
    payloadType: payloadTypeOf(loaded.scenario),
    scenarioFile: scenarioFileForCase(dir, loaded.file),
    source: { kind: "import", from: message.from },
    messages: [{ file: messageFileName(0, 1), class: sample.class, mutation: sample.mutation, path: sample.path, expect: sample.expect, headers: message.headers }],
    addedAt: new Date().toISOString(),
  };
  await writeCase(corpusDir, kase, [sample]);
  return { id, dir, created: true };
}
