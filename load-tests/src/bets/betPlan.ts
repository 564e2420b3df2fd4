/**
 * Pure arithmetic of the bets bench: when each player bets within a window, which bet they place,
 * and how acknowledgements and settlements are tallied. No I/O, so it is tested without a bench.
 */

/** A deterministic PRNG (mulberry32): the same seed gives the same bet timings run after run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface WindowShape {
  /** Length of the betting window. */
  windowMs: number;
  /** Share of the bets placed in the last `burstMs` of the window (players wait for the last second). */
  burstShare: number;
  burstMs: number;
  /** No bet is sent later than this before the close (a player's click still needs to reach the server). */
  marginMs: number;
}

/**
 * When (ms after betting opened) each of `count` players sends their one bet: `burstShare` of them
 * uniformly in the last `burstMs` before `windowMs - marginMs`, the rest uniformly before that.
 */
export function betOffsetsMs(count: number, shape: WindowShape, random: () => number): number[] {
  const { windowMs, burstShare, burstMs, marginMs } = shape;
  if (!(windowMs > 0) || !(burstMs > 0) || marginMs < 0 || burstMs + marginMs > windowMs) {
    throw new RangeError('window too short for its burst and margin');
  }
  if (!(burstShare >= 0 && burstShare <= 1)) throw new RangeError('burstShare must be within 0..1');
  const end = windowMs - marginMs;
  const burstStart = end - burstMs;
  const burst = Math.round(count * burstShare);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(i < burst ? burstStart + random() * burstMs : random() * burstStart);
  }
  // Shuffle so that which player is in the burst does not follow its index.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export type BenchBet =
  | { type: 'red' | 'black' | 'odd' | 'even' | 'low' | 'high' }
  | { type: 'straight'; numbers: [number] };

const OUTSIDE = ['red', 'black', 'odd', 'even', 'low', 'high'] as const;

/** A mix of roulette bets (mostly even money, some straight-ups) and a stake within the table limits. */
export function pickBet(random: () => number): { bet: BenchBet; stake: number } {
  if (random() < 0.2) {
    return {
      bet: { type: 'straight', numbers: [Math.floor(random() * 37)] },
      stake: 10 + Math.floor(random() * 90) * 10,
    };
  }
  return {
    bet: { type: OUTSIDE[Math.floor(random() * OUTSIDE.length)]! },
    stake: 100 + Math.floor(random() * 10) * 100,
  };
}

/** Counts by key, e.g. rejections by error code. */
export function tally(into: Record<string, number>, key: string, n = 1): Record<string, number> {
  into[key] = (into[key] ?? 0) + n;
  return into;
}

export function mergeTallies(...tallies: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of tallies) for (const [k, n] of Object.entries(t)) tally(out, k, n);
  return out;
}

/** What the database says of one bet a player was told was accepted. */
export interface SettledBetRow {
  /** Whether the bet row exists. */
  present: boolean;
  status: string | null;
  /**
   * Settlement transfers of the bet: one `settle:loss:`, `settle:stake:` or `void:` transfer each
   * (a win's `settle:win:` goes with its `settle:stake:` and is not counted again).
   */
  settlements: number;
}

export interface SettlementAudit {
  checked: number;
  /** Acked OK, but absent from the database or never settled. */
  lost: number;
  /** More than one settlement. */
  doubleSettled: number;
}

const SETTLED = new Set(['won', 'lost', 'push', 'refunded']);

export function auditSettlements(rows: Iterable<SettledBetRow>): SettlementAudit {
  const audit: SettlementAudit = { checked: 0, lost: 0, doubleSettled: 0 };
  for (const row of rows) {
    audit.checked++;
    if (!row.present || row.status === null || !SETTLED.has(row.status) || row.settlements === 0) audit.lost++;
    else if (row.settlements > 1) audit.doubleSettled++;
  }
  return audit;
}

/** Parses `--name value` flags of positive numbers. */
export function numberFlag(argv: readonly string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`--${name} must be a positive number`);
  return value;
}
