/**
 * Errors of the harness itself, as opposed to findings about the consumer.
 * Each carries the offending value and a hint, and maps to a CLI exit code.
 */

export interface HarnessErrorDetails {
  /** The value at fault, shown to the user (already redacted where secret). */
  value?: unknown;
  /** What the user should do next. */
  hint?: string;
  cause?: unknown;
}

export abstract class HarnessError extends Error {
  abstract readonly exitCode: number;
  readonly value?: unknown;
  readonly hint?: string;

  constructor(message: string, details: HarnessErrorDetails = {}) {
    super(message, { cause: details.cause });
    this.value = details.value;
    this.hint = details.hint;
  }

  /** The one-line form the CLI prints: message, then the fix. */
  oneLine(): string {
    const text = this.hint === undefined ? this.message : `${this.message}: ${this.hint}`;
    return text.replace(/\s*\n\s*/g, " ");
  }
}

/** Invalid usage, scenario, schema or option. CLI exit code 2. */
export class ConfigError extends HarnessError {
  override readonly name = "ConfigError";
  readonly exitCode = 2;
}

/** The environment failed: broker unreachable, consumer never ready. CLI exit code 3. */
export class EnvironmentError extends HarnessError {
  override readonly name = "EnvironmentError";
  readonly exitCode = 3;
}

/** Turns anything thrown (a consumer's callback may throw non-Errors) into a readable line. */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return `${thrown.name}: ${thrown.message}`;
  try {
    return typeof thrown === "string" ? thrown : JSON.stringify(thrown) ?? String(thrown);
  } catch {
    return Object.prototype.toString.call(thrown);
  }
}
