import { join } from "node:path";
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

/**
 * Stores a captured message as corpus case `import-<hash>`, named after its
 * bytes and headers, so importing the same message twice keeps one case
 * (and keeps what `poisonpill shrink` made of it).
 */
export async function importCaptured(loaded: LoadedScenario, corpusDir: string, message: CapturedMessage): Promise<ImportedCase> {
  const id = `import-${payloadKey(message.bytes, message.headers).slice(0, 10)}`;
  const dir = join(corpusDir, id);
  try {
    await readCase(dir);
    return { id, dir, created: false };
  } catch {
    // No readable case with this id: write it.
  }
  const kase: CorpusCase = {
    id,
    scenario: loaded.scenario.name,
    payloadType: payloadTypeOf(loaded.scenario),
    scenarioFile: scenarioFileForCase(dir, loaded.file),
    source: { kind: "import", from: message.from },
    // NOTE: SampleClass has no member for captured messages, so imports are labelled valid/accept; `source.kind` marks them.
    messages: [{ file: messageFileName(0, 1), class: "valid", mutation: "captured", path: "", expect: "accept", headers: message.headers }],
    addedAt: new Date().toISOString(),
  };
  await writeCase(corpusDir, kase, [{ class: "valid", mutation: "captured", path: "", expect: "accept", bytes: message.bytes, headers: message.headers }]);
  return { id, dir, created: true };
}
