import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseSimulatorDeck, loadSimulatorCardArt, SimulatorConfigError } from '../src/publisher/SimulatorDeck.js';
import { BACCARAT_LAYOUT, BaccaratScene, nodeLayerFactory } from '../src/simulator/index.js';

const saved = process.env.CARD_DECKS_DIR;
afterEach(() => {
  if (saved === undefined) delete process.env.CARD_DECKS_DIR;
  else process.env.CARD_DECKS_DIR = saved;
});

describe('SIMULATOR_DECK', () => {
  it('defaults to svg-standard when the artwork is installed, painted when it is not', () => {
    expect(chooseSimulatorDeck(undefined)).toEqual({ kind: 'deck', deck: 'svg-standard' });
    expect(chooseSimulatorDeck('  ')).toEqual({ kind: 'deck', deck: 'svg-standard' });
    process.env.CARD_DECKS_DIR = mkdtempSync(join(tmpdir(), 'no-decks-'));
    expect(chooseSimulatorDeck(undefined)).toEqual({ kind: 'painted', reason: 'not-installed' });
  });

  it('takes painted or any allowed deck, and refuses anything else with a typed error', () => {
    expect(chooseSimulatorDeck('painted')).toEqual({ kind: 'painted', reason: 'configured' });
    expect(chooseSimulatorDeck('svg-gm-paris')).toEqual({ kind: 'deck', deck: 'svg-gm-paris' });
    for (const bad of ['svg-future', 'standard', '../../etc', 'PAINTED']) {
      expect(() => chooseSimulatorDeck(bad)).toThrow(SimulatorConfigError);
      expect(() => chooseSimulatorDeck(bad)).toThrow(/SIMULATOR_DECK: unknown deck/);
    }
    process.env.CARD_DECKS_DIR = mkdtempSync(join(tmpdir(), 'no-decks-'));
    expect(() => chooseSimulatorDeck('svg-standard')).toThrow(/not installed/);
  });

  it('the chosen deck draws the cards; painted keeps the painted cards', async () => {
    const draw = async (value: string): Promise<Buffer> => {
      const art = await loadSimulatorCardArt(chooseSimulatorDeck(value));
      const scene = new BaccaratScene({
        tableName: 't',
        seed: 2,
        epochMs: 0,
        createLayer: nodeLayerFactory,
        ...(art ? { cardArt: art } : {}),
      });
      expect(scene.cardLook).toBe(value);
      scene.advance(0);
      scene.advance(16_000);
      const canvas = createCanvas(640, 360);
      scene.draw(canvas.getContext('2d'), 640, 360);
      // The P1 box only.
      const p1 = BACCARAT_LAYOUT.positions.P1;
      return Buffer.from(
        canvas.getContext('2d').getImageData(p1.x, p1.y, BACCARAT_LAYOUT.cardWidth, BACCARAT_LAYOUT.cardHeight).data,
      );
    };
    const painted = await draw('painted');
    const standard = await draw('svg-standard');
    expect(painted.equals(standard)).toBe(false);
  });
});
