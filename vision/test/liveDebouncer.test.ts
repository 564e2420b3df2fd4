import type { Card, CardPosition } from '@live-casino/protocol/games/baccarat';
import { describe, expect, it } from 'vitest';
import {
  type CardsRead,
  CardsDebouncer,
  type DebouncedReading,
  isDealtLayout,
  WheelDebouncer,
  type WheelRead,
} from '../src/live/Debouncer.js';

const pocket = (p: number, confidence = 0.99): WheelRead => ({ pocket: p, confidence });
const moving: WheelRead = { pocket: null };

function feedWheel(d: WheelDebouncer, reads: WheelRead[]): (DebouncedReading | null)[] {
  return reads.map((r, i) => d.push(r, 1000 + i * 100));
}

describe('WheelDebouncer', () => {
  it('emits a pocket once it is stable over N reads, once per settle, at the frame it became stable', () => {
    const d = new WheelDebouncer({ stableReads: 3 });
    const out = feedWheel(d, [moving, moving, moving, pocket(17, 0.9), pocket(17, 0.8), pocket(17, 0.95), pocket(17)]);
    expect(out.slice(0, 5)).toEqual([null, null, null, null, null]);
    expect(out[5]).toEqual({ studioMs: 1500, confidence: 0.95, result: { pocket: 17 } });
    expect(out[6]).toBeNull();
  });

  it('does not emit for a pocket seen fewer than N times in a row', () => {
    const d = new WheelDebouncer({ stableReads: 3 });
    const out = feedWheel(d, [pocket(3), pocket(3), pocket(26), pocket(3), pocket(3), moving, moving]);
    expect(out.every((r) => r === null)).toBe(true);
  });

  it('a single misread while the ball lies still neither ends the settle nor repeats the reading', () => {
    const d = new WheelDebouncer({ stableReads: 3 });
    const out = feedWheel(d, [pocket(5), pocket(5), pocket(5), moving, pocket(32), pocket(5), pocket(5), pocket(5)]);
    expect(out.filter((r) => r !== null)).toHaveLength(1);
  });

  it('a stable "not settled" ends the settle: the next spin is read even if it lands in the same pocket', () => {
    const d = new WheelDebouncer({ stableReads: 2 });
    const out = feedWheel(d, [pocket(9), pocket(9), moving, moving, pocket(9), pocket(9)]);
    expect(out.filter((r) => r !== null).map((r) => r?.result)).toEqual([{ pocket: 9 }, { pocket: 9 }]);
  });

  it('a settle that changes pocket (a misread corrected) gives a new reading', () => {
    const d = new WheelDebouncer({ stableReads: 2 });
    const out = feedWheel(d, [pocket(8), pocket(8), pocket(30), pocket(30)]);
    expect(out.filter((r) => r !== null).map((r) => r?.result)).toEqual([{ pocket: 8 }, { pocket: 30 }]);
  });

  it('reset forgets the settle', () => {
    const d = new WheelDebouncer({ stableReads: 2 });
    feedWheel(d, [pocket(4), pocket(4)]);
    d.reset();
    expect(feedWheel(d, [pocket(4), pocket(4)])[1]?.result).toEqual({ pocket: 4 });
  });

  it('refuses a bad N', () => {
    for (const n of [0, -1, 1.5, Number.NaN, 1000])
      expect(() => new WheelDebouncer({ stableReads: n })).toThrow(RangeError);
  });
});

const c = (rank: Card['rank'], suit: Card['suit']): Card => ({ rank, suit });
const EMPTY: CardsRead = {
  P1: { card: null },
  P2: { card: null },
  P3: { card: null },
  B1: { card: null },
  B2: { card: null },
  B3: { card: null },
};
function layout(cards: Partial<Record<CardPosition, Card>>, confidence = 0.99): CardsRead {
  const read: Record<string, unknown> = { ...EMPTY };
  for (const [p, card] of Object.entries(cards)) read[p] = { card, confidence };
  return read as unknown as CardsRead;
}

describe('CardsDebouncer', () => {
  const P1 = c('9', 'clubs');
  const B1 = c('Q', 'spades');
  const P2 = c('3', 'hearts');
  const B2 = c('5', 'diamonds');
  const P3 = c('5', 'diamonds');
  const B3 = c('A', 'spades');

  it('emits the hand in dealing order each time a card is added, none for the empty layout', () => {
    const d = new CardsDebouncer({ stableReads: 2 });
    const steps: Partial<Record<CardPosition, Card>>[] = [
      {},
      {},
      { P1 },
      { P1 },
      { P1, B1 },
      { P1, B1 },
      { P1, B1, P2 },
      { P1, B1, P2 },
      { P1, B1, P2, B2 },
      { P1, B1, P2, B2 },
      { P1, B1, P2, B2, P3 },
      { P1, B1, P2, B2, P3 },
      { P1, B1, P2, B2, P3, B3 },
      { P1, B1, P2, B2, P3, B3 },
      { P1, B1, P2, B2, P3, B3 },
      {},
      {},
    ];
    const out = steps.map((s, i) => d.push(layout(s), i * 100)).filter((r) => r !== null);
    expect(out.map((r) => ('positions' in r.result ? r.result.positions : []))).toEqual([
      ['P1'],
      ['P1', 'B1'],
      ['P1', 'B1', 'P2'],
      ['P1', 'B1', 'P2', 'B2'],
      ['P1', 'B1', 'P2', 'B2', 'P3'],
      ['P1', 'B1', 'P2', 'B2', 'P3', 'B3'],
    ]);
    const last = out.at(-1);
    expect(last?.result).toEqual({ cards: [P1, B1, P2, B2, P3, B3], positions: ['P1', 'B1', 'P2', 'B2', 'P3', 'B3'] });
    expect(last?.studioMs).toBe(1300);
  });

  it('reports the lowest confidence of the cards used, each as last read', () => {
    const d = new CardsDebouncer({ stableReads: 2 });
    d.push(layout({ P1 }, 0.5), 0);
    expect(d.push(layout({ P1 }, 0.9), 100)?.confidence).toBe(0.9);
    const read = layout({ P1, B1 }, 0.97);
    d.push({ ...read, P1: { card: P1, confidence: 0.93 } }, 200);
    expect(d.push({ ...read, P1: { card: P1, confidence: 0.92 } }, 300)?.confidence).toBe(0.92);
  });

  it('a card seen once (a misread or a card in motion) is not read', () => {
    const d = new CardsDebouncer({ stableReads: 3 });
    const out = [layout({}), layout({}), layout({}), layout({ P1 }), layout({}), layout({ P1: B3 }), layout({})].map(
      (r, i) => d.push(r, i),
    );
    expect(out.every((r) => r === null)).toBe(true);
  });

  it('cards leaving one by one are not news; the next coup starts afresh after an empty layout', () => {
    const d = new CardsDebouncer({ stableReads: 1 });
    const full = { P1, B1, P2, B2 };
    expect(d.push(layout(full), 0)).not.toBeNull();
    expect(d.push(layout({ P1, B1, P2 }), 1)).toBeNull();
    expect(d.push(layout({ P1 }), 2)).toBeNull();
    expect(d.push(layout({}), 3)).toBeNull();
    expect(d.push(layout({ P1 }), 4)?.result).toEqual({ cards: [P1], positions: ['P1'] });
  });

  it('a card re-read as another is no news by itself; the next card carries the correction', () => {
    const d = new CardsDebouncer({ stableReads: 1 });
    d.push(layout({ P1 }), 0);
    expect(d.push(layout({ P1: B3 }), 1)).toBeNull();
    expect(d.push(layout({ P1, B1 }), 2)?.result).toEqual({ cards: [P1, B1], positions: ['P1', 'B1'] });
  });

  it('cards sliding over other positions at clearing give no reading', () => {
    const d = new CardsDebouncer({ stableReads: 1 });
    d.push(layout({ P1, B1, P2, B2, P3 }), 0);
    // P2's card passes over P1 while B1 is still in place: a valid-looking, smaller hand.
    expect(d.push(layout({ P1: P2, B1 }), 1)).toBeNull();
    expect(d.push(layout({ P1: P2, B1, P2: B2, B2: B1 }), 2)).toBeNull();
  });

  it('no reading for a layout no deal can show', () => {
    const d = new CardsDebouncer({ stableReads: 1 });
    expect(d.push(layout({ B1 }), 0)).toBeNull();
    expect(d.push(layout({ P1, P3 }), 1)).toBeNull();
  });

  it('knows which layouts a deal shows', () => {
    const ok: CardPosition[][] = [
      ['P1'],
      ['P1', 'B1'],
      ['P1', 'B1', 'P2'],
      ['P1', 'B1', 'P2', 'B2'],
      ['P1', 'B1', 'P2', 'B2', 'P3'],
      ['P1', 'B1', 'P2', 'B2', 'B3'],
      ['P1', 'B1', 'P2', 'B2', 'P3', 'B3'],
    ];
    const bad: CardPosition[][] = [[], ['B1'], ['P1', 'P2'], ['P1', 'B1', 'B2'], ['P1', 'B1', 'P2', 'P3'], ['P3']];
    for (const l of ok) expect(isDealtLayout(new Set(l)), l.join()).toBe(true);
    for (const l of bad) expect(isDealtLayout(new Set(l)), l.join()).toBe(false);
  });
});
