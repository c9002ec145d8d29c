import { createHash } from "node:crypto";
import type { Detector } from "./types.ts";

/** Stack frames kept in a crash signature: enough to tell bugs apart, few enough to survive refactors of callers. */
const SIGNATURE_FRAMES = 3;

/**
 * Frames that vary between crashes of one bug: library internals and code
 * generated at run time. protobufjs, for example, compiles its decoder on the
 * first `decode` call, so the first crash of a process has a setup frame more.
 */
function isLibraryFrame(frame: string): boolean {
  return frame.includes("/node_modules/") || frame.includes("node:internal") || frame.includes("(eval at ") || frame.startsWith("eval at ");
}

/**
 * Extracts the error type and the top application frames from a consumer's
 * output: where the error escaped the consumer's own code, not which
 * library function threw it. Line numbers, columns, addresses and
 * directories are removed, so the same bug hit by different payloads yields
 * the same text.
 */
export function normalizeStack(output: string): string {
  const lines = output.split("\n").map((line) => line.trim());
  // The last stack trace in the output is the one that killed the process.
  let end = lines.length - 1;
  while (end >= 0 && !lines[end]!.startsWith("at ")) end -= 1;
  if (end < 0) return "";
  let begin = end;
  while (begin > 0 && lines[begin - 1]!.startsWith("at ")) begin -= 1;
  const stack = lines.slice(begin, end + 1).map((line) => line.slice(3));
  const application = stack.filter((frame) => !isLibraryFrame(frame));
  // A crash entirely inside libraries still needs frames to tell bugs apart.
  const frames = (application.length > 0 ? application : stack).slice(0, SIGNATURE_FRAMES).map(normalizeFrame);
  let errorType = "";
  for (let i = begin - 1; i >= Math.max(0, begin - 5); i -= 1) {
    const error = /^(?:Uncaught\s+)?((?:[A-Z][A-Za-z0-9_]*)?(?:Error|Exception))\b/.exec(lines[i]!);
    if (error) {
      errorType = error[1]!;
      break;
    }
  }
  return [errorType, ...frames].filter(Boolean).join(" < ");
}

function normalizeFrame(frame: string): string {
  return frame
    // Node prints an error's own properties after the last frame, opening with " {".
    .replace(/\s*\{$/, "")
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
