import type { Card } from '@live-casino/protocol/games/baccarat';
import { describe, expect, it } from 'vitest';
import {
  type BigRoad,
  bigRoad,
  beadRoad,
  type CoupOutcome,
  coupOutcome,
  roadCounts,
} from '../src/stats/baccaratRoads.js';

const P: CoupOutcome = { winner: 'player', playerPair: false, bankerPair: false };
const B: CoupOutcome = { winner: 'banker', playerPair: false, bankerPair: false };
const T: CoupOutcome = { winner: 'tie', playerPair: false, bankerPair: false };

/** Coups from a compact script: "B8 P3 T" is eight banker wins, three player wins and a tie. */
function coups(script: string): CoupOutcome[] {
  const byLetter = { P, B, T } as const;
  return script
    .split(' ')
    .filter((run) => run !== '')
    .flatMap((run) => {
      const letter = run[0];
      if (letter !== 'P' && letter !== 'B' && letter !== 'T') throw new Error(`bad run ${run}`);
      return Array.from({ length: Number(run.slice(1) || '1') }, () => byLetter[letter]);
    });
}

/** The road as rows of letters, '.' for an empty cell: what the tests draw by hand. */
function picture(road: BigRoad, rows = 6): string {
  const grid = Array.from({ length: rows }, () => Array.from({ length: road.columns }, () => '.'));
  for (const cell of road.cells) {
    const row = grid[cell.row];
    if (!row) throw new Error(`cell below the road: ${cell.row}`);
    row[cell.col] = cell.winner === 'player' ? 'P' : 'B';
  }
  return grid.map((row) => row.join(' ')).join('\n');
}

/** A board drawn in the test, one row a line, indented as the code around it. */
function board(drawing: string): string {
  return drawing
    .trim()
    .split('\n')
    .map((row) => row.trim())
    .join('\n');
}

const card = (rank: Card['rank'], suit: Card['suit'] = 'spades'): Card => ({ rank, suit });

describe('coupOutcome', () => {
  it('takes the winner from the hands and a pair from each side’s first two cards', () => {
    // P1 8, B1 2, P2 8, B2 3: player 6 stands, banker 5 draws against no third card: the 4 (9).
    expect(coupOutcome([card('8'), card('2'), card('8', 'hearts'), card('3'), card('4')])).toEqual({
      winner: 'banker',
      playerPair: true,
      bankerPair: false,
    });
    // Natural 9 against K-K (0): a player win, and a pair of kings on the banker's side.
    expect(coupOutcome([card('4'), card('K'), card('5'), card('K', 'hearts')])).toEqual({
      winner: 'player',
      playerPair: false,
      bankerPair: true,
    });
    // Natural 9 against natural 9 (9-K): a tie, no pairs.
    expect(coupOutcome([card('4'), card('9'), card('5'), card('K')])).toEqual({
      winner: 'tie',
      playerPair: false,
      bankerPair: false,
    });
  });
});

describe('roadCounts', () => {
  it('counts each winner and each pair', () => {
    const paired: CoupOutcome = { winner: 'banker', playerPair: true, bankerPair: true };
    expect(roadCounts([...coups('P2 B T3'), paired])).toEqual({
      player: 2,
      banker: 2,
      tie: 3,
      playerPair: 1,
      bankerPair: 1,
    });
    expect(roadCounts([])).toEqual({ player: 0, banker: 0, tie: 0, playerPair: 0, bankerPair: 0 });
  });
});

describe('beadRoad', () => {
  it('fills six rows top to bottom, then the next column', () => {
    const pair: CoupOutcome = { winner: 'tie', playerPair: true, bankerPair: false };
    const road = beadRoad([...coups('P B T P B B'), pair, P]);
    expect(road.columns).toBe(2);
    expect(road.cells.map((c) => `${c.row},${c.col}:${c.winner[0]}`)).toEqual([
      '0,0:p',
      '1,0:b',
      '2,0:t',
      '3,0:p',
      '4,0:b',
      '5,0:b',
      '0,1:t',
      '1,1:p',
    ]);
    expect(road.cells[6]).toMatchObject({ playerPair: true, bankerPair: false });
  });

  it('is empty without coups', () => {
    expect(beadRoad([])).toEqual({ cells: [], columns: 0 });
  });
});

describe('bigRoad', () => {
  it('starts a column when the winner changes', () => {
    const road = bigRoad(coups('B B P B3 P'));
    expect(picture(road)).toBe(
      board(`
        B P B P
        B . B .
        . . B .
        . . . .
        . . . .
        . . . .
      `),
    );
  });

  it('marks ties on the cell before them and starts no column for them', () => {
    const road = bigRoad(coups('P T T B T P'));
    expect(picture(road).split('\n')[0]).toBe('P B P');
    expect(road.cells.map((c) => c.ties)).toEqual([2, 1, 0]);
    expect(road.leadingTies).toBe(0);
  });

  it('carries ties before any win onto the first cell', () => {
    const road = bigRoad(coups('T T P P T B'));
    expect(road.leadingTies).toBe(2);
    expect(road.cells.map((c) => [c.row, c.col, c.winner, c.ties])).toEqual([
      [0, 0, 'player', 2],
      [1, 0, 'player', 1],
      [0, 1, 'banker', 0],
    ]);
  });

  it('keeps ties alone in leadingTies until a side wins', () => {
    expect(bigRoad(coups('T3'))).toEqual({ cells: [], columns: 0, leadingTies: 3 });
    expect(bigRoad([])).toEqual({ cells: [], columns: 0, leadingTies: 0 });
  });

  it('turns a streak longer than six right along the bottom row (dragon tail)', () => {
    const road = bigRoad(coups('B8 P3 B'));
    expect(picture(road)).toBe(
      board(`
        B P B
        B P .
        B P .
        B . .
        B . .
        B B B
      `),
    );
  });

  it('keeps a tail on its row when the cell below is free again', () => {
    // The P streak turns at row 4 over the B tail; past the tail's end row 5 is free, it stays on row 4.
    const road = bigRoad(coups('B7 P8'));
    expect(picture(road)).toBe(
      board(`
        B P . . .
        B P . . .
        B P . . .
        B P . . .
        B P P P P
        B B . . .
      `),
    );
  });

  it('turns a streak that meets an earlier tail right, one row above it', () => {
    const road = bigRoad(coups('B8 P8 B2 P'));
    expect(picture(road)).toBe(
      board(`
        B P B P .
        B P B . .
        B P . . .
        B P . . .
        B P P P P
        B B B . .
      `),
    );
  });

  it('stacks tails into a staircase and starts a streak past a top cell a tail took', () => {
    // Each streak meets the tail of the one before one row higher; P2 turns at the very top, so
    // its tail takes the top of column 6 and the last B starts in column 7.
    const road = bigRoad(coups('B7 P6 B5 P4 B3 P2 B'));
    expect(picture(road)).toBe(
      board(`
        B P B P B P P B
        B P B P B B . .
        B P B P P . . .
        B P B B . . . .
        B P P . . . . .
        B B . . . . . .
      `),
    );
  });

  it('keeps pairs on the cell of their coup', () => {
    const paired: CoupOutcome = { winner: 'player', playerPair: true, bankerPair: false };
    const road = bigRoad([B, paired, { ...T, bankerPair: true }]);
    expect(road.cells[1]).toMatchObject({ winner: 'player', playerPair: true, bankerPair: false, ties: 1 });
  });
});
