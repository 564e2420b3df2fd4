import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_CARDS,
  CardDeck,
  CardDeckError,
  HELD_OUT_DECKS,
  TRAIN_DECKS,
  assertCardDecksInstalled,
  cardIndex,
  kdeCardId,
} from '@live-casino/studio/simulator';

// CI installs the artwork with `apt-get install -y kdegames-card-data-kf5`; without it every
// test here fails with that hint rather than skipping.
beforeAll(() => assertCardDecksInstalled());

describe('deck splits', () => {
  it('are exactly the named decks, and disjoint', () => {
    expect([...TRAIN_DECKS].sort()).toEqual(
      ['svg-dondorf', 'svg-jolly-royal', 'svg-nicu-ornamental', 'svg-oxygen', 'svg-penguins', 'svg-standard'].sort(),
    );
    expect([...HELD_OUT_DECKS].sort()).toEqual(['svg-ancient-egyptians', 'svg-gm-paris', 'svg-nicu-white']);
    const train = new Set<string>(TRAIN_DECKS);
    expect(HELD_OUT_DECKS.filter((d) => train.has(d))).toEqual([]);
  });

  it('index the 52 cards one to one', () => {
    expect(ALL_CARDS).toHaveLength(52);
    expect(new Set(ALL_CARDS.map(cardIndex)).size).toBe(52);
    expect(ALL_CARDS.map(cardIndex)).toEqual([...Array(52).keys()]);
    expect(kdeCardId({ rank: 'A', suit: 'clubs' })).toBe('1_club');
    expect(kdeCardId({ rank: 'K', suit: 'hearts' })).toBe('king_heart');
  });

  it('fail with the install hint when the artwork is missing', () => {
    const saved = process.env.CARD_DECKS_DIR;
    process.env.CARD_DECKS_DIR = mkdtempSync(join(tmpdir(), 'no-decks-'));
    try {
      expect(() => CardDeck.load('svg-standard')).toThrow(/apt-get install -y kdegames-card-data-kf5/);
      expect(() => assertCardDecksInstalled()).toThrow(CardDeckError);
    } finally {
      if (saved === undefined) delete process.env.CARD_DECKS_DIR;
      else process.env.CARD_DECKS_DIR = saved;
    }
  });
});

describe('CardDeck', () => {
  it('renders each of the 52 cards of a training deck, non-empty and all different', async () => {
    const deck = CardDeck.load('svg-standard');
    const w = 36;
    const h = 52;
    const canvas = createCanvas(w, h);
    const ctx = canvas.getContext('2d');
    const seen = new Map<string, string>();
    for (const card of ALL_CARDS) {
      const image = await deck.render(card, w, h);
      expect([image.width, image.height]).toEqual([w, h]);
      ctx.clearRect(0, 0, w, h);
      ctx.drawImage(image, 0, 0);
      const data = ctx.getImageData(0, 0, w, h).data;
      let opaque = 0;
      let ink = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3]! > 200) opaque++;
        if (data[i + 3]! > 200 && data[i]! + data[i + 1]! + data[i + 2]! < 400) ink++;
      }
      // The card fills its box (it was cropped to its own bounds) and carries some print.
      expect(opaque / (w * h), kdeCardId(card)).toBeGreaterThan(0.9);
      expect(ink, kdeCardId(card)).toBeGreaterThan(20);
      const key = Buffer.from(data).toString('base64');
      expect(seen.get(key), `${kdeCardId(card)} looks like ${seen.get(key)}`).toBeUndefined();
      seen.set(key, kdeCardId(card));
    }
  });

  it('renders every allowed deck, held-out ones included', async () => {
    for (const name of [...TRAIN_DECKS, ...HELD_OUT_DECKS]) {
      const deck = CardDeck.load(name);
      const aspect = await deck.aspect();
      expect(aspect, name).toBeGreaterThan(0.6);
      expect(aspect, name).toBeLessThan(0.8);
    }
  });
});
