import { createHash } from "node:crypto";
import type { Detector } from "./types.ts";

/** Stack frames kept in a crash signature: enough to tell bugs apart, few enough to survive refactors of callers. */
const SIGNATURE_FRAMES = 3;

/**
 * Extracts the error type and top stack frames from a consumer's output,
 * with line numbers, columns, addresses and process ids removed, so the same
 * bug hit by different payloads yields the same text.
 */
export function normalizeStack(output: string): string {
  const lines = output.split("\n").map((line) => line.trim());
  // The last stack trace in the output is the one that killed the process.
  let end = lines.length - 1;
  while (end >= 0 && !lines[end]!.startsWith("at ")) end -= 1;
  if (end < 0) return "";
  let begin = end;
  while (begin > 0 && lines[begin - 1]!.startsWith("at ")) begin -= 1;
  const frames = lines.slice(begin, Math.min(end + 1, begin + SIGNATURE_FRAMES)).map((line) => normalizeFrame(line.slice(3)));
  let errorType = "";
  for (let i = begin - 1; i >= Math.max(0, begin - 5); i -= 1) {
    const error = /^(?:Uncaught\s+)?([A-Z][A-Za-z0-9_]*(?:Error|Exception))\b/.exec(lines[i]!);
    if (error) {
      errorType = error[1]!;
      break;
    }
  }
  return [errorType, ...frames].filter(Boolean).join(" < ");
}

function normalizeFrame(frame: string): string {
  return frame
    .replace(/file:\/\//g, "")
    .replace(/:\d+(?::\d+)?(?=\)|$)/g, "")
    .replace(/0x[0-9a-f]+/gi, "0x?")
    .replace(/(?:[^\s()]*\/)([^/\s()]+)/g, "$1")
    .trim();
}

export function crashSignature(exitCode: number | null, signal: string | null, output: string): string {
  const status = signal === null ? `exit=${exitCode}` : `signal=${signal}`;
  const stack = normalizeStack(output);
  return `crash:${status}${stack ? `:${stack}` : ""}`;
}

export function hangSignature(): string {
  return "hang";
}

export function invariantSignature(name: string): string {
  return `invariant:${name}`;
}

/** Derives a stable, filesystem-safe finding id: the detector plus a hash of the signature. */
export function findingId(detector: Detector, signature: string): string {
  const hash = createHash("sha256").update(signature).digest("hex").slice(0, 10);
  return `${detector}-${hash}`;
}
