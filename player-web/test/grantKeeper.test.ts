import { TableServiceClient } from '@live-casino/clients';
import type { StreamGrant } from '@live-casino/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GrantKeeper, grantRefreshDelayMs } from '../src/GrantKeeper.js';

/** Grants of 30 s each, numbered by how many were fetched. */
function grants(): { fetchGrant: (tableId: string) => Promise<StreamGrant>; fetched: () => number } {
  let n = 0;
  return {
    fetchGrant: async (tableId) => {
      n += 1;
      return {
        tableId,
        token: `t${n}`,
        expiresAt: Date.now() + 30_000,
        sfuUrl: 'http://sfu',
        hlsUrl: 'http://sfu/hls',
      };
    },
    fetched: () => n,
  };
}

describe('GrantKeeper', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('refreshes each grant before it runs out and hands every fresh one on, until closed', async () => {
    const g = grants();
    const handed: string[] = [];
    const keeper = new GrantKeeper({
      tableId: 'roulette-1',
      fetchGrant: g.fetchGrant,
      onRefresh: (grant) => {
        handed.push(grant.token);
      },
      onError: (err) => {
        throw err;
      },
    });
    expect((await keeper.fetch()).token).toBe('t1');
    keeper.keepFresh();
    // Half-way through the 30 s life (shorter than two minutes): at 15 s, then 15 s after each refresh.
    await vi.advanceTimersByTimeAsync(14_900);
    expect(handed).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(handed).toEqual(['t2']);
    expect(keeper.current?.token).toBe('t2');
    await vi.advanceTimersByTimeAsync(15_000);
    expect(handed).toEqual(['t2', 't3']);
    keeper.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(g.fetched()).toBe(3);
  });

  it('reports a failed refresh, and hands out a new grant when the one held is due', async () => {
    const g = grants();
    const errors: unknown[] = [];
    let fail = false;
    const keeper = new GrantKeeper({
      tableId: 'roulette-1',
      fetchGrant: (tableId) => (fail ? Promise.reject(new Error('table-service down')) : g.fetchGrant(tableId)),
      onRefresh: () => {},
      onError: (err) => errors.push(err),
    });
    await keeper.fetch();
    expect((await keeper.usable()).token).toBe('t1');
    await vi.advanceTimersByTimeAsync(13_000);
    expect((await keeper.usable()).token).toBe('t1');
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await keeper.usable()).token).toBe('t2');
    keeper.keepFresh();
    fail = true;
    await vi.advanceTimersByTimeAsync(15_100);
    expect(errors).toHaveLength(1);
  });

  it("refreshes through the table-service client's cache: each refresh hands on a new grant", async () => {
    // 20 s grants from a table-service behind a real client, as on the page (e2e runs 20 s tokens).
    let n = 0;
    const fetch = async (): Promise<Response> => {
      n += 1;
      const grant = {
        tableId: 'roulette-1',
        token: `g${n}`,
        expiresAt: Date.now() + 20_000,
        sfuUrl: 'http://sfu',
        hlsUrl: 'http://sfu/hls',
      };
      return new Response(JSON.stringify(grant), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const client = new TableServiceClient({ baseUrl: '', fetch, now: () => Date.now() });
    client.useSession({ token: 'session', expiresAt: Date.now() + 3_600_000 });
    const handed: string[] = [];
    const keeper = new GrantKeeper({
      tableId: 'roulette-1',
      fetchGrant: (tableId) => client.streamGrant(tableId),
      onRefresh: (grant) => {
        handed.push(grant.token);
      },
      onError: (err) => {
        throw err;
      },
    });
    expect((await keeper.fetch()).token).toBe('g1');
    keeper.keepFresh();
    // The HLS fallback or a rejoin asks meanwhile: the client's cached grant, no new request.
    await vi.advanceTimersByTimeAsync(5_000);
    expect((await client.streamGrant('roulette-1')).token).toBe('g1');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(handed).toEqual(['g2']);
    await vi.advanceTimersByTimeAsync(25_000);
    expect(handed).toEqual(['g2', 'g3', 'g4']);
    expect(n).toBe(4);
    keeper.close();
  });
});

describe('grantRefreshDelayMs', () => {
  it("is the table-service client's renewal: a minute before the end, or half-way through a shorter life", () => {
    const now = 1_000_000;
    expect(grantRefreshDelayMs({ expiresAt: now + 300_000 }, now, now)).toBe(240_000);
    expect(grantRefreshDelayMs({ expiresAt: now + 20_000 }, now, now)).toBe(10_000);
    expect(grantRefreshDelayMs({ expiresAt: now + 20_000 }, now, now + 4_000)).toBe(6_000);
  });

  it('waits at least a second, even for a grant past its refresh or its end', () => {
    const now = 1_000_000;
    expect(grantRefreshDelayMs({ expiresAt: now + 20_000 }, now, now + 9_500)).toBe(1000);
    expect(grantRefreshDelayMs({ expiresAt: now - 5_000 }, now - 25_000, now)).toBe(1000);
  });
});
