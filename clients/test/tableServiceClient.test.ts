import { type RoundEvent, TableServiceClient, ClientError, type SnapshotReason } from '@live-casino/clients';
import type { TableSnapshot } from '@live-casino/protocol';
import {
  startTestPostgres,
  startTestService,
  type TestPostgres,
  type TestService,
} from '@live-casino/table-service/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The client as a new integrator would use it: only `@live-casino/clients` and the protocol's
 * types, against a real table-service (Postgres, socket.io) started by the test.
 */
describe('TableServiceClient against a real table-service', () => {
  let pg: TestPostgres;
  let service: TestService;
  const clients: TableServiceClient[] = [];
  const client = (credentials: ConstructorParameters<typeof TableServiceClient>[0]['credentials']) => {
    const c = new TableServiceClient({ baseUrl: service.url, credentials });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    pg = await startTestPostgres();
    service = await startTestService(pg, {
      staff: [
        { id: 'dealer-1', role: 'dealer', tableId: 'roulette-1', password: 'dealer-password' },
        { id: 'boss', role: 'pitboss', password: 'boss-password' },
      ],
      demoPlayers: 2,
    });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await service?.svc.close();
    await pg?.close();
  });

  /** Collects a watcher's deliveries, and waits for the next one that matches. */
  function recorder() {
    const seen: (
      | { kind: 'event'; event: RoundEvent }
      | { kind: 'snapshot'; snapshot: TableSnapshot; reason: SnapshotReason }
    )[] = [];
    const waiters: { match: (n: number) => boolean; resolve: () => void }[] = [];
    const push = (entry: (typeof seen)[number]) => {
      seen.push(entry);
      for (const w of [...waiters]) if (w.match(seen.length)) w.resolve();
    };
    return {
      seen,
      events: () => seen.flatMap((s) => (s.kind === 'event' ? [s.event] : [])),
      watcher: {
        onEvent: (event: RoundEvent) => push({ kind: 'event', event }),
        onSnapshot: (snapshot: TableSnapshot, reason: SnapshotReason) => push({ kind: 'snapshot', snapshot, reason }),
      },
      /** Resolves when `predicate` holds for what was seen (checked now and on every delivery). */
      until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
        if (predicate()) return Promise.resolve();
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
          waiters.push({
            match: () => predicate(),
            resolve: () => {
              clearTimeout(timer);
              resolve();
            },
          });
        });
      },
    };
  }

  const refusal = async (p: Promise<unknown>): Promise<string> => {
    try {
      await p;
    } catch (err) {
      if (err instanceof ClientError) return err.code;
      throw err;
    }
    throw new Error('expected a refusal');
  };

  it('signs in once, watches typed round events, places and cancels bets, and gets a typed error for each refusal', async () => {
    const player = client({ kind: 'player', username: 'demo1', password: 'demo-password' });
    const dealer = client({ kind: 'staff', id: 'dealer-1', password: 'dealer-password' });
    const boss = client({ kind: 'staff', id: 'boss', password: 'boss-password' });

    const before = await player.me();
    expect(before.balance.amount).toBe(100_000);

    const rt = player.realtime();
    const rec = recorder();
    const watch = await rt.watch('roulette-1', rec.watcher);
    expect(rec.seen[0]).toMatchObject({ kind: 'snapshot', reason: 'subscribed' });

    const opened = await dealer.openRound('roulette-1', Date.now());
    expect(opened.state).toBe('BETTING_OPEN');
    await rec.until(() => rec.events().some((e) => e.event === 'BETTING_OPEN'), 'BETTING_OPEN');
    const open = rec.events().find((e) => e.event === 'BETTING_OPEN');
    // The union narrows by `event`: the round is typed, its state is a RoundState.
    expect(open?.round.roundId).toBe(opened.roundId);
    expect(open?.round.game).toBe('roulette');

    const roundId = opened.roundId;
    const red = await rt.placeBet({ clientBetId: 'c-red', roundId, bet: { type: 'red' }, stake: 1000 });
    expect(red).toMatchObject({ status: 'placed', stake: 1000, balance: 99_000 });
    // A retry with the same id is the same bet, not a second one.
    const retry = await rt.placeBet({ clientBetId: 'c-red', roundId, bet: { type: 'red' }, stake: 1000 });
    expect(retry.betId).toBe(red.betId);
    const straight = await rt.placeBet({
      clientBetId: 'c-17',
      roundId,
      bet: { type: 'straight', numbers: [17] },
      stake: 100,
    });
    expect(straight.status).toBe('placed');
    const cancelled = await rt.cancelBet('c-17');
    expect(cancelled.status).toBe('cancelled');

    // Each refusal is a ClientError with the protocol's code.
    // A baccarat bet at the roulette table: a bet of the contract, not of this table's game.
    expect(await refusal(rt.placeBet({ clientBetId: 'c-x', roundId, bet: { type: 'banker' }, stake: 100 }))).toBe(
      'BET_INVALID',
    );
    expect(
      await refusal(rt.placeBet({ clientBetId: 'c-big', roundId, bet: { type: 'black' }, stake: 10_000_000 })),
    ).toMatch(/^(WALLET_INSUFFICIENT_FUNDS|BET_LIMIT_ABOVE_MAX|BET_TABLE_LIMIT)$/);
    expect(await refusal(rt.cancelBet('never-placed'))).toBe('BET_NOT_FOUND');
    expect(await refusal(dealer.openRound('baccarat-1', Date.now()))).toBe('AUTH_WRONG_TABLE');
    expect(await refusal(player.openRound('roulette-1', Date.now()))).toBe('AUTH_FORBIDDEN_ROLE');

    await dealer.closeBetting(roundId, Date.now());
    expect(await refusal(rt.placeBet({ clientBetId: 'c-late', roundId, bet: { type: 'black' }, stake: 100 }))).toBe(
      'TABLE_BETTING_CLOSED',
    );
    await dealer.enterResult(roundId, { pocket: 32 });
    await dealer.confirmResult(roundId);
    const settled = await boss.settle(roundId);
    expect(settled.state).toBe('SETTLED');

    await rec.until(() => rec.events().some((e) => e.event === 'SETTLED'), 'SETTLED');
    const events = rec.events();
    expect(events.map((e) => e.event)).toEqual([
      'BETTING_OPEN',
      'BETTING_CLOSED',
      'RESULT_PENDING',
      'RESULT_CONFIRMED',
      'SETTLED',
    ]);
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    const last = events.at(-1);
    if (last?.event !== 'SETTLED') throw new Error('no SETTLED event');
    expect(last.round.result).toEqual({ pocket: 32 });
    // 32 is red: the red bet pays 1:1; the straight on 17 was cancelled.
    expect((await player.me()).balance.amount).toBe(100_000 + 1000);
    // One sign-in each, however many calls.
    expect([player.signIns, dealer.signIns, boss.signIns]).toEqual([1, 1, 1]);
    await watch.stop();
  });

  it('resyncs from a snapshot after a sequence gap and after a reconnection', async () => {
    const player = client({ kind: 'player', username: 'demo2', password: 'demo-password' });
    const dealer = client({ kind: 'staff', id: 'dealer-1', password: 'dealer-password' });
    const round = await dealer.openRound('roulette-1', Date.now());
    const rt = player.realtime();
    const rec = recorder();
    const watch = await rt.watch('roulette-1', rec.watcher);
    const first = rec.seen[0];
    if (first?.kind !== 'snapshot') throw new Error('no snapshot first');
    expect(first.snapshot.round?.roundId).toBe(round.roundId);

    // An event from the future (as if two were lost on the way): not delivered; a snapshot is.
    const [deliver] = rt.socket.listeners('round');
    const stale = { ...(first.snapshot.round ? { round: first.snapshot.round } : {}) };
    if (!deliver || !stale.round) throw new Error('no round to replay');
    deliver({ tableId: 'roulette-1', seq: first.snapshot.seq + 5, event: 'BETTING_OPEN', round: stale.round });
    await rec.until(() => rec.seen.some((s) => s.kind === 'snapshot' && s.reason === 'gap'), 'the gap resync');
    expect(rec.events()).toEqual([]);

    // The connection drops: socket.io reconnects by itself, and the watcher gets the table anew.
    rt.socket.io.engine.close();
    await rec.until(() => rec.seen.some((s) => s.kind === 'snapshot' && s.reason === 'reconnected'), 'the reconnect');
    await dealer.closeBetting(round.roundId, Date.now());
    await rec.until(() => rec.events().some((e) => e.event === 'BETTING_CLOSED'), 'an event after reconnecting');
    expect(rec.events().map((e) => e.seq)).toEqual([rec.seen.findLast((s) => s.kind === 'snapshot')!.snapshot.seq + 1]);
    await client({ kind: 'staff', id: 'boss', password: 'boss-password' }).voidRound(round.roundId, 'test over');
    await watch.stop();
  });

  it('a session that ends is renewed with the kept credentials; without them the caller is told', async () => {
    // The client's clock runs ahead of the service's: past half of a session's life (renewAt), the
    // client signs in again, while the service still takes the old session.
    let aheadMs = 0;
    const player = new TableServiceClient({
      baseUrl: service.url,
      credentials: { kind: 'player', username: 'demo1', password: 'demo-password' },
      renewBeforeMs: 24 * 3600_000,
      now: () => Date.now() + aheadMs,
    });
    clients.push(player);
    await player.me();
    await player.me();
    expect(player.signIns).toBe(1);
    aheadMs = Math.round(((player.session?.expiresAt ?? 0) - Date.now()) * 0.6);
    await player.me();
    expect(player.signIns).toBe(2);
    const anonymous = client(undefined);
    expect(await refusal(anonymous.me())).toBe('NOT_SIGNED_IN');
    expect(await refusal(anonymous.login('demo1', 'wrong-password'))).toBe('AUTH_BAD_CREDENTIALS');
  });

  it('a page without the password renews its session with POST /v1/auth/refresh, and the new one works', async () => {
    let aheadMs = 0;
    const page = new TableServiceClient({ baseUrl: service.url, now: () => Date.now() + aheadMs });
    clients.push(page);
    const first = await page.login('demo2', 'demo-password');
    const heard: string[] = [];
    page.onSession((s) => heard.push(s.token));
    // Within the last minute of the session: due for renewal.
    aheadMs = first.expiresAt - Date.now() - 30_000;
    const me = await page.me();
    expect(me.player.username).toBe('demo2');
    expect(page.session?.token).not.toBe(first.token);
    expect(heard).toEqual([page.session?.token]);
    expect(page.signIns).toBe(0);
  });

  it("pages the player's bet history with payouts, the table's results, and the chat's mutes through the client", async () => {
    const player = client({ kind: 'player', username: 'demo1', password: 'demo-password' });
    const first = await player.betHistory({ limit: 1 });
    expect(first.bets).toHaveLength(1);
    expect(first.before).toBe(first.bets[0]?.betId);
    const rest = await player.betHistory({ before: first.before, limit: 100 });
    expect(rest.bets.map((b) => b.betId)).not.toContain(first.bets[0]?.betId);
    expect(rest.before).toBeNull();
    const all = [...first.bets, ...rest.bets];
    const settled = all.filter((b) => b.settledAtMs !== null);
    expect(settled.length).toBeGreaterThan(0);
    for (const b of settled) {
      if (b.status === 'won') expect(b.payout).toBeGreaterThan(b.stake);
      if (b.status === 'lost') expect(b.payout).toBe(0);
    }
    const results = await player.tableResults('roulette-1');
    expect(results.results.length).toBeGreaterThan(0);
    expect(results.results[0]?.result).toHaveProperty('pocket');

    const boss = client({ kind: 'staff', id: 'boss', password: 'boss-password' });
    const me = await player.me();
    const mute = await boss.muteChat('roulette-1', { playerId: me.player.id, minutes: 5, reason: 'test' });
    expect((await boss.chatMutes('roulette-1')).mutes).toEqual([mute]);
    await boss.unmuteChat('roulette-1', me.player.id);
    expect((await boss.chatMutes('roulette-1')).mutes).toEqual([]);
    expect((await player.chatHistory('roulette-1')).messages).toEqual([]);
  });
});
