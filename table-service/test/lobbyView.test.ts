import type { RoundDto } from '@live-casino/protocol';
import { roundDto } from '@live-casino/testing';
import { describe, expect, it } from 'vitest';
import { LobbyView } from '../src/lobby/LobbyView.js';

function round(tableId: string, over: Partial<RoundDto> = {}): RoundDto {
  return roundDto({ roundId: `${tableId}-r1`, tableId, ...over });
}

function fixture(rounds: RoundDto[]) {
  let now = 12_000;
  const calls = { live: 0, rounds: 0 };
  const lobby = new LobbyView(
    {
      liveTables: async () => {
        calls.live++;
        return new Set(['r-1']);
      },
      roundsInPlay: async () => {
        calls.rounds++;
        await new Promise((r) => setTimeout(r, 5));
        return rounds;
      },
      watchers: () => new Map([['r-1', 3]]),
      bettingWindowMs: () => 15_000,
    },
    { ttlMs: 1000, now: () => now },
  );
  return { lobby, calls, advance: (ms: number) => (now += ms) };
}

describe('LobbyView', () => {
  it('counts betting down from the round’s window on every answer, though the round is read once per ttl', async () => {
    const { lobby, calls, advance } = fixture([round('r-1')]);
    const first = await lobby.tables(['r-1', 'b-1']);
    expect(first.get('r-1')).toEqual({
      live: true,
      viewers: 3,
      round: { roundId: 'r-1-r1', number: 1, state: 'BETTING_OPEN', bettingEndsInMs: 13_000 },
    });
    expect(first.get('b-1')).toEqual({ live: false, viewers: 0, round: null });
    advance(400);
    expect((await lobby.tables(['r-1'])).get('r-1')?.round?.bettingEndsInMs).toBe(12_600);
    expect(calls).toEqual({ live: 1, rounds: 1 });
    advance(700);
    await lobby.tables(['r-1']);
    expect(calls).toEqual({ live: 2, rounds: 2 });
  });

  it('uses the close once it is known, never counts below zero, and has no countdown outside betting', async () => {
    const closing = fixture([round('r-1', { closesAtStudioMs: 12_500 })]);
    expect((await closing.lobby.tables(['r-1'])).get('r-1')?.round?.bettingEndsInMs).toBe(500);
    closing.advance(900);
    expect((await closing.lobby.tables(['r-1'])).get('r-1')?.round?.bettingEndsInMs).toBe(0);
    const spinning = fixture([round('r-1', { state: 'BETTING_CLOSED', closesAtStudioMs: 11_000 })]);
    expect((await spinning.lobby.tables(['r-1'])).get('r-1')?.round).toMatchObject({
      state: 'BETTING_CLOSED',
      bettingEndsInMs: null,
    });
  });

  it('shares one read among concurrent answers', async () => {
    const { lobby, calls } = fixture([]);
    await Promise.all(Array.from({ length: 50 }, () => lobby.tables(['r-1'])));
    expect(calls).toEqual({ live: 1, rounds: 1 });
  });

  it('asks again after a failed read instead of keeping the failure', async () => {
    let fail = true;
    const lobby = new LobbyView({
      liveTables: async () => new Set<string>(),
      roundsInPlay: async () => {
        if (fail) throw new Error('db down');
        return [];
      },
      watchers: () => new Map(),
      bettingWindowMs: () => 15_000,
    });
    await expect(lobby.tables(['r-1'])).rejects.toThrow('db down');
    fail = false;
    expect((await lobby.tables(['r-1'])).get('r-1')).toEqual({ live: false, viewers: 0, round: null });
  });
});
