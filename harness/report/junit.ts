import { formatFinding } from "./format-finding.ts";
import type { RunReport } from "./types.ts";

/** Removes characters XML 1.0 forbids (control characters other than tab, newline and carriage return, lone surrogates, U+FFFE and U+FFFF). */
function xmlSafe(text: string): string {
  return text.replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD");
}

function escapeXml(text: string): string {
  return xmlSafe(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/**
 * Renders run reports as JUnit XML: one `<testsuite>` per scenario and one
 * `<testcase>` per detector that watched it, with a `<failure>` per finding
 * of that detector (its summary, replay command and directory). A
 * `<testcase>` with several findings carries several `<failure>` elements,
 * which Jenkins and GitLab show one by one.
 */
export function toJUnitXml(reports: readonly RunReport[]): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const totalTests = reports.reduce((sum, report) => sum + report.detectors.length, 0);
  const totalFailures = reports.reduce((sum, report) => sum + new Set(report.findings.map((finding) => finding.detector)).size, 0);
  const totalSeconds = reports.reduce((sum, report) => sum + report.stats.durationMs, 0) / 1000;
  lines.push(`<testsuites name="poisonpill" tests="${totalTests}" failures="${totalFailures}" errors="0" time="${totalSeconds.toFixed(3)}">`);

  for (const report of reports) {
    const failing = new Set(report.findings.map((finding) => finding.detector));
    const seconds = (report.stats.durationMs / 1000).toFixed(3);
    lines.push(`  <testsuite name="${escapeXml(report.scenario)}" tests="${report.detectors.length}" failures="${failing.size}" errors="0" skipped="0" time="${seconds}">`);
    lines.push("    <properties>");
    lines.push(`      <property name="seed" value="${report.seed}"/>`);
    lines.push(`      <property name="messagesSent" value="${report.stats.sent}"/>`);
    if (report.scenarioFile !== undefined) lines.push(`      <property name="scenarioFile" value="${escapeXml(report.scenarioFile)}"/>`);
    lines.push("    </properties>");
    for (const detector of report.detectors) {
      const findings = report.findings.filter((finding) => finding.detector === detector);
      const testcase = `    <testcase classname="poisonpill.${escapeXml(report.scenario)}" name="${escapeXml(detector)}" time="${seconds}"`;
      if (findings.length === 0) {
        lines.push(`${testcase}/>`);
        continue;
      }
      lines.push(`${testcase}>`);
      for (const finding of findings) {
        const message = `${finding.detector} ${finding.id}: ${finding.signature}`;
        lines.push(`      <failure type="${escapeXml(finding.detector)}" message="${escapeXml(message)}">${escapeXml(formatFinding(finding, report.seed))}</failure>`);
      }
      lines.push("    </testcase>");
    }
    lines.push("  </testsuite>");
  }
  lines.push("</testsuites>");
  return `${lines.join("\n")}\n`;
}
