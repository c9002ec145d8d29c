import { readFile } from "node:fs/promises";
import { dirname, extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "../errors.ts";
import type { Scenario } from "./types.ts";
import { validateScenario } from "./validate.ts";

/** A validated scenario with the file it came from; relative paths resolve from `baseDir`. */
export interface LoadedScenario {
  scenario: Scenario;
  /** Absolute path of the scenario file, or undefined for a scenario built in code. */
  file?: string;
  baseDir: string;
}

/**
 * Loads a `.json` scenario, or a `.ts`/`.js` module whose default export (or
 * `scenario` export) is a scenario. TypeScript files need a loader that
 * compiles them on import (the CLI registers tsx; Vitest does it itself).
 */
export async function loadScenario(path: string): Promise<LoadedScenario> {
  const file = resolve(path);
  const extension = extname(file);
  let raw: unknown;
  if (extension === ".json") {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new ConfigError(`scenario file ${file} could not be read (${(error as NodeJS.ErrnoException).code})`, { value: file, hint: "check the path", cause: error });
    }
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`scenario file ${file} is not valid JSON: ${(error as Error).message}`, { value: file, hint: "fix the JSON syntax", cause: error });
    }
  } else if ([".ts", ".mts", ".js", ".mjs"].includes(extension)) {
    let module: Record<string, unknown>;
    try {
      module = await importScenarioModule(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const missing = code === "ERR_MODULE_NOT_FOUND" && String((error as Error).message).includes(file);
      throw new ConfigError(missing ? `scenario file ${file} not found` : `scenario file ${file} failed to load: ${(error as Error).message}`, {
        value: file,
        hint: missing ? "check the path" : "fix the error in the scenario module",
        cause: error,
      });
    }
    raw = module.default ?? module.scenario;
    // A module compiled as CommonJS arrives wrapped once more: { default: { default: scenario } }.
    if (isWrappedDefault(raw)) raw = raw.default;
    if (raw === undefined) throw new ConfigError(`scenario module ${file} has no default export`, { value: file, hint: "export default defineScenario({ ... })" });
  } else {
    throw new ConfigError(`scenario file ${file} has an unknown extension "${extension}"`, { value: file, hint: "use a .ts or .json scenario" });
  }
  return { scenario: validateScenario(raw), file, baseDir: dirname(file) };
}

function isWrappedDefault(value: unknown): value is { default: unknown } {
  return typeof value === "object" && value !== null && "default" in value && !("name" in value);
}

/**
 * Imports a scenario module. Outside a package with `"type": "module"`, Node
 * treats a `.ts` file as CommonJS and refuses the ES-module graph it pulls in
 * (ERR_REQUIRE_CYCLE_MODULE); tsx's `tsImport` then loads it as an ES module.
 */
async function importScenarioModule(file: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_REQUIRE_CYCLE_MODULE") throw error;
    const { tsImport } = await import("tsx/esm/api");
    return (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
  }
}

/** Wraps a scenario built in code, resolving its relative paths from `baseDir` (default: the working directory). */
export function scenarioFromObject(scenario: Scenario, baseDir = process.cwd()): LoadedScenario {
  return { scenario: validateScenario(scenario), baseDir: resolve(baseDir) };
}
