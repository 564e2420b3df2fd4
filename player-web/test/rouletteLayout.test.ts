import { gameBetKey } from '@live-casino/protocol';
import { ROULETTE_BETS } from '@live-casino/protocol/games/roulette';
import { describe, expect, it } from 'vitest';
import { rouletteLayout, spotAt, winningKeys } from '../src/bets/rouletteLayout.js';

describe('rouletteLayout', () => {
  for (const orientation of ['landscape', 'portrait'] as const) {
    it(`${orientation}: every bet table-service takes has exactly one spot, and a click on its chip takes it`, () => {
      const layout = rouletteLayout(orientation);
      const keys = layout.spots.map((s) => s.key);
      expect(new Set(keys).size).toBe(keys.length);
      expect([...keys].sort()).toEqual(ROULETTE_BETS.map(gameBetKey).sort());
      for (const spot of layout.spots) {
        expect(spotAt(layout, spot.chipX, spot.chipY)?.key, spot.label).toBe(spot.key);
        expect(spot.chipX).toBeGreaterThanOrEqual(0);
        expect(spot.chipY).toBeGreaterThanOrEqual(0);
        expect(spot.chipX).toBeLessThanOrEqual(layout.width);
        expect(spot.chipY).toBeLessThanOrEqual(layout.height);
      }
    });
  }

  it('landscape: 3 on top of the first column, 1 at the bottom, zero on the left; portrait: 1 top left', () => {
    const land = rouletteLayout('landscape');
    const cell = (layout: ReturnType<typeof rouletteLayout>, label: string) =>
      layout.cells.find((c) => c.label === label);
    expect(cell(land, '3')?.y).toBeLessThan(cell(land, '1')?.y as number);
    expect(cell(land, '0')?.x).toBe(0);
    expect(land.width).toBeGreaterThan(land.height);
    const port = rouletteLayout('portrait');
    expect(port.height).toBeGreaterThan(port.width);
    expect(cell(port, '1')?.x).toBeLessThan(cell(port, '3')?.x as number);
    expect(cell(port, '1')?.y).toBeLessThan(cell(port, '4')?.y as number);
  });

  it('a click in the middle of a number is a straight bet; near the line between two, the split', () => {
    const layout = rouletteLayout('landscape');
    const seventeen = layout.cells.find((c) => c.label === '17');
    if (!seventeen) throw new Error('no 17');
    expect(spotAt(layout, seventeen.x + 0.5, seventeen.y + 0.5)?.key).toBe('straight 17');
    // 20 is to the right of 17 in landscape: the line between them.
    expect(spotAt(layout, seventeen.x + 1, seventeen.y + 0.5)?.key).toBe('split 17-20');
    expect(spotAt(layout, seventeen.x + 1, seventeen.y)?.key).toBe('corner 17-18-20-21');
  });

  it('lights the spots that win on a pocket; zero loses every outside bet', () => {
    const layout = rouletteLayout('landscape');
    const wins = winningKeys(17, layout);
    for (const key of [
      'straight 17',
      'split 17-20',
      'corner 13-14-16-17',
      'black',
      'odd',
      'low',
      'dozen 2',
      'column 2',
    ]) {
      expect(wins.has(key), key).toBe(true);
    }
    expect(wins.has('red')).toBe(false);
    for (const key of winningKeys(0, layout)) {
      const spot = layout.spots.find((s) => s.key === key);
      expect(spot && 'numbers' in spot.bet && (spot.bet.numbers as readonly number[]).includes(0), key).toBe(true);
    }
    expect(winningKeys(0, layout).size).toBe(7);
  });
});
