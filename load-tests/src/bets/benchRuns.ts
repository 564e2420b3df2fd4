/**
 * Pure arithmetic of the bets bench's repeated runs: each configuration (Postgres, players) runs
 * several times; a metric is reported as the median of its runs with their spread (min–max), and
 * the README's table is rendered from that JSON, never typed by hand.
 */

/** What one run of `bench:bets --single` prints as its last line, as far as the summary uses it. */
export interface BetsRun {
  players: number;
  players_connected: number;
  postgres: { kind: 'embedded' | 'external'; version: string | null };
  ack_ms: { p50: number | null; p95: number | null; p99: number | null };
  ack_ms_last_second: { p99: number | null };
  bets_per_s: number;
  pg_commit_per_s: number;
  ratio: number | null;
  phase_a: { bets: number; db_xacts: number; round_trips_per_bet: number | null };
  saturation: { bets: number; db_xacts: number; bets_per_db_xact: number | null; round_trips_per_bet: number | null };
  lost: number;
  double_settled: number;
  late_refunded: number;
  ledger_check_ok: boolean;
  /** CPU that other processes took (percent of one core) per round and in saturation: how quiet the machine was. */
  rounds_detail?: { other_cpu_pct?: number | null }[];
  saturation_cpu?: { other_cpu_pct?: number | null };
}

/** The most CPU other processes took in any phase of a run (percent of one core). */
export function otherCpuPct(r: BetsRun): number | null {
  const phases = [...(r.rounds_detail ?? []).map((d) => d.other_cpu_pct), r.saturation_cpu?.other_cpu_pct];
  const known = phases.filter((x): x is number => typeof x === 'number');
  return known.length > 0 ? Math.max(...known) : null;
}

export interface Spread {
  median: number | null;
  min: number | null;
  max: number | null;
}

/** Median (mean of the middle two for an even count) and range of the finite values. */
export function spreadOf(values: readonly (number | null | undefined)[]): Spread {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { median: null, min: null, max: null };
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { median, min: v[0]!, max: v[v.length - 1]! };
}

export const SUMMARY_METRICS = {
  ack_p50_ms: (r: BetsRun) => r.ack_ms.p50,
  ack_p95_ms: (r: BetsRun) => r.ack_ms.p95,
  ack_p99_ms: (r: BetsRun) => r.ack_ms.p99,
  ack_p99_last_second_ms: (r: BetsRun) => r.ack_ms_last_second.p99,
  bets_per_s: (r: BetsRun) => r.bets_per_s,
  pg_commit_per_s: (r: BetsRun) => r.pg_commit_per_s,
  ratio: (r: BetsRun) => r.ratio,
  saturation_bets_per_db_xact: (r: BetsRun) => r.saturation.bets_per_db_xact,
  saturation_round_trips_per_bet: (r: BetsRun) => r.saturation.round_trips_per_bet,
  phase_a_db_xacts_per_bet: (r: BetsRun) => (r.phase_a.bets > 0 ? r.phase_a.db_xacts / r.phase_a.bets : null),
  phase_a_round_trips_per_bet: (r: BetsRun) => r.phase_a.round_trips_per_bet,
  other_cpu_pct: otherCpuPct,
} as const;

export type MetricName = keyof typeof SUMMARY_METRICS;

export interface ConfigSummary {
  postgres: 'embedded' | 'external';
  pg_version: string | null;
  players: number;
  runs: number;
  metrics: Record<MetricName, Spread>;
  /** Summed over the runs: money must never be lost, whatever the timing. */
  lost: number;
  double_settled: number;
  late_refunded: number;
  ledger_check_ok: boolean;
  /** The acceptance, judged on the medians. */
  targets: Record<string, boolean>;
}

export function summarizeConfig(runs: readonly BetsRun[]): ConfigSummary {
  if (runs.length === 0) throw new RangeError('no runs to summarize');
  const first = runs[0]!;
  const metrics = Object.fromEntries(
    Object.entries(SUMMARY_METRICS).map(([name, pick]) => [name, spreadOf(runs.map(pick))]),
  ) as Record<MetricName, Spread>;
  const p99Limit = first.players > 5000 ? 50 : 25;
  const le = (s: Spread, limit: number) => s.median !== null && s.median <= limit;
  const ge = (s: Spread, limit: number) => s.median !== null && s.median >= limit;
  const lost = runs.reduce((n, r) => n + r.lost, 0);
  const doubleSettled = runs.reduce((n, r) => n + r.double_settled, 0);
  const ledgerOk = runs.every((r) => r.ledger_check_ok);
  return {
    postgres: first.postgres.kind,
    pg_version: first.postgres.version,
    players: first.players,
    runs: runs.length,
    metrics,
    lost,
    double_settled: doubleSettled,
    late_refunded: runs.reduce((n, r) => n + r.late_refunded, 0),
    ledger_check_ok: ledgerOk,
    targets: {
      [`ack_p99_le_${p99Limit}ms`]: le(metrics.ack_p99_ms, p99Limit),
      [`ack_p99_last_second_le_${p99Limit}ms`]: le(metrics.ack_p99_last_second_ms, p99Limit),
      ratio_ge_3: ge(metrics.ratio, 3),
      bets_per_db_xact_ge_100: ge(metrics.saturation_bets_per_db_xact, 100),
      money_ok: lost === 0 && doubleSettled === 0 && ledgerOk,
    },
  };
}

/** Runs of the same configuration together, in first-seen order. */
export function groupRuns(runs: readonly BetsRun[]): BetsRun[][] {
  const groups = new Map<string, BetsRun[]>();
  for (const r of runs) {
    const key = `${r.postgres.kind}:${r.players}`;
    const g = groups.get(key) ?? [];
    g.push(r);
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** The bench's results file: where and on what it ran, every run, and the summary per configuration. */
export interface BetsResults {
  bench: 'bets';
  date: string;
  git: { commit: string; dirty: boolean };
  machine: { cpu: string; cores: number; mem_gb: number; node: string; platform: string; load_avg_at_start: number[] };
  options: Record<string, unknown>;
  runs: BetsRun[];
  summary: ConfigSummary[];
}

function fmt(n: number | null, digits = 0): string {
  if (n === null) return '–';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `median (min–max)`, or only the median for a single run. */
export function fmtSpread(s: Spread, digits = 0): string {
  if (s.median === null) return '–';
  if (s.min === s.max) return fmt(s.median, digits);
  return `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
}

export const TABLE_START = '<!-- bench:bets results: generated by `npm run bench:bets:report`; do not edit by hand -->';
export const TABLE_END = '<!-- /bench:bets results -->';

/** The README's section: where and when, then one row per configuration (median of its runs, with min–max). */
export function renderTable(results: BetsResults): string {
  const m = results.machine;
  const lines = [
    `Measured ${results.date.slice(0, 10)} at commit \`${results.git.commit.slice(0, 10)}\`${results.git.dirty ? ' (with local changes)' : ''}, ` +
      `${m.cpu}, ${m.cores} cores, ${fmt(m.mem_gb, 1)} GB RAM, Node ${m.node}; load average at start ${m.load_avg_at_start.map((x) => x.toFixed(2)).join(' / ')}. ` +
      'Each cell: median of the runs (min–max).',
    '',
    '| Postgres | players | runs | ack p50 / p95 / p99, phase a (ms) | p99 last second (ms) | bets/s, saturation | pg_commit_per_s | ratio | bets per db xact | round trips per bet (a / sat.) | lost / double / late-refunded | ledger:check | CPU of other processes, worst phase (% of a core) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of results.summary) {
    const x = s.metrics;
    lines.push(
      [
        '',
        `${s.postgres} ${s.pg_version ?? ''}`.trim(),
        fmt(s.players),
        String(s.runs),
        `${fmtSpread(x.ack_p50_ms, 1)} / ${fmtSpread(x.ack_p95_ms, 1)} / ${fmtSpread(x.ack_p99_ms, 1)}`,
        fmtSpread(x.ack_p99_last_second_ms, 1),
        fmtSpread(x.bets_per_s),
        fmtSpread(x.pg_commit_per_s),
        fmtSpread(x.ratio, 2),
        fmtSpread(x.saturation_bets_per_db_xact),
        `${fmtSpread(x.phase_a_round_trips_per_bet, 2)} / ${fmtSpread(x.saturation_round_trips_per_bet, 4)}`,
        `${s.lost} / ${s.double_settled} / ${s.late_refunded}`,
        s.ledger_check_ok ? 'OK' : 'FAILED',
        fmtSpread(x.other_cpu_pct),
        '',
      ]
        .join(' | ')
        .trim(),
    );
  }
  const unmet = results.summary.flatMap((s) =>
    Object.entries(s.targets)
      .filter(([, ok]) => !ok)
      .map(([t]) => `${s.postgres}/${s.players}: ${t}`),
  );
  lines.push(
    '',
    unmet.length === 0 ? 'Targets met on the medians.' : `Targets missed on the medians: ${unmet.join('; ')}.`,
  );
  return lines.join('\n');
}

/** `readme` with the text between the markers replaced by `table` (markers kept); throws without them. */
export function spliceTable(readme: string, table: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error('the README has no bench:bets results markers');
  return `${readme.slice(0, start + TABLE_START.length)}\n${table}\n${readme.slice(end)}`;
}
