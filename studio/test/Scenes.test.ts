import { createHash } from 'node:crypto';
import { createCanvas } from '@napi-rs/canvas';
import { decodeTimecode } from '@live-casino/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cardValue, handTotal } from '@live-casino/protocol/games/baccarat';
import { pocketAtAngle } from '@live-casino/protocol/games/roulette';
import { BACCARAT_TIMELINE, BaccaratScene } from '../src/simulator/BaccaratScene.js';
import { createSimulatedScene, nodeLayerFactory } from '../src/simulator/NodeCanvas.js';
import { ROULETTE_TIMELINE, RouletteScene } from '../src/simulator/RouletteScene.js';
import type { BaccaratSceneEvent, RouletteSceneEvent, TableScene } from '../src/simulator/SceneTypes.js';
import { drawStudioOverlay, formatUtc } from '../src/simulator/StudioOverlay.js';

const EPOCH = 1_760_000_000_000;

function runEvents<E>(scene: { advance(t: number): E[] }, fromMs: number, toMs: number, stepMs: number): E[] {
  const events: E[] = [];
  for (let t = fromMs; t <= toMs; t += stepMs) events.push(...scene.advance(t));
  return events;
}

function pixelsHash(scene: TableScene, t: number): string {
  const canvas = createCanvas(640, 360);
  scene.advance(t);
  scene.draw(canvas.getContext('2d'), 640, 360);
  return createHash('sha256').update(canvas.data()).digest('hex');
}

describe('RouletteScene', () => {
  it('lands the ball exactly in the round pocket and keeps it there until the dealer takes it', () => {
    const scene = new RouletteScene({ tableName: 't', seed: 5, epochMs: EPOCH });
    for (let round = 0; round < 200; round++) {
      const start = EPOCH + round * ROULETTE_TIMELINE.cycle;
      const pocket = scene.pocketOf(round);
      for (const at of [
        ROULETTE_TIMELINE.ballSettled,
        ROULETTE_TIMELINE.ballSettled + 4000,
        ROULETTE_TIMELINE.cycle - 1,
      ]) {
        const ball = scene.ballPosition(start + at);
        expect(ball && pocketAtAngle(ball.angle)).toBe(pocket);
      }
      // Just before settling the ball is still moving relative to the rotor, but already in the right place.
      const almost = scene.ballPosition(start + ROULETTE_TIMELINE.ballSettled - 1);
      expect(almost && pocketAtAngle(almost.angle)).toBe(pocket);
    }
  });

  it('keeps the ball on the track, off the wheel while betting, and moving continuously', () => {
    const scene = new RouletteScene({ tableName: 't', seed: 9, epochMs: EPOCH });
    const start = EPOCH + 3 * ROULETTE_TIMELINE.cycle;
    expect(scene.ballPosition(start + ROULETTE_TIMELINE.ballRemoved + 1)).toBeNull();
    let previous = scene.ballPosition(start + ROULETTE_TIMELINE.ballLaunched);
    for (let t = ROULETTE_TIMELINE.ballLaunched + 33; t < ROULETTE_TIMELINE.ballSettled; t += 33) {
      const ball = scene.ballPosition(start + t);
      if (!ball || !previous) throw new Error('ball missing in flight');
      // Never more than ~1/5 of a turn between frames at 30 fps: the motion reads as motion.
      expect(Math.abs(ball.angle - previous.angle)).toBeLessThan(1.3);
      expect(ball.radius).toBeGreaterThan(60);
      expect(ball.radius).toBeLessThan(135);
      previous = ball;
    }
  });

  it('emits each round event once, in order, stamped with the frame time that shows it', () => {
    const scene = new RouletteScene({ tableName: 't', seed: 3, epochMs: EPOCH });
    const events = runEvents<RouletteSceneEvent>(scene, EPOCH, EPOCH + 3 * ROULETTE_TIMELINE.cycle - 1, 33);
    expect(events.map((e) => `${e.round}:${e.type}`)).toEqual(
      [0, 1, 2].flatMap((r) => [`${r}:bettingOpened`, `${r}:ballLaunched`, `${r}:bettingClosed`, `${r}:ballSettled`]),
    );
    for (const event of events) {
      expect((event.studioTimeMs - EPOCH) % 33).toBe(0);
      if (event.type === 'ballSettled') {
        expect(event.pocket).toBe(scene.pocketOf(event.round));
        const due = EPOCH + event.round * ROULETTE_TIMELINE.cycle + ROULETTE_TIMELINE.ballSettled;
        expect(event.studioTimeMs).toBeGreaterThanOrEqual(due);
        expect(event.studioTimeMs).toBeLessThan(due + 33);
      }
    }
  });

  it('reports its state by phase', () => {
    const scene = new RouletteScene({ tableName: 'Roulette 1', seed: 3, epochMs: EPOCH });
    const start = EPOCH + ROULETTE_TIMELINE.cycle;
    scene.advance(start + 1000);
    expect(scene.state()).toMatchObject({
      game: 'roulette',
      round: 1,
      phase: 'betting',
      pocket: null,
      history: [scene.pocketOf(0)],
    });
    scene.advance(start + ROULETTE_TIMELINE.bettingClosed);
    expect(scene.state().phase).toBe('spinning');
    scene.advance(start + ROULETTE_TIMELINE.ballSettled);
    expect(scene.state()).toMatchObject({ phase: 'result', pocket: scene.pocketOf(1) });
    expect(scene.state().history.slice(0, 2)).toEqual([scene.pocketOf(1), scene.pocketOf(0)]);
  });

  it('tolerates clock steps: no duplicate events going backwards, only the latest rounds after a jump', () => {
    const scene = new RouletteScene({ tableName: 't', seed: 3, epochMs: EPOCH });
    scene.advance(EPOCH + 20_000);
    expect(scene.advance(EPOCH + 10_000)).toEqual([]);
    expect(scene.advance(EPOCH + 19_000)).toEqual([]);
    const afterJump = scene.advance(EPOCH + 100 * ROULETTE_TIMELINE.cycle + 100);
    expect(new Set(afterJump.map((e) => e.round))).toEqual(new Set([99, 100]));
  });
});

describe('BaccaratScene', () => {
  it('deals every coup by the rules, card by card, and changes shoes at the cut card', () => {
    const scene = new BaccaratScene({ tableName: 't', seed: 77, epochMs: EPOCH });
    const rounds = 180;
    const events = runEvents<BaccaratSceneEvent>(scene, EPOCH, EPOCH + rounds * BACCARAT_TIMELINE.cycle - 1, 40);
    const shoeChanges = events.filter((e) => e.type === 'shoeChanged');
    expect(shoeChanges.length).toBeGreaterThanOrEqual(1);
    for (let round = 0; round < rounds; round++) {
      const coup = scene.coupOf(round);
      const own = events.filter((e) => e.round === round);
      const dealt = own.filter((e) => e.type === 'cardDealt');
      expect(dealt.map((e) => [e.position, e.card])).toEqual(coup.cards.map((c) => [c.position, c.card]));
      const result = own.find((e) => e.type === 'coupResult');
      expect(result).toMatchObject({
        winner: coup.winner,
        playerTotal: coup.playerTotal,
        bankerTotal: coup.bankerTotal,
      });
      expect(handTotal(coup.playerCards)).toBe(coup.playerTotal);
      const types = own.map((e) => e.type).filter((t) => t !== 'shoeChanged');
      expect(types[0]).toBe('bettingOpened');
      expect(types[1]).toBe('bettingClosed');
      expect(types.at(-2)).toBe('coupResult');
      expect(types.at(-1)).toBe('cardsCleared');
    }
    // Cards are dealt after betting closes, one by one, at least a second apart.
    const times = events.filter((e) => e.round === 5 && e.type === 'cardDealt').map((e) => e.studioTimeMs);
    for (let i = 1; i < times.length; i++)
      expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(1000);
  });

  it('is a function of seed and time: a late-joining copy shows the same coups', () => {
    const a = new BaccaratScene({ tableName: 't', seed: 11, epochMs: EPOCH });
    const b = new BaccaratScene({ tableName: 't', seed: 11, epochMs: EPOCH });
    runEvents(a, EPOCH, EPOCH + 120 * BACCARAT_TIMELINE.cycle, 1000);
    expect(b.coupOf(119)).toEqual(a.coupOf(119));
    expect(b.coupOf(3)).toEqual(a.coupOf(3));
    const c = new BaccaratScene({ tableName: 't', seed: 12, epochMs: EPOCH });
    expect(c.coupOf(3)).not.toEqual(a.coupOf(3));
  });

  it('shows the cards that have landed, their running totals and the bead road of the shoe', () => {
    const scene = new BaccaratScene({ tableName: 't', seed: 77, epochMs: EPOCH });
    const round = 4;
    const start = EPOCH + round * BACCARAT_TIMELINE.cycle;
    const coup = scene.coupOf(round);
    scene.advance(start + 12_300);
    const state = scene.state();
    expect(state).toMatchObject({ round, phase: 'dealing', winner: null });
    expect(state.cards.map((c) => c.position)).toEqual(['P1', 'B1']);
    expect(state.playerTotal).toBe(cardValue(coup.cards[0]?.card ?? { rank: 'K', suit: 'spades' }) % 10);
    expect(state.history).toEqual([0, 1, 2, 3].map((r) => scene.coupOf(r).winner));
    scene.advance(start + BACCARAT_TIMELINE.cardsCleared - 1);
    expect(scene.state()).toMatchObject({ phase: 'result', winner: coup.winner, playerTotal: coup.playerTotal });
    expect(scene.state().history).toHaveLength(5);
    scene.advance(start + BACCARAT_TIMELINE.cardsCleared);
    expect(scene.state()).toMatchObject({ phase: 'clearing', cards: [] });
  });
});

describe('rendering', () => {
  it('draws the same pixels for the same seed and time, with or without cached layers', () => {
    for (const game of ['roulette', 'baccarat'] as const) {
      const t = EPOCH + 13_300;
      const layered = createSimulatedScene(game, { tableName: 'x', seed: 1, epochMs: EPOCH });
      const again = createSimulatedScene(game, { tableName: 'x', seed: 1, epochMs: EPOCH });
      expect(pixelsHash(layered, t)).toBe(pixelsHash(again, t));
      expect(pixelsHash(layered, t)).not.toBe(pixelsHash(layered, t + 400));
    }
    // Drawing straight onto the frame (a canvas without offscreen layers) gives the very same felt.
    const direct = new BaccaratScene({ tableName: 'x', seed: 1, epochMs: EPOCH });
    const layered = new BaccaratScene({ tableName: 'x', seed: 1, epochMs: EPOCH, createLayer: nodeLayerFactory });
    expect(pixelsHash(direct, EPOCH + 13_300)).toBe(pixelsHash(layered, EPOCH + 13_300));
  });

  it('burns in a timecode that decodes to the capture time, at any frame size', () => {
    const scene = new RouletteScene({ tableName: 'Roulette', seed: 1, epochMs: EPOCH });
    for (const [w, h] of [
      [640, 360],
      [1280, 720],
      [320, 180],
    ] as const) {
      const canvas = createCanvas(w, h);
      const ctx = canvas.getContext('2d');
      fc.assert(
        fc.property(fc.integer({ min: 1_600_000_000_000, max: 2_100_000_000_000 }), (t) => {
          scene.advance(t);
          scene.draw(ctx, w, h);
          drawStudioOverlay(ctx, w, h, scene.tableName, t);
          expect(decodeTimecode(canvas.data(), w, h)).toBe(t);
        }),
        { numRuns: 15 },
      );
    }
  });

  it('formats the human-readable time in UTC', () => {
    expect(formatUtc(Date.UTC(2025, 5, 1, 7, 8, 9, 45))).toBe('07:08:09.045');
  });
});
