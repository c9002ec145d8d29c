import { readFile, writeFile } from "node:fs/promises";
import type { ParseArgsConfig } from "node:util";
import fc from "fast-check";
import { SchemaError } from "../../generators/errors.ts";
import { SAMPLE_CLASSES, type SampleClass } from "../../generators/sample.ts";
import { redactText } from "../brokers/url-guard.ts";
import { redactDebugOutput } from "../debug-redaction.ts";
import { ConfigError, HarnessError } from "../errors.ts";
import { interruptedBy, setInterruptNotice, waitForInterruptCleanup } from "../process/shutdown.ts";
import { replayFinding } from "../run/replay-finding.ts";
import { runScenario } from "../run/run-scenario.ts";
import { loadScenario } from "../scenario/load.ts";
import { buildSampleSource } from "../scenario/sample-source.ts";
import { defaultCorpusDir } from "../corpus/store.ts";
import { toJUnitXml } from "../report/junit.ts";
import { integerOption, parseCommandArgs, provisionOption, shrinkOptions } from "./options.ts";
import { importCommand, isCaseDir, replayCaseCommand, shrinkCommand, TRIAGE_USAGE } from "./triage-commands.ts";
import { createProgressPrinter } from "./progress.ts";
import { formatSummary, showPayload } from "./summary.ts";

const USAGE = `usage:
  poisonpill run <scenario.ts|scenario.json> [--seed N] [--max-messages N] [--max-time SECONDS]
                 [--out DIR] [--report-json FILE] [--report-junit FILE] [--broker-url URL] [--allow-remote-broker]
                 [--provision auto|url|testcontainers|local]
                 [--shrink-max-replays N] [--shrink-max-time SECONDS] [--corpus DIR | --no-corpus]
  poisonpill replay <finding-dir> [--scenario FILE [--any-scenario]] [--broker-url URL] [--allow-remote-broker]
  poisonpill replay <case-dir> [--scenario FILE [--any-scenario]] [--broker-url URL] [--allow-remote-broker]
  poisonpill samples <scenario> [--class C] [-n N] [--seed N] [--max-payload BYTES]
${TRIAGE_USAGE}

--provision overrides broker.provision: auto (default) takes a broker URL
(--broker-url, broker.url, POISONPILL_NATS_URL / POISONPILL_AMQP_URL), else a
Testcontainers container when a Docker-API engine responds (DOCKER_HOST), else a
private broker from a local nats-server / rabbitmq-server binary.

--scenario must read the payload type the finding or case was recorded for
(schema file name or protobuf type); --any-scenario sends the payload anyway.

exit codes (run, replay): 0 no findings / no longer fails, 1 findings / still fails,
(shrink): 0 shrunk or nothing smaller fails, 1 no longer fails or fails differently; (import): 0 imported, 1 nothing to import;
2 invalid usage or configuration, 3 the environment failed (broker unreachable, consumer never ready)`;

/**
 * Payload limit `samples` sizes the oversized class for, since it talks to no
 * broker: nats-server's default max_payload (1 MiB).
 */
const DEFAULT_MAX_PAYLOAD_BYTES = 1_048_576;

function parse(args: string[], options: NonNullable<ParseArgsConfig["options"]>) {
  return parseCommandArgs(args, options, USAGE);
}

async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    seed: { type: "string" },
    "max-messages": { type: "string" },
    "max-time": { type: "string" },
    out: { type: "string" },
    "report-json": { type: "string" },
    "report-junit": { type: "string" },
    "broker-url": { type: "string" },
    "allow-remote-broker": { type: "boolean" },
    provision: { type: "string" },
    "shrink-max-replays": { type: "string" },
    "shrink-max-time": { type: "string" },
    corpus: { type: "string" },
    "no-corpus": { type: "boolean" },
  });
  if (positionals.length !== 1) throw new ConfigError("run takes exactly one scenario file", { value: positionals, hint: "poisonpill run scenarios/inventory-jetstream.ts" });
  const seed = integerOption("seed", values.seed as string | undefined, 0);
  const maxMessages = integerOption("max-messages", values["max-messages"] as string | undefined, 1);
  const maxTimeSeconds = integerOption("max-time", values["max-time"] as string | undefined, 1);
  const provision = provisionOption(values.provision as string | undefined);
  const shrink = shrinkOptions(values);
  if (values.corpus !== undefined && values["no-corpus"] === true) throw new ConfigError("--corpus and --no-corpus exclude each other", { value: values.corpus, hint: "pass one of them" });
  const loaded = await loadScenario(positionals[0]!);
  const corpus = values["no-corpus"] === true ? undefined : ((values.corpus as string | undefined) ?? defaultCorpusDir(loaded.file, loaded.baseDir));
  const report = await runScenario(loaded, {
    seed,
    maxMessages,
    maxTimeMs: maxTimeSeconds === undefined ? undefined : maxTimeSeconds * 1000,
    outDir: values.out as string | undefined,
    brokerUrl: values["broker-url"] as string | undefined,
    allowRemoteBroker: values["allow-remote-broker"] as boolean | undefined,
    provision,
    onEvent: createProgressPrinter(),
    shrink,
    corpus,
  });
  if (values["report-json"] !== undefined) await writeFile(values["report-json"] as string, `${JSON.stringify(report, null, 2)}\n`);
  if (values["report-junit"] !== undefined) await writeFile(values["report-junit"] as string, toJUnitXml([report]));
  process.stdout.write(`${formatSummary(report)}\n`);
  return report.findings.length > 0 ? 1 : 0;
}

async function replayCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    scenario: { type: "string" },
    "any-scenario": { type: "boolean" },
    "broker-url": { type: "string" },
    "allow-remote-broker": { type: "boolean" },
  });
  if (positionals.length !== 1) throw new ConfigError("replay takes exactly one finding directory", { value: positionals, hint: "poisonpill replay poisonpill-out/findings/<id>" });
  if (await isCaseDir(positionals[0]!)) return replayCaseCommand(positionals[0]!, values);
  const result = await replayFinding(positionals[0]!, {
    scenarioFile: values.scenario as string | undefined,
    anyScenario: values["any-scenario"] as boolean | undefined,
    brokerUrl: values["broker-url"] as string | undefined,
    allowRemoteBroker: values["allow-remote-broker"] as boolean | undefined,
  });
  const { finding, observation } = result;
  if (result.stillFails) {
    process.stdout.write(`still fails: ${finding.detector} ${finding.id} (${finding.signature})\n`);
    return 1;
  }
  if (observation.kind === "failure") {
    process.stdout.write(`fails differently: expected ${finding.signature}, observed ${observation.signature}\n`);
    return 1;
  }
  process.stdout.write(`no longer fails: ${finding.detector} ${finding.id}\n`);
  return 0;
}

async function samplesCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    class: { type: "string" },
    n: { type: "string", short: "n" },
    "max-payload": { type: "string" },
    seed: { type: "string" },
  });
  if (positionals.length !== 1) throw new ConfigError("samples takes exactly one scenario file", { value: positionals, hint: "poisonpill samples scenarios/inventory-jetstream.ts -n 20" });
  const wanted = values.class as string | undefined;
  if (wanted !== undefined && !SAMPLE_CLASSES.includes(wanted as SampleClass)) {
    throw new ConfigError(`--class must be one of ${SAMPLE_CLASSES.join(", ")}, got "${wanted}"`, { value: wanted });
  }
  const count = integerOption("n", values.n as string | undefined, 1) ?? 20;
  const seed = integerOption("seed", values.seed as string | undefined, 0) ?? 1;
  const loaded = await loadScenario(positionals[0]!);
  if (wanted !== undefined) loaded.scenario.generator = { ...loaded.scenario.generator, classes: [wanted as SampleClass] };
  const maxPayloadBytes = integerOption("max-payload", values["max-payload"] as string | undefined, 1) ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const source = await buildSampleSource(loaded, { maxPayloadBytes });
  const samples = fc.sample(source.arbitrary, { seed, numRuns: count });
  samples.forEach((sample, index) => {
    const where = sample.path === "" ? "" : ` at ${sample.path}`;
    process.stdout.write(`${index}\t${sample.class}\t${sample.mutation}${where}\t${sample.expect}\t${showPayload(sample.bytes, 160)}\n`);
  });
  return 0;
}

async function packageVersion(): Promise<string> {
  const manifest = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return manifest.version;
}

/** Entry point of the `poisonpill` command; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  redactDebugOutput();
  setInterruptNotice((signal) => {
    process.stderr.write(`\npoisonpill: interrupted by ${signal}; stopping the consumer and any broker this run started (findings so far are on disk)\n`);
  });
  const [command, ...rest] = argv;
  if (command !== undefined && (rest.includes("--help") || rest.includes("-h"))) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    switch (command) {
      case "run":
        return await runCommand(rest);
      case "replay":
        return await replayCommand(rest);
      case "samples":
        return await samplesCommand(rest);
      case "import":
        return await importCommand(rest);
      case "shrink":
        return await shrinkCommand(rest);
      case "--version":
      case "-V":
        process.stdout.write(`${await packageVersion()}\n`);
        return 0;
      case undefined:
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new ConfigError(`unknown command "${command}"`, { value: command, hint: "use run, replay, samples, import or shrink" });
    }
  } catch (error) {
    // After SIGINT or SIGTERM, errors are side effects of the cleanup; the signal handler exits with 130 or 143.
    if (interruptedBy() !== undefined) await waitForInterruptCleanup();
    if (error instanceof HarnessError) {
      process.stderr.write(`poisonpill: ${redactText(error.oneLine())}\n`);
      return error.exitCode;
    }
    if (error instanceof SchemaError) {
      process.stderr.write(`poisonpill: ${redactText(error.message)}\n`);
      return 2;
    }
    process.stderr.write(`poisonpill: internal error: ${redactText(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`);
    return 4;
  }
}
