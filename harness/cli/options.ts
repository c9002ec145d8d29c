import { parseArgs, type ParseArgsConfig } from "node:util";
import { ConfigError } from "../errors.ts";
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

/** The known option closest to a mistyped one, if any is close. */
function closestOption(typed: string, known: string[]): string | undefined {
  const score = (a: string, b: string): number => {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i += 1) {
      const current = [i];
      for (let j = 1; j <= b.length; j += 1) current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
      previous = current;
    }
    return previous[b.length]!;
  };
  const ranked = known.map((name) => ({ name, distance: score(typed, name) })).sort((x, y) => x.distance - y.distance);
  const best = ranked[0];
  return best !== undefined && best.distance <= Math.max(2, Math.floor(typed.length / 3)) ? best.name : undefined;
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
      const suggestion = closestOption(unknown, known);
      throw new ConfigError(`unknown option ${unknown}`, { value: unknown, hint: suggestion === undefined ? "poisonpill --help lists the options" : `did you mean ${suggestion}?` });
    }
    // Node's other messages (a missing option value, for example) are one sentence; keep only that.
    throw new ConfigError(message.split(". ")[0]!.replace(/\.$/, ""), { hint: "poisonpill --help lists the options" });
  }
}
