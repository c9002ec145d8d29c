import { showPayload } from "../cli/summary.ts";
import type { ReportFinding, RunReport } from "./types.ts";

/** Characters of the payload shown in a summary; enough for a minimal reproducer. */
const PAYLOAD_PREVIEW_CHARS = 300;

/** Describes one finding in a few lines: detector, minimal payload, seed and path, replay command, directory. */
export function formatFinding(finding: ReportFinding, seed: number): string {
  const payload = Buffer.from(finding.payload.base64, "base64");
  const lines = [
    `${finding.detector} ${finding.id} (seen ${finding.count} time${finding.count === 1 ? "" : "s"}${finding.reproduced ? "" : ", NOT reproduced"}): ${finding.signature}`,
    `  minimal payload (${payload.length} bytes, ${finding.class} ${finding.mutation}): ${showPayload(payload, PAYLOAD_PREVIEW_CHARS)}`,
  ];
  if (finding.shrink !== undefined) {
    const originalBytes = Buffer.from(finding.shrink.original.base64, "base64").length;
    lines.push(`  shrunk from ${originalBytes} bytes in ${finding.shrink.replays} replays (${finding.shrink.stoppedBy})`);
  }
  if (finding.messageCount > 1) lines.push(`  sent after ${finding.messageCount - 1} other message(s); see the finding directory`);
  lines.push(`  seed ${seed}${finding.samplePath === undefined ? "" : `, sample path ${finding.samplePath}`}`);
  lines.push(`  replay: ${finding.replayCommand}`);
  lines.push(`  directory: ${finding.dir}`);
  return lines.join("\n");
}

/** Describes every finding of a run, for a thrown assertion or a CI log. */
export function formatFindings(report: RunReport): string {
  const head = `poisonpill: ${report.findings.length} finding(s) in scenario ${report.scenario} (seed ${report.seed}, ${report.stats.sent} messages sent${report.stats.skipped > 0 ? `, ${report.stats.skipped} skipped` : ""})`;
  const corpus = report.corpus === undefined || report.corpus.failed.length === 0 ? [] : [`regression cases that failed again: ${report.corpus.failed.join(", ")}`];
  return [head, ...corpus, ...report.findings.map((finding, index) => `${index + 1}. ${formatFinding(finding, report.seed)}`)].join("\n");
}
