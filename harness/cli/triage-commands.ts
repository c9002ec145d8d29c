import { access } from "node:fs/promises";
import type { Expectation } from "../../generators/sample.ts";
import { join, relative } from "node:path";
import { assertBrokerAllowed, redactUrl } from "../brokers/url-guard.ts";
import { replayCaseDir } from "../corpus/replay-case.ts";
import { CASE_FILE, defaultCorpusDir } from "../corpus/store.ts";
import { ConfigError } from "../errors.ts";
import type { CapturedMessage } from "../import/captured.ts";
import { capturedFromJetStream } from "../import/read-jetstream.ts";
import { capturedFromBase64, capturedFromFile, capturedFromHex, capturedFromJsonFile } from "../import/read-local.ts";
import { capturedFromRabbitQueue } from "../import/read-rabbitmq.ts";
import { importCaptured } from "../import/to-case.ts";
import { loadScenario } from "../scenario/load.ts";
import { shrinkCase, shrinkFindingDir, type StoredShrinkResult } from "../triage/shrink-stored.ts";
import { integerOption, parseCommandArgs, provisionOption, shrinkOptions } from "./options.ts";
import { createProgressPrinter, notSmallerReason } from "./progress.ts";
import { showPayload } from "./summary.ts";

export const TRIAGE_USAGE = `  poisonpill import <scenario> (--file F | --base64 TEXT | --hex TEXT | --json F
                    | --rabbitmq-queue Q [--rabbitmq-url URL] [--max-messages N]
                    | --jetstream-stream S --from-seq N --to-seq M [--nats-url URL])
                    [--expect accept|reject] [--corpus DIR] [--allow-remote-broker]
  poisonpill shrink <finding-dir|case-dir> [--scenario FILE [--any-scenario]] [--shrink-max-replays N] [--shrink-max-time SECONDS]
                    [--broker-url URL] [--allow-remote-broker] [--provision auto|url|testcontainers|local]`;

const EXPECTATIONS = ["accept", "reject"] as const satisfies readonly Expectation[];

/** Parses `--expect`; default `reject` (see ImportOptions.expect). */
function expectOption(text: string | undefined): Expectation | undefined {
  if (text === undefined || (EXPECTATIONS as readonly string[]).includes(text)) return text as Expectation | undefined;
  throw new ConfigError(`--expect must be one of ${EXPECTATIONS.join(", ")}, got "${text}"`, { value: text, hint: "use --expect accept for a message a correct consumer must process" });
}

const DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672";
const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

/** True when `dir` contains a corpus case rather than a finding. */
export async function isCaseDir(dir: string): Promise<boolean> {
  try {
    await access(join(dir, CASE_FILE));
    return true;
  } catch {
    return false;
  }
}

function shellPath(path: string): string {
  const shown = relative(process.cwd(), path);
  const text = shown.startsWith("..") || shown === "" ? path : shown;
  return /^[A-Za-z0-9_./:-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

async function readCaptured(values: Record<string, unknown>): Promise<CapturedMessage[]> {
  const sources = ["file", "base64", "hex", "json", "rabbitmq-queue", "jetstream-stream"].filter((name) => values[name] !== undefined);
  if (sources.length !== 1) {
    throw new ConfigError(`import takes exactly one source, got ${sources.length === 0 ? "none" : sources.map((name) => `--${name}`).join(", ")}`, {
      value: sources,
      hint: "pass one of --file, --base64, --hex, --json, --rabbitmq-queue, --jetstream-stream",
    });
  }
  const allowRemote = values["allow-remote-broker"] === true;
  switch (sources[0]) {
    case "file":
      return [await capturedFromFile(values.file as string)];
    case "base64":
      return [capturedFromBase64(values.base64 as string)];
    case "hex":
      return [capturedFromHex(values.hex as string)];
    case "json":
      return [await capturedFromJsonFile(values.json as string)];
    case "rabbitmq-queue": {
      const url = (values["rabbitmq-url"] as string | undefined) ?? process.env.POISONPILL_AMQP_URL ?? DEFAULT_AMQP_URL;
      assertBrokerAllowed(url, allowRemote);
      const maxMessages = integerOption("max-messages", values["max-messages"] as string | undefined, 1);
      return capturedFromRabbitQueue({ url, queue: values["rabbitmq-queue"] as string, maxMessages });
    }
    default: {
      const url = (values["nats-url"] as string | undefined) ?? process.env.POISONPILL_NATS_URL ?? DEFAULT_NATS_URL;
      assertBrokerAllowed(url, allowRemote);
      const fromSeq = integerOption("from-seq", values["from-seq"] as string | undefined, 1);
      const toSeq = integerOption("to-seq", values["to-seq"] as string | undefined, 1) ?? fromSeq;
      if (fromSeq === undefined) throw new ConfigError("--jetstream-stream needs --from-seq", { hint: "e.g. --from-seq 17 --to-seq 17" });
      return capturedFromJetStream({ url, stream: values["jetstream-stream"] as string, fromSeq, toSeq: toSeq! });
    }
  }
}

/** `poisonpill import`: stores captured messages as corpus cases. Exit 0, or 1 when the source held no message. */
export async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      file: { type: "string" },
      base64: { type: "string" },
      hex: { type: "string" },
      json: { type: "string" },
      "rabbitmq-queue": { type: "string" },
      "rabbitmq-url": { type: "string" },
      "max-messages": { type: "string" },
      "jetstream-stream": { type: "string" },
      "from-seq": { type: "string" },
      "to-seq": { type: "string" },
      "nats-url": { type: "string" },
      corpus: { type: "string" },
      expect: { type: "string" },
      "allow-remote-broker": { type: "boolean" },
    },
    TRIAGE_USAGE,
  );
  const expect = expectOption(values.expect as string | undefined);
  if (positionals.length !== 1) throw new ConfigError("import takes exactly one scenario file", { value: positionals, hint: "poisonpill import scenarios/inventory-jetstream.ts --file message.bin" });
  const loaded = await loadScenario(positionals[0]!);
  const captured = await readCaptured(values);
  if (captured.length === 0) {
    process.stdout.write("no messages to import\n");
    return 1;
  }
  const corpusDir = (values.corpus as string | undefined) ?? defaultCorpusDir(loaded.file, loaded.baseDir);
  for (const message of captured) {
    const imported = await importCaptured(loaded, corpusDir, message, { expect });
    const state = imported.created ? "imported" : "already in the corpus";
    process.stdout.write(`${state}: ${imported.dir} (${message.bytes.length} bytes from ${redactUrl(message.from)})\n`);
    process.stdout.write(`  replay: npx poisonpill replay ${shellPath(imported.dir)}\n  shrink: npx poisonpill shrink ${shellPath(imported.dir)}\n`);
  }
  return 0;
}

/** `poisonpill replay <case-dir>`: exit 1 when the case still fails, 0 when it passes. */
export async function replayCaseCommand(dir: string, values: Record<string, unknown>): Promise<number> {
  const result = await replayCaseDir(dir, {
    scenarioFile: values.scenario as string | undefined,
    anyScenario: values["any-scenario"] as boolean | undefined,
    brokerUrl: values["broker-url"] as string | undefined,
    allowRemoteBroker: values["allow-remote-broker"] as boolean | undefined,
  });
  const { stored, observation } = result;
  if (result.stillFails) {
    process.stdout.write(`still fails: corpus case ${stored.case.id} (${stored.case.signature})\n`);
    return 1;
  }
  if (observation.kind === "failure") {
    process.stdout.write(`fails differently: expected ${stored.case.signature}, observed ${observation.signature}\n`);
    return 1;
  }
  process.stdout.write(`no longer fails: corpus case ${stored.case.id}\n`);
  return 0;
}

function describeShrink(name: string, result: StoredShrinkResult, payload: Uint8Array | undefined): string {
  switch (result.kind) {
    case "passes":
      return `${name} no longer fails; nothing to shrink`;
    case "fails-differently":
      return `${name} fails differently: expected ${result.expectedSignature}, observed ${result.observation.signature}; nothing changed`;
    case "shrunk": {
      const { shrunk } = result;
      if (!shrunk.smaller) return `could not shrink ${name} (${result.originalBytes} bytes): ${notSmallerReason(shrunk.replays, shrunk.stoppedBy)}; nothing changed`;
      return [
        `shrunk ${name} from ${result.originalBytes} to ${shrunk.culprit.bytes.length} bytes in ${shrunk.replays} replays (${shrunk.method}, ${shrunk.stoppedBy})`,
        `signature: ${result.signature}`,
        `payload: ${showPayload(payload ?? shrunk.culprit.bytes, 200)}`,
      ].join("\n");
    }
  }
}

/**
 * `poisonpill shrink <dir>`: shrinks a finding or corpus case in place.
 * Exit 0 when it still fails the same way (shrunk, or nothing smaller fails),
 * 1 when it no longer fails or fails differently.
 */
export async function shrinkCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      scenario: { type: "string" },
      "any-scenario": { type: "boolean" },
      "shrink-max-replays": { type: "string" },
      "shrink-max-time": { type: "string" },
      "broker-url": { type: "string" },
      "allow-remote-broker": { type: "boolean" },
      provision: { type: "string" },
    },
    TRIAGE_USAGE,
  );
  if (positionals.length !== 1) throw new ConfigError("shrink takes exactly one finding or corpus case directory", { value: positionals, hint: "poisonpill shrink poisonpill-corpus/<case>" });
  const limits = shrinkOptions(values);
  if (limits === false) throw new ConfigError("--shrink-max-replays must be >= 1 for shrink, got 0", { value: 0, hint: "e.g. --shrink-max-replays 100" });
  const options = {
    scenarioFile: values.scenario as string | undefined,
    anyScenario: values["any-scenario"] as boolean | undefined,
    brokerUrl: values["broker-url"] as string | undefined,
    allowRemoteBroker: values["allow-remote-broker"] as boolean | undefined,
    provision: provisionOption(values.provision as string | undefined),
    shrink: limits,
    onEvent: createProgressPrinter(),
  };
  const dir = positionals[0]!;
  if (await isCaseDir(dir)) {
    const result = await shrinkCase(dir, options);
    process.stdout.write(`${describeShrink(`corpus case ${result.stored.case.id}`, result, result.stored.samples.at(-1)?.bytes)}\n`);
    return result.kind === "shrunk" ? 0 : 1;
  }
  const result = await shrinkFindingDir(dir, options);
  process.stdout.write(`${describeShrink(`finding ${result.finding.id}`, result, undefined)}\n`);
  if (result.kind === "shrunk" && result.shrunk.smaller) process.stdout.write(`replay: ${result.finding.replayCommand}\n`);
  return result.kind === "shrunk" ? 0 : 1;
}
