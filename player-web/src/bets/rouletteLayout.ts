import { gameBetKey, type GameBet } from '@live-casino/protocol';
import { pocketColour, ROULETTE_BETS, type RouletteBet, rouletteBetWins } from '@live-casino/protocol/games/roulette';

/**
 * Where each bet of the roulette layout lies on screen: the numbers, the outside boxes, and the
 * lines and corners between numbers that take split, street, corner, six-line and zero bets. Made
 * from the protocol's list of every bet of the layout, so the overlay offers exactly what
 * table-service takes. Units: one number cell is 1 x 1. Landscape: zero on the left, 12 columns
 * of 3 (3 on top); portrait (phones): zero on top, 12 rows of 3 (1 on the left).
 */
export type Orientation = 'landscape' | 'portrait';

export interface LayoutRect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface LayoutCell extends LayoutRect {
  readonly label: string;
  readonly colour: 'red' | 'black' | 'green' | 'none';
}

/** A place to put chips: what it bets, where a click takes it, where its chips stand. */
export interface LayoutSpot {
  readonly key: string;
  readonly bet: RouletteBet;
  /** The clickable area: the whole cell or box; a band along a line; a square on a corner. */
  readonly hit: LayoutRect;
  readonly chipX: number;
  readonly chipY: number;
  /** Inside bets that sit on a line or corner are drawn above the cells. */
  readonly onLine: boolean;
  /** Shown to screen readers and as the tooltip. */
  readonly label: string;
}

export interface RouletteLayout {
  readonly width: number;
  readonly height: number;
  /** Number cells (0-36) and outside boxes, to draw. */
  readonly cells: readonly LayoutCell[];
  /** Every bet, cells first, then lines and corners (drawn last, on top). */
  readonly spots: readonly LayoutSpot[];
}

/** How far from a line a click still means the line (half a band), in cell units. */
const BAND = 0.16;
const ZERO_W = 1;
/** The outside rows: dozens, then the even-money boxes. */
const OUTSIDE_H = 0.8;
const COLUMN_W = 1;

/** Column (0-11) and row (0 = the 1-4-7 row, 2 = the 3-6-9 row) of a number. */
function gridOf(n: number): { col: number; row: number } {
  return { col: Math.floor((n - 1) / 3), row: (n - 1) % 3 };
}

export function rouletteLayout(orientation: Orientation): RouletteLayout {
  // Everything is laid out in landscape terms (u along the 12 columns, v across the 3 rows, the
  // 3-row on top), then mapped: portrait swaps the axes and puts row 0 (1, 4, 7) on the left.
  const U = ZERO_W + 12 + COLUMN_W;
  const V = 3 + 2 * OUTSIDE_H;
  const map = (u: number, v: number): { x: number; y: number } =>
    orientation === 'landscape' ? { x: u, y: v } : { x: v, y: u };
  const rect = (u: number, v: number, du: number, dv: number): LayoutRect => {
    const a = map(u, v);
    const b = map(u + du, v + dv);
    return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(b.x - a.x), h: Math.abs(b.y - a.y) };
  };
  // v of a row: in landscape the 3-row is on top (v 0..1); in portrait row 0 goes left (v 0..1).
  const rowV = (row: number): number => (orientation === 'landscape' ? 2 - row : row);
  const numberRect = (n: number): LayoutRect => {
    if (n === 0) return rect(0, 0, ZERO_W, 3);
    const { col, row } = gridOf(n);
    return rect(ZERO_W + col, rowV(row), 1, 1);
  };
  const centre = (r: LayoutRect): { x: number; y: number } => ({ x: r.x + r.w / 2, y: r.y + r.h / 2 });

  const cells: LayoutCell[] = [];
  const spots: LayoutSpot[] = [];
  const cellSpot = (bet: RouletteBet, r: LayoutRect, label: string, colour: LayoutCell['colour']) => {
    cells.push({ ...r, label, colour });
    const c = centre(r);
    spots.push({ key: gameBetKey(bet), bet, hit: r, chipX: c.x, chipY: c.y, onLine: false, label: describe(bet) });
  };

  for (let n = 0; n <= 36; n++) cellSpot({ type: 'straight', numbers: [n] }, numberRect(n), String(n), pocketColour(n));
  for (const column of [1, 2, 3] as const) {
    cellSpot({ type: 'column', column }, rect(ZERO_W + 12, rowV(column - 1), COLUMN_W, 1), '2 to 1', 'none');
  }
  for (const dozen of [1, 2, 3] as const) {
    cellSpot(
      { type: 'dozen', dozen },
      rect(ZERO_W + 4 * (dozen - 1), 3, 4, OUTSIDE_H),
      `${dozen}${ordinal(dozen)} 12`,
      'none',
    );
  }
  const evens: [RouletteBet, string, LayoutCell['colour']][] = [
    [{ type: 'low' }, '1-18', 'none'],
    [{ type: 'even' }, 'EVEN', 'none'],
    [{ type: 'red' }, 'RED', 'red'],
    [{ type: 'black' }, 'BLACK', 'black'],
    [{ type: 'odd' }, 'ODD', 'none'],
    [{ type: 'high' }, '19-36', 'none'],
  ];
  for (const [i, [bet, label, colour]] of evens.entries()) {
    cellSpot(bet, rect(ZERO_W + 2 * i, 3 + OUTSIDE_H, 2, OUTSIDE_H), label, colour);
  }

  // The lines and corners: where the chip of an inside bet of several numbers stands is the middle
  // of the numbers it covers, moved onto the layout's edge for streets and six lines (by custom,
  // on the line below the 1-row... here the outer edge of row 0) and for the zero bets.
  for (const bet of ROULETTE_BETS) {
    if (!('numbers' in bet) || bet.type === 'straight') continue;
    const { u, v } = linePoint(bet, rowV);
    const hitW = bet.type === 'split' && isAcross(bet) ? 0.6 : 2 * BAND;
    const hitH = bet.type === 'split' && !isAcross(bet) ? 0.6 : 2 * BAND;
    const hit = rect(u - hitW / 2, v - hitH / 2, hitW, hitH);
    const c = map(u, v);
    spots.push({ key: gameBetKey(bet), bet, hit, chipX: c.x, chipY: c.y, onLine: true, label: describe(bet) });
  }
  const size = map(U, V);
  return { width: size.x, height: size.y, cells, spots };
}

/** A split of two numbers in the same column (side by side across the rows), e.g. 1-2. */
function isAcross(bet: Extract<RouletteBet, { numbers: unknown }>): boolean {
  const [a, b] = bet.numbers;
  return bet.type === 'split' && a !== 0 && b !== undefined && b - a === 1;
}

/** In landscape units: the point of the layout where the chip of a multi-number inside bet stands. */
function linePoint(
  bet: Extract<RouletteBet, { numbers: unknown }>,
  rowV: (row: number) => number,
): { u: number; v: number } {
  const ns = bet.numbers;
  const at = (n: number) => {
    const { col, row } = gridOf(n);
    return { u: ZERO_W + col + 0.5, v: rowV(row) + 0.5 };
  };
  const outer = rowV(0) === 0 ? 0 : 3; // the outer edge of row 0 (the 1-4-7 row)
  const mean = (pts: { u: number; v: number }[]) => ({
    u: pts.reduce((s, p) => s + p.u, 0) / pts.length,
    v: pts.reduce((s, p) => s + p.v, 0) / pts.length,
  });
  if (ns.includes(0)) {
    // Zero's splits on the line between 0 and the number; the trios and first four on the corners.
    const others = ns.filter((n) => n !== 0).map(at);
    const m = mean(others);
    if (bet.type === 'firstFour') return { u: ZERO_W, v: outer };
    return { u: ZERO_W, v: bet.type === 'split' ? m.v : m.v };
  }
  switch (bet.type) {
    case 'street':
      return { u: at(ns[0] as number).u, v: outer };
    case 'sixLine':
      return { u: (at(ns[0] as number).u + at(ns[3] as number).u) / 2, v: outer };
    default:
      return mean(ns.map(at));
  }
}

function ordinal(n: number): string {
  return n === 1 ? 'st' : n === 2 ? 'nd' : 'rd';
}

/** A bet in words: "Split 17/20", "Red". */
export function describe(bet: GameBet): string {
  if ('numbers' in bet) {
    const name = bet.type === 'firstFour' ? 'First four' : bet.type === 'sixLine' ? 'Six line' : capital(bet.type);
    return `${name} ${bet.numbers.join('/')}`;
  }
  if ('dozen' in bet) return `Dozen ${bet.dozen}`;
  if ('column' in bet) return `Column ${bet.column}`;
  const names: Record<string, string> = {
    low: '1-18',
    high: '19-36',
    playerPair: 'Player pair',
    bankerPair: 'Banker pair',
  };
  return names[bet.type] ?? capital(bet.type);
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The spots that win on `pocket` (for the win highlight). */
export function winningKeys(pocket: number, layout: RouletteLayout): ReadonlySet<string> {
  return new Set(layout.spots.filter((s) => rouletteBetWins(s.bet, pocket)).map((s) => s.key));
}

/** The spot a click at (x, y) takes: a line or corner if it is on one, else the cell under it. */
export function spotAt(layout: RouletteLayout, x: number, y: number): LayoutSpot | null {
  const inside = (r: LayoutRect) => x >= r.x && x <= r.x + r.w && y >= r.y && y <= r.y + r.h;
  let best: LayoutSpot | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const spot of layout.spots) {
    if (!spot.onLine || !inside(spot.hit)) continue;
    const d = (spot.chipX - x) ** 2 + (spot.chipY - y) ** 2;
    if (d < bestDistance) {
      best = spot;
      bestDistance = d;
    }
  }
  return best ?? layout.spots.find((s) => !s.onLine && inside(s.hit)) ?? null;
}
