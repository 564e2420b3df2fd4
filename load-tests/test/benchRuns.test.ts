import { describe, expect, it } from 'vitest';
import {
  type BetsResults,
  type BetsRun,
  fmtSpread,
  groupRuns,
  renderTable,
  spliceTable,
  spreadOf,
  summarizeConfig,
  TABLE_END,
  TABLE_START,
} from '../src/bets/benchRuns.js';

function run(over: Partial<BetsRun> & { p99?: number; kind?: 'embedded' | 'external' } = {}): BetsRun {
  const { p99 = 10, kind = 'embedded', ...rest } = over;
  return {
    players: 5000,
    players_connected: 5000,
    postgres: { kind, version: '15.18' },
    ack_ms: { p50: 2, p95: 5, p99 },
    ack_ms_last_second: { p99: p99 + 1 },
    bets_per_s: 12_000,
    pg_commit_per_s: 3000,
    ratio: 4,
    phase_a: { bets: 15_000, db_xacts: 3000, round_trips_per_bet: 0.2 },
    saturation: { bets: 180_000, db_xacts: 200, bets_per_db_xact: 900, round_trips_per_bet: 0.0011 },
    lost: 0,
    double_settled: 0,
    late_refunded: 0,
    ledger_check_ok: true,
    ...rest,
  };
}

describe('spreadOf', () => {
  it('is the median and range of the finite values', () => {
    expect(spreadOf([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(spreadOf([4, 1, 2, 3])).toEqual({ median: 2.5, min: 1, max: 4 });
    expect(spreadOf([null, 5, undefined, Number.NaN])).toEqual({ median: 5, min: 5, max: 5 });
    expect(spreadOf([])).toEqual({ median: null, min: null, max: null });
  });
  it('prints the median with its range', () => {
    expect(fmtSpread({ median: 12.34, min: 10, max: 20 }, 1)).toBe('12.3 (10.0–20.0)');
    expect(fmtSpread({ median: 7, min: 7, max: 7 })).toBe('7');
  });
});

describe('summarizeConfig', () => {
  it('judges the targets on the medians, and money on every run', () => {
    const s = summarizeConfig([run({ p99: 10 }), run({ p99: 40 }), run({ p99: 20 })]);
    expect(s.metrics.ack_p99_ms).toEqual({ median: 20, min: 10, max: 40 });
    expect(s.targets).toMatchObject({ ack_p99_le_25ms: true, ratio_ge_3: true, bets_per_db_xact_ge_100: true });
    expect(s.targets.money_ok).toBe(true);
    expect(summarizeConfig([run(), run({ lost: 1 }), run()]).targets.money_ok).toBe(false);
    expect(summarizeConfig([run({ players: 10_000, p99: 45 })]).targets.ack_p99_le_50ms).toBe(true);
  });
  it('groups runs by Postgres and players', () => {
    const groups = groupRuns([run(), run({ kind: 'external' }), run(), run({ players: 10_000 })]);
    expect(groups.map((g) => g.length)).toEqual([2, 1, 1]);
  });
});

describe('the README table', () => {
  const results: BetsResults = {
    bench: 'bets',
    date: '2026-12-04T18:00:00.000Z',
    git: { commit: 'abcdef0123456789', dirty: false },
    machine: {
      cpu: 'Xeon',
      cores: 2,
      mem_gb: 23.5,
      node: 'v20',
      platform: 'linux-x64',
      load_avg_at_start: [0.1, 0.2, 0.3],
    },
    options: {},
    runs: [run(), run()],
    summary: [summarizeConfig([run(), run()])],
  };
  it('names the date, the commit and the machine, and has a row per configuration', () => {
    const table = renderTable(results);
    expect(table).toContain('2026-12-04');
    expect(table).toContain('abcdef0123');
    expect(table).toContain('2 cores');
    expect(table.split('\n').filter((l) => l.startsWith('| embedded'))).toHaveLength(1);
  });
  it('replaces only what is between the markers', () => {
    const readme = `# x\n${TABLE_START}\nold\n${TABLE_END}\nafter\n`;
    const next = spliceTable(readme, 'new');
    expect(next).toBe(`# x\n${TABLE_START}\nnew\n${TABLE_END}\nafter\n`);
    expect(spliceTable(next, 'new')).toBe(next);
    expect(() => spliceTable('# no markers', 'new')).toThrow(/markers/);
  });
});
