import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Resource use of a process group at one moment, summed over its live members. */
export interface GroupUsage {
  /** Resident set size, in bytes. */
  rssBytes: number;
  /** User plus system CPU time consumed so far, in milliseconds. */
  cpuMs: number;
  /**
   * Milliseconds the main threads spent on a CPU or waiting in a run queue
   * for one (/proc/<pid>/schedstat). A spinning thread accrues wall-clock
   * time here even when other processes keep it off the CPU; a thread
   * blocked on I/O or a lock accrues nothing. Undefined where the kernel does
   * not report it.
   */
  busyMs: number | undefined;
  /** Live processes found in the group. */
  processes: number;
  /** When the reading was taken (Date.now()). */
  atMs: number;
}

let systemConstants: { ticksPerSecond: number; pageBytes: number } | undefined;

function readConstant(name: string, fallback: number): number {
  try {
    const value = Number(execFileSync("getconf", [name], { encoding: "utf8", timeout: 2_000 }).trim());
    return Number.isInteger(value) && value > 0 ? value : fallback;
  } catch {
    return fallback;
  }
}

/** Clock ticks per second and page size; Linux on x86-64 and arm64 uses 100 and 4096 unless configured otherwise. */
function constants(): { ticksPerSecond: number; pageBytes: number } {
  systemConstants ??= { ticksPerSecond: readConstant("CLK_TCK", 100), pageBytes: readConstant("PAGESIZE", 4096) };
  return systemConstants;
}

interface ProcStat {
  pgrp: number;
  cpuTicks: number;
  rssPages: number;
}

/**
 * Parses /proc/<pid>/stat. The command name (field 2) may contain spaces and
 * parentheses, so fields are counted from its last ')'.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(")");
  if (close < 0) return undefined;
  // After ")": state is field 3, pgrp field 5, utime 14, stime 15, rss 24.
  const fields = text.slice(close + 2).split(" ");
  const field = (n: number) => Number(fields[n - 3]);
  const pgrp = field(5);
  const cpuTicks = field(14) + field(15);
  const rssPages = field(24);
  if (![pgrp, cpuTicks, rssPages].every(Number.isFinite)) return undefined;
  return { pgrp, cpuTicks, rssPages };
}

/**
 * Sums RSS and CPU time over every process whose process group is `pgid`
 * (the consumer and any children it started). Returns undefined when no
 * process of the group is left or /proc is unavailable (not Linux).
 * Zombies count with their CPU time and no memory.
 */
export function readGroupUsage(pgid: number): GroupUsage | undefined {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return undefined;
  }
  const { ticksPerSecond, pageBytes } = constants();
  let rssPages = 0;
  let cpuTicks = 0;
  let processes = 0;
  let busyNs: number | undefined = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // The process exited between readdir and read.
    }
    const stat = parseProcStat(text);
    if (stat === undefined || stat.pgrp !== pgid) continue;
    rssPages += stat.rssPages;
    cpuTicks += stat.cpuTicks;
    processes += 1;
    if (busyNs !== undefined) busyNs = addSchedstat(busyNs, entry);
  }
  if (processes === 0) return undefined;
  const busyMs = busyNs === undefined ? undefined : busyNs / 1e6;
  return { rssBytes: rssPages * pageBytes, cpuMs: (cpuTicks * 1000) / ticksPerSecond, busyMs, processes, atMs: Date.now() };
}

/** Adds run time plus run-queue wait of a process's main thread, in nanoseconds; undefined when unreadable. */
function addSchedstat(totalNs: number, pid: string): number | undefined {
  try {
    const [runNs, waitNs] = readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ").map(Number);
    if (!Number.isFinite(runNs) || !Number.isFinite(waitNs)) return undefined;
    return totalNs + runNs! + waitNs!;
  } catch {
    return undefined;
  }
}
