import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { headersToJson } from "../corpus/headers-json.ts";
import type { HeaderValue } from "../../generators/sample.ts";
import { replaceDirectory } from "./replace-directory.ts";
import type { Finding } from "./types.ts";

/** Format of finding.json; bumped on any incompatible change. */
export const FINDING_FORMAT_VERSION = 1;

/** Writes message headers in their JSON form, binary values as `{ "$base64": ... }`, wherever they occur. */
function findingReplacer(key: string, value: unknown): unknown {
  return key === "headers" && value !== null && typeof value === "object" ? headersToJson(value as Record<string, HeaderValue>) : value;
}

/**
 * Writes a finding to `<findingsDir>/<id>/` atomically: everything goes to a
 * temporary sibling directory, which is renamed into place, so a harness
 * killed mid-write leaves either the old finding or the new one.
 */
export async function writeFinding(findingsDir: string, finding: Finding): Promise<void> {
  await mkdir(findingsDir, { recursive: true });
  const temporary = join(findingsDir, `.${finding.id}.tmp-${process.pid}-${Date.now()}`);
  await mkdir(temporary, { recursive: true });

  const document = { format: "poisonpill-finding", version: FINDING_FORMAT_VERSION, ...finding };
  await writeFile(join(temporary, "finding.json"), `${JSON.stringify(document, findingReplacer, 2)}\n`);
  await writeFile(join(temporary, "payload.bin"), Buffer.from(finding.culprit.base64, "base64"));
  if (finding.messages.length > 1) {
    await mkdir(join(temporary, "messages"));
    for (const [index, message] of finding.messages.entries()) {
      await writeFile(join(temporary, "messages", `${String(index + 1).padStart(3, "0")}.bin`), Buffer.from(message.base64, "base64"));
    }
  }
  if (finding.culprit.headers !== undefined) await writeFile(join(temporary, "headers.json"), `${JSON.stringify(headersToJson(finding.culprit.headers), null, 2)}\n`);
  if (finding.evidence.outputTail) await writeFile(join(temporary, "output.txt"), `${finding.evidence.outputTail}\n`);
  await writeFile(join(temporary, "replay.txt"), `${finding.replayCommand}\n`);

  await replaceDirectory(temporary, join(findingsDir, finding.id));
}
