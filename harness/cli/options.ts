import { parseArgs, type ParseArgsConfig } from "node:util";
import { ConfigError } from "../errors.ts";
import { closestName } from "../text/closest-name.ts";
import type { ProvisionChoice } from "../scenario/types.ts";
import type { ShrinkLimits } from "../triage/budget.ts";

const PROVISION_CHOICES = ["auto", "url", "testcontainers", "local"] as const satisfies readonly ProvisionChoice[];

export function integerOption(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  const flag = name.length === 1 ? `-${name}` : `--${name}`;
  if (!Number.isInteger(value) || value < min) throw new ConfigError(`${flag} must be an integer >= ${min}, got "${text}"`, { value: text, hint: `e.g. ${flag} ${Math.max(min, 1)}` });
  return value;
}


export function provisionOption(text: string | undefined): ProvisionChoice | undefined {
  if (text === undefined || (PROVISION_CHOICES as readonly string[]).includes(text)) return text as ProvisionChoice | undefined;
  throw new ConfigError(`--provision must be one of ${PROVISION_CHOICES.join(", ")}, got "${text}"`, { value: text, hint: "e.g. --provision local" });
}

/** Shrink limits from `--shrink-max-replays` (0 turns shrinking off) and `--shrink-max-time` (seconds). */
export function shrinkOptions(values: Record<string, unknown>): Partial<ShrinkLimits> | false {
  const maxReplays = integerOption("shrink-max-replays", values["shrink-max-replays"] as string | undefined, 0);
  const maxTimeSeconds = integerOption("shrink-max-time", values["shrink-max-time"] as string | undefined, 1);
  if (maxReplays === 0) return false;
  return {
    ...(maxReplays === undefined ? {} : { maxReplays }),
    ...(maxTimeSeconds === undefined ? {} : { maxTimeMs: maxTimeSeconds * 1000 }),
  };
}

/** Parses a command's arguments strictly; unknown or malformed options are a ConfigError showing `usage`. */
export function parseCommandArgs(args: string[], options: NonNullable<ParseArgsConfig["options"]>, _usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const unknown = /Unknown option '([^']+)'/.exec(message)?.[1];
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && unknown !== undefined) {
      const known = Object.entries(options).flatMap(([name, spec]) => [`--${name}`, ...(spec.short === undefined ? [] : [`-${spec.short}`])]);
      const suggestion = closestName(unknown, known);
      throw new ConfigError(`unknown option ${unknown}`, { value: unknown, hint: suggestion === undefined ? "poisonpill --help lists the options" : `did you mean ${suggestion}?` });
    }
    // Node's other messages (a missing option value, for example) are one sentence; keep only that.
    throw new ConfigError(message.split(". ")[0]!.replace(/\.$/, ""), { hint: "poisonpill --help lists the options" });
  }
}
