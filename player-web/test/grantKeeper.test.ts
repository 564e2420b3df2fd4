import type { StreamGrant } from '@live-casino/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GrantKeeper } from '../src/GrantKeeper.js';

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
    // A third of the 30 s life before the end: at 20 s, then 20 s after each refresh.
    await vi.advanceTimersByTimeAsync(19_900);
    expect(handed).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(handed).toEqual(['t2']);
    expect(keeper.current?.token).toBe('t2');
    await vi.advanceTimersByTimeAsync(20_000);
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
    await vi.advanceTimersByTimeAsync(19_500);
    expect((await keeper.usable()).token).toBe('t2');
    keeper.keepFresh();
    fail = true;
    await vi.advanceTimersByTimeAsync(20_100);
    expect(errors).toHaveLength(1);
  });
});
