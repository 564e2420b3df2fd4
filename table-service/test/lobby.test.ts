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

describe('the lobby', () => {
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

  it('shows each table’s round: its phase and how long betting stays open, on the server’s clock', async () => {
    const s = await startTestService(server, {
      staff: [{ id: 'dealer-1', role: 'dealer', tableId: 'roulette-1', password: 'dealer-password' }],
      demoPlayers: 0,
    });
    services.push(s);
    const dealer = await s.staffToken('dealer-1', 'dealer-password');
    const opened = await s.inject('POST', '/v1/tables/roulette-1/rounds', dealer, {
      opensAtStudioMs: Date.now() - 2_000,
    });
    expect(opened.status).toBe(201);
    const tables = (await s.inject('GET', '/v1/tables')).body as {
      tableId: string;
      bettingWindowS: number;
      live: boolean;
      viewers: number;
      thumbnailUrl?: string;
      round: { roundId: string; state: string; bettingEndsInMs: number | null } | null;
    }[];
    const roulette = tables.find((t) => t.tableId === 'roulette-1');
    expect(roulette?.round).toMatchObject({ roundId: opened.body.roundId, state: 'BETTING_OPEN' });
    const endsIn = roulette?.round?.bettingEndsInMs ?? -1;
    expect(endsIn).toBeGreaterThan(0);
    expect(endsIn).toBeLessThanOrEqual((roulette?.bettingWindowS ?? 0) * 1000 - 2_000);
    // No sfu here: nothing is live, nobody watches, and an offline table has no still to show.
    expect(roulette).toMatchObject({ live: false, viewers: 0 });
    expect(roulette?.thumbnailUrl).toBeUndefined();
    expect(tables.find((t) => t.tableId === 'baccarat-1')?.round).toBeNull();
  });
});
