import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import type { Sample } from "../../generators/sample.ts";
import { ConfigError } from "../errors.ts";
import { replaceDirectory } from "../findings/replace-directory.ts";
import { headersFromJson, headersToJson } from "./headers-json.ts";
import { CORPUS_FORMAT_VERSION, type CorpusCase, type CorpusMessage } from "./types.ts";

/** A case read from disk, with its payload bytes. */
export interface StoredCase {
  case: CorpusCase;
  /** Absolute case directory. */
  dir: string;
  /** The case's messages as samples, in sending order. */
  samples: Sample[];
  /** The culprit before shrinking, when the case was shrunk. */
  original?: Uint8Array;
}

export const CASE_FILE = "case.json";
export const PAYLOAD_FILE = "payload.bin";
export const ORIGINAL_FILE = "original.bin";

/** File name of message `index` of `count`: the culprit (last) is payload.bin. */
export function messageFileName(index: number, count: number): string {
  return index === count - 1 ? PAYLOAD_FILE : `message-${String(index + 1).padStart(3, "0")}.bin`;
}

/** Returns the scenario file as a case stores it: relative to the case directory. */
export function scenarioFileForCase(caseDir: string, scenarioFile: string | undefined): string | undefined {
  return scenarioFile === undefined ? undefined : relative(caseDir, scenarioFile);
}

/** Absolute path of a stored case's scenario file, if it names one. */
export function caseScenarioFile(stored: StoredCase): string | undefined {
  return stored.case.scenarioFile === undefined ? undefined : resolve(stored.dir, stored.case.scenarioFile);
}

/**
 * Writes a case to `<corpusDir>/<id>/` atomically: the files go to a
 * temporary sibling directory that is renamed into place, so a harness killed
 * mid-write leaves the old case or the new one. `samples` must match
 * `kase.messages` in order.
 */
export async function writeCase(corpusDir: string, kase: CorpusCase, samples: readonly Sample[], original?: Uint8Array): Promise<string> {
  if (samples.length !== kase.messages.length) throw new Error(`case ${kase.id}: ${samples.length} payloads for ${kase.messages.length} messages`);
  await mkdir(corpusDir, { recursive: true });
  const target = join(corpusDir, kase.id);
  const temporary = join(corpusDir, `.${kase.id}.tmp-${process.pid}-${Date.now()}`);
  await mkdir(temporary);

  const messages = kase.messages.map((message) => (message.headers === undefined ? message : { ...message, headers: headersToJson(message.headers) }));
  const document = { format: "poisonpill-corpus-case", version: CORPUS_FORMAT_VERSION, ...kase, messages };
  await writeFile(join(temporary, CASE_FILE), `${JSON.stringify(document, null, 2)}\n`);
  for (const [index, message] of kase.messages.entries()) await writeFile(join(temporary, message.file), samples[index]!.bytes);
  if (original !== undefined) await writeFile(join(temporary, ORIGINAL_FILE), original);

  try {
    await replaceDirectory(temporary, target);
  } catch (error) {
    // Another process replaced the same case at the same moment; its copy stays.
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
  return target;
}

function invalidCase(file: string, problem: string, cause?: unknown): ConfigError {
  return new ConfigError(`${file} is not a valid poisonpill corpus case: ${problem}`, { value: file, hint: "fix or delete the case directory", cause });
}

/** Reads `<dir>/case.json` and its payloads, checking the format and version. */
export async function readCase(dir: string): Promise<StoredCase> {
  const caseDir = resolve(dir);
  const file = join(caseDir, CASE_FILE);
  let document: Record<string, unknown>;
  try {
    document = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new ConfigError(`${file} not found`, { value: dir, hint: "pass a corpus case directory, e.g. poisonpill-corpus/import-1a2b3c4d5e", cause: error });
    throw invalidCase(file, (error as Error).message, error);
  }
  if (document.format !== "poisonpill-corpus-case") throw invalidCase(file, `format is ${JSON.stringify(document.format)}`);
  if (document.version !== CORPUS_FORMAT_VERSION) {
    throw new ConfigError(`${file} has corpus format version ${JSON.stringify(document.version)}; this poisonpill reads version ${CORPUS_FORMAT_VERSION}`, {
      value: document.version,
      hint: "replay it with the poisonpill version that wrote it",
    });
  }
  if (typeof document.id !== "string" || typeof document.scenario !== "string" || typeof document.payloadType !== "string" || !Array.isArray(document.messages) || document.messages.length === 0) {
    throw invalidCase(file, "id, scenario, payloadType or messages is missing");
  }
  const { format: _format, version: _version, ...rest } = document;
  const kase = rest as unknown as CorpusCase;
  kase.messages = kase.messages.map((message: CorpusMessage) => (message.headers === undefined ? message : { ...message, headers: headersFromJson(message.headers) }));

  const samples: Sample[] = [];
  for (const message of kase.messages) {
    if (typeof message.file !== "string" || message.file.includes("/") || message.file.includes("\\")) throw invalidCase(file, `message file ${JSON.stringify(message.file)} is not a plain file name`);
    let bytes: Buffer;
    try {
      bytes = await readFile(join(caseDir, message.file));
    } catch (error) {
      throw invalidCase(file, `${message.file} could not be read (${(error as NodeJS.ErrnoException).code})`, error);
    }
    samples.push({ class: message.class, mutation: message.mutation, path: message.path, expect: message.expect, bytes, headers: message.headers });
  }
  let original: Uint8Array | undefined;
  if (kase.shrink !== undefined) original = await readFile(join(caseDir, kase.shrink.originalFile)).catch(() => undefined);
  return { case: kase, dir: caseDir, samples, original };
}

/**
 * Reads every case in a corpus directory, sorted by id. A missing directory
 * is an empty corpus; unfinished writes and replaced copies are skipped.
 */
export async function readCorpus(corpusDir: string): Promise<StoredCase[]> {
  let entries;
  try {
    entries = await readdir(resolve(corpusDir), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new ConfigError(`corpus directory ${corpusDir} could not be read (${(error as NodeJS.ErrnoException).code})`, { value: corpusDir, hint: "check --corpus", cause: error });
  }
  // `.name.tmp-*` is a case being written; `name.old-*` one being replaced (left behind if that process died).
  const names = entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith(".") && !/\.old-\d+-\d+$/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  const cases: StoredCase[] = [];
  for (const name of names) {
    try {
      cases.push(await readCase(join(corpusDir, name)));
    } catch (error) {
      // A case another run is replacing right now is briefly missing; it is replayed next time.
      if (error instanceof ConfigError && (error.cause as NodeJS.ErrnoException | undefined)?.code === "ENOENT") continue;
      throw error;
    }
  }
  return cases;
}

/** Returns the default corpus directory: `poisonpill-corpus/` beside the scenario file. */
export function defaultCorpusDir(scenarioFile: string | undefined, baseDir: string): string {
  return join(scenarioFile === undefined ? baseDir : dirname(scenarioFile), "poisonpill-corpus");
}
