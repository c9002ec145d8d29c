import type { RunReport } from "../report/types.ts";

/**
 * Shows a payload safely on one line: printable ASCII as is, everything else
 * escaped, cut at `max` bytes; `(empty)` for a payload of no bytes.
 */
export function showPayload(bytes: Uint8Array, max = 80): string {
  if (bytes.length === 0) return "(empty)";
  let text = "";
  for (const byte of bytes.subarray(0, max)) {
    if (byte >= 0x20 && byte < 0x7f && byte !== 0x5c) text += String.fromCharCode(byte);
    else if (byte === 0x5c) text += "\\\\";
    else if (byte === 0x0a) text += "\\n";
    else if (byte === 0x0d) text += "\\r";
    else text += `\\x${byte.toString(16).padStart(2, "0")}`;
  }
  return bytes.length > max ? `${text}… (${bytes.length} bytes)` : text;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd()).join("\n");
}

/** Payload bytes shown per finding under the summary table: enough for a typical JSON order with its mutated field. */
const SUMMARY_PAYLOAD_BYTES = 200;

/** Formats the end-of-run summary the CLI prints. */
export function formatSummary(report: RunReport): string {
  const { stats } = report;
  const skipped = stats.skipped > 0 ? `, ${stats.skipped} skipped (mutations that kept causing a known finding)` : "";
  const head = `${report.scenario}: ${stats.sent} messages sent${skipped}, ${stats.acknowledged} acknowledged, ${stats.consumerStarts} consumer starts, ${stats.replays} replays, ${(stats.durationMs / 1000).toFixed(1)} s, seed ${report.seed}`;
  const corpus = report.corpus;
  const corpusLine = corpus === undefined ? "" : `\ncorpus ${corpus.dir}: ${corpus.replayed.length} case(s) replayed, ${corpus.failed.length} failed again, ${corpus.added.length} added`;
  if (report.findings.length === 0) return `${head}${corpusLine}\nno findings`;
  const rows = [["detector", "reproduced", "count", "class", "mutation", "bytes", "replay"]];
  const payloads: string[] = [];
  for (const finding of report.findings) {
    rows.push([
      finding.detector,
      finding.reproduced ? "yes" : "NO",
      String(finding.count),
      finding.class,
      finding.mutation,
      String(finding.payload.size),
      finding.replayCommand,
    ]);
    // Under the table, so a long payload shows its mutated part without widening every row.
    payloads.push(`${finding.id}: ${showPayload(Buffer.from(finding.payload.base64, "base64"), SUMMARY_PAYLOAD_BYTES)}`);
  }
  return `${head}${corpusLine}\n${report.findings.length} finding(s):\n${table(rows)}\npayloads:\n${payloads.map((line) => `  ${line}`).join("\n")}`;
}
