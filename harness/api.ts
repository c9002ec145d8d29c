import { resolve } from "node:path";
import { defaultCorpusDir } from "./corpus/store.ts";
import { formatFindings } from "./report/format-finding.ts";
import type { RunReport } from "./report/types.ts";
import { runScenario, type RunOptions } from "./run/run-scenario.ts";
import { loadScenario, type LoadedScenario } from "./scenario/load.ts";
import type { Scenario } from "./scenario/types.ts";
import { validateScenario } from "./scenario/validate.ts";

export interface FuzzOptions extends Omit<RunOptions, "corpus"> {
  /**
   * Regression corpus directory, or `false` for none. Default
   * `poisonpill-corpus/` beside the scenario file, as for the CLI; a
   * scenario object without `baseDir` has no default corpus.
   */
  corpus?: string | false;
  /** Directory that relative paths of a scenario object resolve from. Default: the working directory. */
  baseDir?: string;
}

async function loadedFrom(scenario: string | Scenario, baseDir: string | undefined): Promise<LoadedScenario> {
  if (typeof scenario === "string") return loadScenario(scenario);
  return { scenario: validateScenario(scenario), baseDir: resolve(baseDir ?? process.cwd()) };
}

/**
 * Runs a scenario (a scenario file, or an object from defineScenario) and
 * returns the report. Findings do not throw: pass the report to
 * assertNoFindings in a test. Harness errors (invalid scenario, broker
 * unreachable) reject with a ConfigError or EnvironmentError.
 */
export async function fuzzConsumer(scenario: string | Scenario, options: FuzzOptions = {}): Promise<RunReport> {
  const { corpus, baseDir, ...runOptions } = options;
  const loaded = await loadedFrom(scenario, baseDir);
  let corpusDir: string | undefined;
  if (typeof corpus === "string") corpusDir = corpus;
  else if (corpus === undefined && (loaded.file !== undefined || baseDir !== undefined)) corpusDir = defaultCorpusDir(loaded.file, loaded.baseDir);
  return runScenario(loaded, { ...runOptions, corpus: corpusDir });
}

/** Thrown by assertNoFindings; the message lists every finding, and `report` is the whole run. */
export class FindingsError extends Error {
  override readonly name = "FindingsError";

  constructor(readonly report: RunReport) {
    super(formatFindings(report));
  }
}

/**
 * Throws a FindingsError when the run found anything: each finding's
 * detector, minimal payload, seed and replay command. Returns the report
 * otherwise.
 */
export function assertNoFindings(report: RunReport): RunReport {
  if (report.findings.length > 0) throw new FindingsError(report);
  return report;
}
