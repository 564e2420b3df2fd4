/**
 * The worker from frames to readings, in studio time rather than real time: frames rendered by
 * the simulator's own scenes (what the studio feed shows, before VP8) go through the real
 * regions, inference threads, models and debouncing, and the readings are POSTed to a stand-in
 * for table-service that records them. The live test does the same through the sfu in real time.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventEmitter } from 'node:events';
import type { VisionReadingBody } from '@live-casino/protocol';
import {
  BACCARAT_TIMELINE,
  BaccaratScene,
  CardDeck,
  loadCardArt,
  nodeLayerFactory,
  REF_HEIGHT,
  REF_WIDTH,
  ROULETTE_TIMELINE,
  RouletteScene,
  type TableScene,
} from '@live-casino/studio/simulator';
import { createCanvas } from '@napi-rs/canvas';
import { afterEach, describe, expect, it } from 'vitest';
import { fromRgba } from '../src/image/ImageOps.js';
import type { VisionConfig } from '../src/live/config.js';
import { HealthServer } from '../src/live/HealthServer.js';
import { VisionWorker } from '../src/live/VisionWorker.js';
import type { DecodedFrameLike, FrameSourceLike } from '../src/live/VisionWorkerTypes.js';
import { workerConfig } from './workerConfig.js';
import { waitFor } from '@live-casino/testing';

class FakeSource extends EventEmitter implements FrameSourceLike {
  started = false;
  closed = false;
  start(): void {
    this.started = true;
  }
  close(): void {
    this.closed = true;
  }
}

let server: Server | undefined;
let worker: VisionWorker | undefined;
afterEach(async () => {
  await worker?.close();
  worker = undefined;
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

/** Records the readings POSTed to it, as table-service would take them. */
async function readingsSink(): Promise<{ url: string; readings: VisionReadingBody[] }> {
  const readings: VisionReadingBody[] = [];
  const srv = createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    if (req.url === '/v1/auth/staff-login') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: 't', expiresAt: Date.now() + 3600_000, role: 'service' }));
      return;
    }
    const body = JSON.parse(text) as VisionReadingBody;
    readings.push(body);
    res.writeHead(201, { 'content-type': 'application/json' });
    const { readingId, studioMs, confidence, result } = body;
    const reading = { readingId, tableId: 't', roundId: null, studioMs, receivedAtMs: Date.now(), confidence, result };
    res.end(JSON.stringify({ reading, round: null }));
  });
  server = srv;
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, readings };
}

function config(url: string, game: 'roulette' | 'baccarat'): VisionConfig {
  return workerConfig(url, [{ tableId: `${game}-t`, game }]);
}

/**
 * Plays the scene from `from` to `to` (studio ms) at 30 fps into the worker, each frame once the
 * previous one has been dealt with (read or skipped), so that no frame is lost to timing.
 */
async function play(w: VisionWorker, source: FakeSource, tableId: string, scene: TableScene, from: number, to: number) {
  const canvas = createCanvas(REF_WIDTH, REF_HEIGHT);
  const ctx = canvas.getContext('2d');
  const handled = (): number => {
    const t = w.serialize().tables[0];
    return t ? t.framesRead + t.framesSkipped.rate + t.framesSkipped.stale + t.framesSkipped.failed : 0;
  };
  for (let t = from; t <= to; t += 1000 / 30) {
    scene.advance(t);
    scene.draw(ctx, REF_WIDTH, REF_HEIGHT);
    const rgb = fromRgba(ctx.getImageData(0, 0, REF_WIDTH, REF_HEIGHT).data, REF_WIDTH, REF_HEIGHT);
    const before = handled();
    const frame: DecodedFrameLike = { tableId, studioMs: Math.round(t), width: REF_WIDTH, height: REF_HEIGHT, rgb };
    source.emit('frame', frame);
    await waitFor('frame handled', () => (handled() > before ? true : undefined));
  }
}

async function startWorker(game: 'roulette' | 'baccarat') {
  const sink = await readingsSink();
  const source = new FakeSource();
  const w = await VisionWorker.create({ config: config(sink.url, game), createFrameSource: () => source });
  worker = w;
  expect(source.started).toBe(true);
  await waitFor('model loaded', () => (w.serialize().tables[0]?.state !== 'waiting-for-model' ? true : undefined));
  return { w, source, sink };
}

describe('VisionWorker', () => {
  it('reads each spin once: the pocket, stable by the time the ball stops', async () => {
    const { w, source, sink } = await startWorker('roulette');
    const scene = new RouletteScene({ tableName: 't', seed: 77, epochMs: 0, createLayer: nodeLayerFactory });
    const T = ROULETTE_TIMELINE;
    for (const round of [1, 2, 3]) {
      const start = round * T.cycle;
      const sent = sink.readings.length;
      await play(w, source, 'roulette-t', scene, start + T.ballDrops, start + T.ballSettled + 1_500);
      await waitFor('reading sent', () => (w.serialize().tables[0]?.readings.sent === round ? true : undefined));
      const fresh = sink.readings.slice(sent);
      expect(
        fresh.map((r) => r.result),
        `round ${round}`,
      ).toEqual([{ pocket: scene.pocketOf(round) }]);
      const reading = fresh[0] as VisionReadingBody;
      // Studio time of the frame it became stable on: not before the ball is nearly still, and
      // soon after it stops (the 500 ms budget also has to cover video and network delay).
      expect(reading.studioMs - (start + T.ballSettled), `round ${round}`).toBeGreaterThan(-400);
      expect(reading.studioMs - (start + T.ballSettled), `round ${round}`).toBeLessThan(250);
      expect(reading.confidence).toBeGreaterThan(0.5);
      expect(reading.confidence).toBeLessThanOrEqual(1);
    }
    const health = w.serialize();
    expect(health.models.wheel?.state).toBe('ready');
    // /health says a reading was sent, never what it read: the pocket is worth money before the video shows it.
    const last = sink.readings.at(-1) as VisionReadingBody;
    expect(health.tables[0]?.lastReading).toEqual({
      readingId: last.readingId,
      studioMs: last.studioMs,
      confidence: last.confidence,
      status: expect.any(Number),
      code: null,
    });
    const server = await HealthServer.listen(w, '127.0.0.1', 0);
    try {
      const body = await (await fetch(`${server.url}/health`)).text();
      expect(body).toContain(last.readingId);
      expect(body).not.toMatch(/pocket|"result"/);
    } finally {
      await server.close();
    }
    expect(health.inference.inferMs.p50).toBeGreaterThan(0);
    expect(await w.metrics()).toMatch(/vision_readings_total\{table="roulette-t",outcome="sent"\} 3/);
  });

  it('reads a coup card by card, in dealing order, each soon after the card lies face up', async () => {
    const { w, source, sink } = await startWorker('baccarat');
    const art = await loadCardArt(CardDeck.load('svg-standard'));
    const scene = new BaccaratScene({
      tableName: 't',
      seed: 5,
      epochMs: 0,
      createLayer: nodeLayerFactory,
      cardArt: art,
    });
    const T = BACCARAT_TIMELINE;
    for (const round of [1, 2]) {
      const start = round * T.cycle;
      const sent = sink.readings.length;
      await play(w, source, 'baccarat-t', scene, start + T.bettingClosed, start + T.cycle - 1);
      const coup = scene.coupOf(round);
      const fresh = sink.readings.slice(sent);
      const summary = (cards: readonly { rank: string; suit: string }[]) =>
        cards.map((c) => `${c.rank}${c.suit[0]}`).join(' ');
      expect(
        fresh.length,
        `round ${round}: dealt ${summary(coup.cards.map((d) => d.card))}, read ${fresh.map((r) => ('cards' in r.result ? summary(r.result.cards) : '?')).join(' | ')}`,
      ).toBe(coup.cards.length);
      fresh.forEach((reading, i) => {
        const dealt = coup.cards.slice(0, i + 1);
        expect(reading.result, `round ${round} card ${i + 1}`).toEqual({
          cards: dealt.map((d) => d.card),
          positions: dealt.map((d) => d.position),
        });
        const landed = start + (i < 4 ? (T.firstFour[i] as number) : i === 4 ? T.firstThird : T.secondThird);
        expect(reading.studioMs - landed, `round ${round} card ${i + 1}`).toBeGreaterThanOrEqual(-120);
        expect(reading.studioMs - landed, `round ${round} card ${i + 1}`).toBeLessThan(300);
      });
    }
  });

  it('shows the feed status and a stalled feed in its health', async () => {
    const { w, source } = await startWorker('roulette');
    source.emit('status', { state: 'error', reason: 'decoder exited (signal SIGKILL)' });
    expect(w.serialize().tables[0]).toMatchObject({
      feed: { state: 'error', reason: 'decoder exited (signal SIGKILL)' },
      state: 'no-frames',
    });
    expect(w.serialize().status).toBe('degraded');
  });
});
