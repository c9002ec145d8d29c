import { formatWithOptions, type InspectOptions } from "node:util";
import createDebug from "debug";
import { redactText } from "./brokers/url-guard.ts";

/**
 * Makes every `debug` logger of the process redact broker URLs before
 * writing, so DEBUG=poisonpill:* never prints a password or token, whichever
 * module formatted the line. Writes to stderr like debug's own Node logger.
 */
export function redactDebugOutput(): void {
  // debug fills inspectOpts from DEBUG_COLORS, DEBUG_DEPTH and similar variables; its types are looser than util's.
  const inspectOptions = (createDebug.inspectOpts ?? {}) as InspectOptions;
  createDebug.log = (...args: unknown[]): boolean => process.stderr.write(`${redactText(formatWithOptions(inspectOptions, ...args))}\n`);
}
