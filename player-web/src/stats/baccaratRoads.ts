import type { Card } from '@live-casino/protocol/games/baccarat';
import { baccaratHands } from '../bets/outcome.js';

/**
 * The scoreboards ("roads") of a baccarat table, drawn from its coups in the order they were
 * played. Pure: the panel builds them from the table's results.
 */

/** Every road is six rows high, as on the casino's own boards. */
export const ROAD_ROWS = 6;

export type CoupWinner = 'player' | 'banker' | 'tie';

/** What a road needs of a coup. */
export interface CoupOutcome {
  readonly winner: CoupWinner;
  /** The side's first two cards are of the same rank. */
  readonly playerPair: boolean;
  readonly bankerPair: boolean;
}

export interface RoadCell {
  readonly row: number;
  readonly col: number;
}

export interface BeadCell extends RoadCell, CoupOutcome {}

export interface BeadRoad {
  readonly cells: readonly BeadCell[];
  readonly columns: number;
}

export interface BigRoadCell extends RoadCell {
  readonly winner: Exclude<CoupWinner, 'tie'>;
  /** Ties dealt after this coup and before the next win (and, on the first cell, those before it). */
  readonly ties: number;
  readonly playerPair: boolean;
  readonly bankerPair: boolean;
}

export interface BigRoad {
  readonly cells: readonly BigRoadCell[];
  readonly columns: number;
  /**
   * Ties dealt before the first player or banker win. The road marks them on its first cell; they
   * are counted here too so that a road of ties alone can still show them.
   */
  readonly leadingTies: number;
}

export interface RoadCounts {
  readonly player: number;
  readonly banker: number;
  readonly tie: number;
  readonly playerPair: number;
  readonly bankerPair: number;
}

/** A coup's outcome from its cards in dealing order (P1, B1, P2, B2, then the third cards). */
export function coupOutcome(cards: readonly Card[]): CoupOutcome {
  const hands = baccaratHands(cards);
  return {
    winner: hands.winner,
    playerPair: isPair(hands.player),
    bankerPair: isPair(hands.banker),
  };
}

function isPair(hand: readonly Card[]): boolean {
  const [first, second] = hand;
  return first !== undefined && second !== undefined && first.rank === second.rank;
}

export function roadCounts(coups: readonly CoupOutcome[]): RoadCounts {
  const count = (test: (coup: CoupOutcome) => boolean): number => coups.filter(test).length;
  return {
    player: count((c) => c.winner === 'player'),
    banker: count((c) => c.winner === 'banker'),
    tie: count((c) => c.winner === 'tie'),
    playerPair: count((c) => c.playerPair),
    bankerPair: count((c) => c.bankerPair),
  };
}

/** Every coup in its own cell, columns filled top to bottom, left to right. `coups` oldest first. */
export function beadRoad(coups: readonly CoupOutcome[], rows = ROAD_ROWS): BeadRoad {
  const cells = coups.map((coup, i) => ({
    row: i % rows,
    col: Math.floor(i / rows),
    winner: coup.winner,
    playerPair: coup.playerPair,
    bankerPair: coup.bankerPair,
  }));
  return { cells, columns: Math.ceil(coups.length / rows) };
}

/**
 * The big road, `coups` oldest first. A streak of one side's wins runs down a column; a win of the
 * other side starts the next streak at the top of the column right of where the last one started
 * (further right while that top cell is taken by an earlier dragon tail). A streak that meets the
 * bottom row or a cell already taken turns right and stays on that row: the dragon tail. A tie
 * starts nothing: it is counted on the cell of the win before it.
 */
export function bigRoad(coups: readonly CoupOutcome[], rows = ROAD_ROWS): BigRoad {
  const grid = new OccupiedCells();
  const cells: MutableBigRoadCell[] = [];
  let leadingTies = 0;
  let streak: Streak | null = null;

  for (const coup of coups) {
    const last = cells.at(-1);
    if (coup.winner === 'tie') {
      if (last) last.ties++;
      else leadingTies++;
      continue;
    }
    let at: RoadCell;
    if (streak && last?.winner === coup.winner) {
      at = nextInStreak(streak, last, grid, rows);
      if (at.row === last.row) streak.turned = true;
    } else {
      at = { row: 0, col: firstFreeTop(grid, streak ? streak.startCol + 1 : 0) };
      streak = { startCol: at.col, turned: false };
    }
    grid.take(at);
    cells.push({ ...at, winner: coup.winner, ties: 0, playerPair: coup.playerPair, bankerPair: coup.bankerPair });
  }

  const first = cells[0];
  if (first) first.ties += leadingTies;
  return { cells, columns: cells.reduce((max, c) => Math.max(max, c.col + 1), 0), leadingTies };
}

type MutableBigRoadCell = { -readonly [K in keyof BigRoadCell]: BigRoadCell[K] };

interface Streak {
  /** The column the streak's first win went in: the next streak starts right of it. */
  readonly startCol: number;
  /** On its dragon tail: it goes right from now on, even where the cell below is free again. */
  turned: boolean;
}

/** Down while the streak has not turned and the cell below is on the board and free; else right. */
function nextInStreak(streak: Streak, last: RoadCell, grid: OccupiedCells, rows: number): RoadCell {
  const below = { row: last.row + 1, col: last.col };
  if (!streak.turned && below.row < rows && !grid.has(below)) return below;
  let col = last.col + 1;
  // A tail runs above every earlier tail, so its row is free to its right; stepping over a taken
  // cell only guards against a road drawn from a corrupted history.
  while (grid.has({ row: last.row, col })) col++;
  return { row: last.row, col };
}

function firstFreeTop(grid: OccupiedCells, fromCol: number): number {
  let col = fromCol;
  while (grid.has({ row: 0, col })) col++;
  return col;
}

class OccupiedCells {
  readonly #taken = new Set<string>();

  has(cell: RoadCell): boolean {
    return this.#taken.has(`${cell.row}:${cell.col}`);
  }

  take(cell: RoadCell): void {
    this.#taken.add(`${cell.row}:${cell.col}`);
  }
}
