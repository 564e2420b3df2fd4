import { createSimulatedScene } from '@live-casino/studio/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from './helpers/db.js';
import { startTestService, type TestService } from './helpers/service.js';

/** How long the simulated studio keeps betting open, measured from the scene's own events. */
function simulatedWindowS(game: 'roulette' | 'baccarat'): number {
  const scene = createSimulatedScene(game, { tableName: 't', seed: 7, epochMs: 0 });
  let openedAt: number | undefined;
  // Two cycles at 50 ms a frame: the second round's open and close, whatever the first one does.
  for (let t = 0; t <= 60_000; t += 50) {
    for (const ev of scene.advance(t)) {
      if (ev.type === 'bettingOpened' && ev.round >= 1) openedAt = ev.studioTimeMs;
      if (ev.type === 'bettingClosed' && openedAt !== undefined) return (ev.studioTimeMs - openedAt) / 1000;
    }
  }
  throw new Error(`${game}: no open and close within two cycles`);
}

describe('the lobby’s betting window', () => {
  let server: TestPostgres;
  const services: TestService[] = [];

  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(async () => {
    for (const s of services) await s.svc.close();
    await server?.close();
  });

  const lobby = async (env: Record<string, string>) => {
    const s = await startTestService(server, { staff: [], demoPlayers: 0, env });
    services.push(s);
    const res = await s.inject('GET', '/v1/tables');
    expect(res.status).toBe(200);
    return res.body as { tableId: string; game: 'roulette' | 'baccarat'; bettingWindowS: number }[];
  };

  it('says what the simulated rounds do, for the default tables and for tables configured without one', async () => {
    const expected = { roulette: simulatedWindowS('roulette'), baccarat: simulatedWindowS('baccarat') };
    expect(expected).toEqual({ roulette: 12, baccarat: 10 });
    const configured = JSON.stringify([
      { tableId: 'r-2', name: 'R', game: 'roulette' },
      { tableId: 'b-2', name: 'B', game: 'baccarat' },
      { tableId: 'b-3', name: 'B slow', game: 'baccarat', bettingWindowS: 20 },
    ]);
    for (const tables of [await lobby({}), await lobby({ TABLES: configured })]) {
      for (const t of tables) {
        expect(t.bettingWindowS, t.tableId).toBe(t.tableId === 'b-3' ? 20 : expected[t.game]);
      }
    }
  });
});
