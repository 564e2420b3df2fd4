import { describe, expect, it } from 'vitest';
import { rouletteStats } from '../src/stats/rouletteStats.js';

describe('rouletteStats', () => {
  it('shows the last twenty numbers newest first, with their colours', () => {
    const pockets = Array.from({ length: 30 }, (_, i) => i);
    const stats = rouletteStats(pockets);
    expect(stats.window).toBe(30);
    expect(stats.lastNumbers).toHaveLength(20);
    expect(stats.lastNumbers.slice(0, 3)).toEqual([
      { pocket: 0, colour: 'green' },
      { pocket: 1, colour: 'red' },
      { pocket: 2, colour: 'black' },
    ]);
    expect(stats.lastNumbers.at(-1)?.pocket).toBe(19);
  });

  it('lists hot numbers by hits, the more recently seen first on equal hits', () => {
    // Newest first: 17 three times; 5 and 32 twice each, 32 seen more recently.
    const stats = rouletteStats([32, 17, 5, 17, 32, 5, 17, 8, 0]);
    expect(stats.hot).toEqual([
      { pocket: 17, hits: 3 },
      { pocket: 32, hits: 2 },
      { pocket: 5, hits: 2 },
      { pocket: 8, hits: 1 },
      { pocket: 0, hits: 1 },
    ]);
  });

  it('lists cold numbers by fewest hits: unseen numbers first, lowest first, then the longest unseen', () => {
    const everyNumberOnce = Array.from({ length: 37 }, (_, i) => 36 - i);
    // Every number once, newest first 36 … 0, then 36 again: 0 is the longest unseen, then 1, 2.
    const stats = rouletteStats([36, ...everyNumberOnce]);
    expect(stats.cold.map((c) => c.pocket)).toEqual([0, 1, 2, 3, 4]);
    expect(stats.cold.every((c) => c.hits === 1)).toBe(true);

    const fewSpins = rouletteStats([7, 7, 3]);
    expect(fewSpins.cold).toEqual([
      { pocket: 0, hits: 0 },
      { pocket: 1, hits: 0 },
      { pocket: 2, hits: 0 },
      { pocket: 4, hits: 0 },
      { pocket: 5, hits: 0 },
    ]);
  });

  it('gives colour, parity, half and dozen shares of the window; zero belongs to none of them', () => {
    // 0 green; 1, 3 red odd low; 19 red odd high; 2 black even low; 36 red even high; 13 black odd low.
    const stats = rouletteStats([0, 1, 3, 19, 2, 36, 13, 0]);
    expect(stats.window).toBe(8);
    expect(stats.zero).toEqual({ count: 2, percent: 25 });
    expect(stats.red).toEqual({ count: 4, percent: 50 });
    expect(stats.black).toEqual({ count: 2, percent: 25 });
    expect(stats.odd).toEqual({ count: 4, percent: 50 });
    expect(stats.even).toEqual({ count: 2, percent: 25 });
    expect(stats.low).toEqual({ count: 4, percent: 50 });
    expect(stats.high).toEqual({ count: 2, percent: 25 });
    expect(stats.dozens).toEqual([
      { count: 3, percent: 38 },
      { count: 2, percent: 25 },
      { count: 1, percent: 13 },
    ]);
  });

  it('has nothing to show without spins', () => {
    const stats = rouletteStats([]);
    expect(stats.window).toBe(0);
    expect(stats.lastNumbers).toEqual([]);
    expect(stats.hot).toEqual([]);
    expect(stats.cold.map((c) => c.pocket)).toEqual([0, 1, 2, 3, 4]);
    expect(stats.red).toEqual({ count: 0, percent: 0 });
  });
});
