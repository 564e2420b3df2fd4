import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/**
 * CPU time of processes from /proc/<pid>/stat (Linux): utime + stime, in clock ticks. Read twice
 * and divided by the wall time between, it is a percentage of one core, the same unit as `top`.
 */

/** USER_HZ: 100 on every Linux architecture Node runs on (sysconf(_SC_CLK_TCK)). */
export const CLOCK_TICKS_PER_S = 100;

export interface ProcStat {
  /** R running, S sleeping, Z zombie, ... */
  state: string;
  utimeTicks: number;
  stimeTicks: number;
}

/** The fields this repository reads from the text of /proc/<pid>/stat. */
export function parseProcStat(stat: string): ProcStat {
  // The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
  const end = stat.lastIndexOf(')');
  if (end < 0) throw new TypeError('not a /proc/<pid>/stat line');
  const fields = stat
    .slice(end + 2)
    .trim()
    .split(/\s+/);
  // After the name: state(3) ppid(4) ... utime(14) stime(15): indexes 0, 11 and 12 from field 3.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new TypeError('malformed /proc/<pid>/stat');
  return { state: fields[0] ?? '', utimeTicks: utime, stimeTicks: stime };
}

/** utime + stime in ticks, from the text of /proc/<pid>/stat. */
export function parseProcStatCpuTicks(stat: string): number {
  const { utimeTicks, stimeTicks } = parseProcStat(stat);
  return utimeTicks + stimeTicks;
}

export async function readCpuTicks(pid: number): Promise<number> {
  return parseProcStatCpuTicks(await readFile(`/proc/${pid}/stat`, 'utf8'));
}

/** /proc/<pid>/stat read now, or undefined when there is no such process or no procfs (macOS). */
export function readProcStatSync(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used, in ms; null when it cannot be read. */
export function processCpuMsSync(pid: number): number | null {
  const stat = readProcStatSync(pid);
  return stat ? ((stat.utimeTicks + stat.stimeTicks) * 1000) / CLOCK_TICKS_PER_S : null;
}

export interface CpuSample {
  at: number;
  ticks: Map<number, number>;
}

export async function sampleCpu(pids: readonly number[]): Promise<CpuSample> {
  const ticks = new Map<number, number>();
  await Promise.all(pids.map(async (pid) => ticks.set(pid, await readCpuTicks(pid))));
  return { at: performance.now(), ticks };
}

/** Percent of one core used by each pid between two samples (pids missing from either are skipped). */
export function cpuPercentBetween(before: CpuSample, after: CpuSample): Map<number, number> {
  const seconds = (after.at - before.at) / 1000;
  const out = new Map<number, number>();
  if (seconds <= 0) return out;
  for (const [pid, t1] of after.ticks) {
    const t0 = before.ticks.get(pid);
    if (t0 === undefined) continue;
    out.set(pid, ((t1 - t0) / CLOCK_TICKS_PER_S / seconds) * 100);
  }
  return out;
}
