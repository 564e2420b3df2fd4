import { waitFor } from '@live-casino/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from '../src/cli/ledgerCheck.js';
import type { Database } from '../src/db/Database.js';
import { Ledger, LedgerError, type PlaceResult, type TransferRequest, transferBodyHash } from '../src/Ledger.js';
import { silentLog, startTestPostgres, type TestPostgres } from './helpers/db.js';

let server: TestPostgres;
beforeAll(async () => {
  server = await startTestPostgres();
});
afterAll(async () => {
  await server?.close();
});

async function setup(opts: { poolMax?: number } = {}): Promise<{ db: Database; ledger: Ledger }> {
  const db = await server.freshDatabase(opts);
  const ledger = await Ledger.create({ pool: db.pool, log: silentLog });
  await ledger.openSystemAccounts('EUR');
  return { db, ledger };
}

async function wallet(ledger: Ledger, player: string, amount: number, currency = 'EUR'): Promise<string> {
  const id = `wallet:${player}:${currency}`;
  await ledger.openAccount({ id, kind: 'player_wallet', owner: player, currency });
  if (amount > 0) await ledger.deposit({ id: `deposit:${player}:${currency}`, to: id, amount, currency });
  return id;
}

async function escrow(ledger: Ledger, roundId: string): Promise<string> {
  const id = `escrow:${roundId}`;
  await ledger.openAccount({ id, kind: 'round_escrow', owner: roundId, currency: 'EUR' });
  return id;
}

function bet(id: string, from: string, to: string, amount: number): TransferRequest {
  return { id, from, to, amount, currency: 'EUR', kind: 'bet', roundId: to.replace('escrow:', ''), betId: id };
}

async function count(db: Database, sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: number }>(sql, values);
  return rows[0]!.n;
}

async function expectSound(db: Database): Promise<void> {
  const report = await checkLedger(db.pool);
  expect(report.violations).toEqual([]);
  expect(report.ok).toBe(true);
}

/** Polls a balance while `work` runs; returns the lowest seen. */
async function lowestBalanceDuring(db: Database, accountId: string, work: Promise<unknown>): Promise<number> {
  let lowest = Number.POSITIVE_INFINITY;
  let done = false;
  const watcher = (async () => {
    while (!done) {
      const { rows } = await db.query<{ balance: number }>('SELECT balance FROM accounts WHERE id = $1', [accountId]);
      lowest = Math.min(lowest, rows[0]!.balance);
      await new Promise((r) => setTimeout(r, 1));
    }
  })();
  await work.finally(() => {
    done = true;
  });
  await watcher;
  return lowest;
}

function settledResults<T>(results: PromiseSettledResult<T>[]): { ok: T[]; errors: LedgerError[] } {
  const ok: T[] = [];
  const errors: LedgerError[] = [];
  for (const r of results) {
    if (r.status === 'fulfilled') ok.push(r.value);
    else if (r.reason instanceof LedgerError) errors.push(r.reason);
    else throw r.reason;
  }
  return { ok, errors };
}

describe('concurrent bets', () => {
  it('50 concurrent bets worth more than the wallet: exactly the affordable ones commit, never below zero', async () => {
    const { db, ledger } = await setup({ poolMax: 25 });
    const p = await wallet(ledger, 'p1', 1000);
    const e = await escrow(ledger, 'r1');
    const work = Promise.allSettled(Array.from({ length: 50 }, (_, i) => ledger.transfer(bet(`bet-${i}`, p, e, 30))));
    const lowest = await lowestBalanceDuring(db, p, work);
    const { ok, errors } = settledResults(await work);

    expect(ok).toHaveLength(33);
    expect(errors).toHaveLength(17);
    for (const err of errors) {
      expect(err.code).toBe('WALLET_INSUFFICIENT_FUNDS');
      expect(err.status).toBe(402);
    }
    expect(lowest).toBeGreaterThanOrEqual(0);
    expect(await ledger.balance(p)).toBe(10);
    expect(await ledger.balance(e)).toBe(990);
    expect(await count(db, 'SELECT count(*)::int AS n FROM transfers WHERE from_account = $1', [p])).toBe(33);
    await expectSound(db);
  });

  it('mixed amounts through the group commit: a bet is refused only if the wallet could not pay it', async () => {
    const { db, ledger } = await setup();
    const p = await wallet(ledger, 'p1', 1000);
    const e = await escrow(ledger, 'r1');
    const amounts = Array.from({ length: 50 }, (_, i) => 1 + ((i * 37) % 97));
    const work = Promise.allSettled(amounts.map((a, i) => ledger.place(bet(`bet-${i}`, p, e, a))));
    const lowest = await lowestBalanceDuring(db, p, work);
    const results = await work;
    const { ok, errors } = settledResults(results);

    const committed = ok.reduce((s, r) => s + r.transfer.amount, 0);
    const final = await ledger.balance(p);
    expect(lowest).toBeGreaterThanOrEqual(0);
    expect(final).toBe(1000 - committed);
    expect(committed).toBeLessThanOrEqual(1000);
    expect(errors.length).toBeGreaterThan(0);
    results.forEach((r, i) => {
      // The wallet only goes down during the run, so a refused bet was larger than what is left.
      if (r.status === 'rejected') expect(amounts[i]).toBeGreaterThan(final);
    });
    await expectSound(db);
  });

  it('the same transfer id sent 20 times concurrently: one transfer, one debit', async () => {
    const { db, ledger } = await setup({ poolMax: 20 });
    const p = await wallet(ledger, 'p1', 1000);
    const e = await escrow(ledger, 'r1');
    const req = bet('bet-once', p, e, 250);
    const results = await Promise.all(Array.from({ length: 20 }, () => ledger.transfer(req)));

    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(new Set(results.map((r) => r.transfer.seq)).size).toBe(1);
    expect(await count(db, `SELECT count(*)::int AS n FROM transfers WHERE id = 'bet-once'`)).toBe(1);
    expect(await ledger.balance(p)).toBe(750);
    expect(await ledger.balance(e)).toBe(250);

    // And through the group commit, where the duplicates share a batch.
    const again = await Promise.all(Array.from({ length: 20 }, () => ledger.place(bet('bet-twice', p, e, 100))));
    expect(again.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await ledger.balance(p)).toBe(650);
    await expectSound(db);
  });

  it('opposing transfers and shuffled settlements in caller transactions never deadlock', async () => {
    const { db, ledger } = await setup({ poolMax: 20 });
    const accounts = ['a', 'b', 'c', 'd', 'e'].map((x) => `house:${x}`);
    for (const id of accounts) await ledger.openAccount({ id, kind: 'house', owner: id, currency: 'EUR' });
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const ops = Array.from({ length: 120 }, (_, i) => {
      const reqs = Array.from({ length: 4 }, (_, j): TransferRequest => {
        const from = accounts[random(accounts.length)]!;
        let to = accounts[random(accounts.length)]!;
        if (to === from) to = accounts[(accounts.indexOf(from) + 1) % accounts.length]!;
        return { id: `op-${i}-${j}`, from, to, amount: 1 + random(50), currency: 'EUR', kind: 'payout' };
      });
      // No retry inside a caller's transaction: a deadlock would surface as 40P01 here.
      return i % 2 === 0
        ? db.transaction((client) => ledger.transferMany(reqs, client))
        : db.transaction((client) => ledger.placeBatch(reqs, client));
    });
    const settled = await Promise.allSettled(ops);
    expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
    expect(await count(db, `SELECT count(*)::int AS n FROM transfers WHERE id LIKE 'op-%'`)).toBe(480);
    await expectSound(db);
  });
});

describe('idempotency and refusals', () => {
  it('the same id with a different body is refused and writes nothing', async () => {
    const { db, ledger } = await setup();
    const p = await wallet(ledger, 'p1', 1000);
    const e = await escrow(ledger, 'r1');
    const first = await ledger.transfer(bet('bet-1', p, e, 100));
    expect(first.replayed).toBe(false);
    expect(first.balances).toEqual({ from: 900, to: 100 });

    for (const changed of [
      { ...bet('bet-1', p, e, 101) },
      { ...bet('bet-1', p, e, 100), betId: 'other' },
      { ...bet('bet-1', p, e, 100), kind: 'bet_cancel' as const },
    ]) {
      const err = await ledger.transfer(changed).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(LedgerError);
      expect(err).toMatchObject({ code: 'LEDGER_IDEMPOTENCY_CONFLICT', status: 409 });
    }
    expect(await ledger.balance(p)).toBe(900);
    expect(await count(db, 'SELECT count(*)::int AS n FROM transfers')).toBe(2);

    const replay = await ledger.transfer(bet('bet-1', p, e, 100));
    expect(replay.replayed).toBe(true);
    expect(replay.balances).toBeUndefined();
    expect(replay.transfer).toEqual(first.transfer);
    await expectSound(db);
  });

  it('copies of one id in one call: the first that commits wins, the later ones replay it or conflict', async () => {
    const { db, ledger } = await setup();
    const p = await wallet(ledger, 'p1', 150);
    const e = await escrow(ledger, 'r1');
    const results = await ledger.placeBatch([
      bet('too-big', p, e, 200), // refused: funds
      bet('b-1', p, e, 100),
      bet('b-1', p, e, 100), // the same bet again: a replay of the one above
      bet('b-1', p, e, 40), // another body under that id: a conflict
      bet('too-big', p, e, 50), // the id of a refused bet, now affordable: commits
      bet('too-big', p, e, 50),
    ]);
    expect(results.map((r) => (r.ok ? (r.replayed ? 'replayed' : 'committed') : r.error.code))).toEqual([
      'WALLET_INSUFFICIENT_FUNDS',
      'committed',
      'replayed',
      'LEDGER_IDEMPOTENCY_CONFLICT',
      'committed',
      'replayed',
    ]);
    expect(await ledger.balance(p)).toBe(0);
    expect(await count(db, "SELECT count(*)::int AS n FROM transfers WHERE kind = 'bet'")).toBe(2);
    await expectSound(db);
  });

  it('an id taken by a concurrent transaction with another body is answered as a conflict, never twice', async () => {
    const { db, ledger } = await setup();
    const p1 = await wallet(ledger, 'p1', 1000);
    const p2 = await wallet(ledger, 'p2', 1000);
    const e = await escrow(ledger, 'r1');
    const e2 = await escrow(ledger, 'r2');
    // p2's transfer takes the id first and holds it uncommitted; p1's call (other accounts, so no
    // lock in common) passes its checks, then meets the id at its INSERT: it must not commit the
    // debit without its transfer, nor fail for good. It waits, is run again, and answers a conflict.
    const holder = await db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT ledger_apply($1::jsonb, true)', [
        JSON.stringify([{ ...bet('shared', p2, e, 70), bodyHash: transferBodyHash(bet('shared', p2, e, 70)) }]),
      ]);
      const racing = ledger.transfer(bet('shared', p1, e2, 30)).catch((x: unknown) => x);
      await waitForBlockedBatch(db);
      await holder.query('COMMIT');
      expect(await racing).toMatchObject({ code: 'LEDGER_IDEMPOTENCY_CONFLICT' });
    } finally {
      holder.release();
    }
    expect(await ledger.balance(p1)).toBe(1000);
    expect(await ledger.balance(p2)).toBe(930);
    await expectSound(db);
  });

  it('a replay is answered even when the wallet could no longer pay it', async () => {
    const { ledger } = await setup();
    const p = await wallet(ledger, 'p1', 100);
    const e = await escrow(ledger, 'r1');
    await ledger.transfer(bet('all-in', p, e, 100));
    expect((await ledger.transfer(bet('all-in', p, e, 100))).replayed).toBe(true);
  });

  it('refused transfers write nothing and say why', async () => {
    const { db, ledger } = await setup();
    const p = await wallet(ledger, 'p1', 100);
    const usd = await wallet(ledger, 'p1', 100, 'USD');
    const e = await escrow(ledger, 'r1');
    const cases: [TransferRequest, string, number][] = [
      [bet('t1', p, e, 101), 'WALLET_INSUFFICIENT_FUNDS', 402],
      [bet('t2', 'wallet:nobody', e, 1), 'LEDGER_ACCOUNT_NOT_FOUND', 404],
      [bet('t3', p, 'escrow:nowhere', 1), 'LEDGER_ACCOUNT_NOT_FOUND', 404],
      [bet('t4', usd, e, 1), 'LEDGER_CURRENCY_MISMATCH', 422],
      [{ ...bet('t5', p, e, 1), currency: 'USD' }, 'LEDGER_CURRENCY_MISMATCH', 422],
      [bet('t6', p, e, 0), 'BAD_REQUEST', 400],
      [bet('t7', p, e, 1.5), 'BAD_REQUEST', 400],
      [bet('t8', p, e, 2 ** 53), 'BAD_REQUEST', 400],
      [bet('t9', p, p, 1), 'BAD_REQUEST', 400],
      [{ ...bet('t10', p, e, 1), currency: 'eur' }, 'BAD_REQUEST', 400],
      [{ ...bet('', p, e, 1) }, 'BAD_REQUEST', 400],
      [{ ...bet('t11', p, e, 1), kind: 'Bet!' as 'bet' }, 'BAD_REQUEST', 400],
      [{ ...bet('t12', e, p, 1), kind: 'payout' }, 'LEDGER_INSUFFICIENT_FUNDS', 409],
    ];
    for (const [req, code, status] of cases) {
      const err = await ledger.transfer(req).catch((x: unknown) => x);
      expect(err, `${req.id}`).toBeInstanceOf(LedgerError);
      expect(err, `${req.id}`).toMatchObject({ code, status });
    }
    expect(await count(db, `SELECT count(*)::int AS n FROM transfers WHERE kind <> 'deposit'`)).toBe(0);
    expect(await ledger.balance(p)).toBe(100);
    await expectSound(db);
  });

  it('a closed escrow takes no more bets but still pays out, and stays closed', async () => {
    const { db, ledger } = await setup();
    const p = await wallet(ledger, 'p1', 100);
    const e = await escrow(ledger, 'r1');
    await ledger.transfer(bet('before-close', p, e, 40));
    const closed = await ledger.closeAccount(e);
    expect(closed.closedAt).toBeInstanceOf(Date);
    expect((await ledger.closeAccount(e)).closedAt).toEqual(closed.closedAt);

    await expect(ledger.transfer(bet('after-close', p, e, 10))).rejects.toMatchObject({
      code: 'LEDGER_ACCOUNT_CLOSED',
    });
    // A retry of a bet that made it before the close is still answered.
    expect((await ledger.transfer(bet('before-close', p, e, 40))).replayed).toBe(true);
    await ledger.transfer({ id: 'refund', from: e, to: p, amount: 40, currency: 'EUR', kind: 'void_refund' });
    expect(await ledger.balance(p)).toBe(100);
    await expect(db.query('UPDATE accounts SET closed_at = NULL WHERE id = $1', [e])).rejects.toMatchObject({
      code: 'LD900',
    });
  });

  it('openAccount is idempotent and refuses a different account under the same id', async () => {
    const { ledger } = await setup();
    const a = await ledger.openAccount({ id: 'wallet:x', kind: 'player_wallet', owner: 'x', currency: 'EUR' });
    const b = await ledger.openAccount({ id: 'wallet:x', kind: 'player_wallet', owner: 'x', currency: 'EUR' });
    expect(b).toEqual(a);
    await expect(
      ledger.openAccount({ id: 'wallet:x', kind: 'player_wallet', owner: 'x', currency: 'USD' }),
    ).rejects.toMatchObject({ code: 'LEDGER_IDEMPOTENCY_CONFLICT' });
    await expect(ledger.balance('wallet:none')).rejects.toMatchObject({ code: 'LEDGER_ACCOUNT_NOT_FOUND' });
  });
});

describe('transferMany (settlement)', () => {
  it('is all or nothing, and running it again after success replays every transfer', async () => {
    const { db, ledger } = await setup();
    const p1 = await wallet(ledger, 'p1', 1000);
    const p2 = await wallet(ledger, 'p2', 1000);
    const e = await escrow(ledger, 'r1');
    const house = Ledger.houseAccountId('EUR');
    await ledger.transfer(bet('b1', p1, e, 100));
    await ledger.transfer(bet('b2', p2, e, 100));
    const before = { p1: await ledger.balance(p1), p2: await ledger.balance(p2), e: await ledger.balance(e) };
    const transfersBefore = await count(db, 'SELECT count(*)::int AS n FROM transfers');

    const settle = (lossAmount: number): TransferRequest[] => [
      { id: 's-pay-b1', from: e, to: p1, amount: 100, currency: 'EUR', kind: 'payout', roundId: 'r1', betId: 'b1' },
      { id: 's-win-b1', from: house, to: p1, amount: 100, currency: 'EUR', kind: 'payout', roundId: 'r1', betId: 'b1' },
      { id: 's-loss-b2', from: e, to: house, amount: lossAmount, currency: 'EUR', kind: 'loss', roundId: 'r1' },
    ];

    const err = await ledger.transferMany(settle(150)).catch((x: unknown) => x);
    expect(err).toMatchObject({ code: 'LEDGER_INSUFFICIENT_FUNDS', index: 2 });
    expect(await count(db, 'SELECT count(*)::int AS n FROM transfers')).toBe(transfersBefore);
    expect(await ledger.balance(p1)).toBe(before.p1);
    expect(await ledger.balance(e)).toBe(before.e);

    const done = await ledger.transferMany(settle(100));
    expect(done.map((r) => r.replayed)).toEqual([false, false, false]);
    expect(await ledger.balance(p1)).toBe(1100);
    expect(await ledger.balance(e)).toBe(0);

    const again = await ledger.transferMany(settle(100));
    expect(again.map((r) => r.replayed)).toEqual([true, true, true]);
    expect(await ledger.balance(p1)).toBe(1100);
    await expect(ledger.transferMany(settle(99))).rejects.toMatchObject({
      code: 'LEDGER_IDEMPOTENCY_CONFLICT',
      index: 2,
    });
    await expectSound(db);
  });

  it('transferAll moves every transfer or none and counts replays, as transferMany does', async () => {
    const { db, ledger } = await setup();
    const p1 = await wallet(ledger, 'p1', 1000);
    const p2 = await wallet(ledger, 'p2', 1000);
    const e = await escrow(ledger, 'r1');
    const bets = [bet('a1', p1, e, 300), bet('a2', p2, e, 400)];
    expect(await ledger.transferAll(bets)).toEqual({ committed: 2, replayed: 0 });
    // One transfer the escrow cannot pay: nothing of the call moves, and the error names it.
    const payouts = [
      { ...bet('pay-1', e, p1, 300), kind: 'payout' as const },
      { ...bet('pay-2', e, p2, 5000), kind: 'payout' as const },
    ];
    const err = await ledger.transferAll(payouts).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(LedgerError);
    expect(err).toMatchObject({ code: 'LEDGER_INSUFFICIENT_FUNDS', index: 1 });
    expect(await ledger.balance(p1)).toBe(700);
    // Run again after success: replays, no second debit.
    expect(await ledger.transferAll([...bets, bet('a3', p1, e, 100)])).toEqual({ committed: 1, replayed: 2 });
    expect(await ledger.balance(p1)).toBe(600);
    expect(await ledger.balance(e)).toBe(800);
    await expectSound(db);
  });

  it('settles a round of 2000 players in one call', async () => {
    const { db, ledger } = await setup();
    const e = await escrow(ledger, 'big');
    const players = Array.from({ length: 2000 }, (_, i) => `wallet:big-${i}`);
    for (const id of players) await ledger.openAccount({ id, kind: 'player_wallet', owner: id, currency: 'EUR' });
    const cashier = Ledger.cashierAccountId('EUR');
    await ledger.transferMany(
      players.map((to, i) => ({ id: `seed-${i}`, from: cashier, to, amount: 100, currency: 'EUR', kind: 'deposit' })),
    );
    await ledger.placeBatch(players.map((p, i) => bet(`big-bet-${i}`, p, e, 10)));
    const house = Ledger.houseAccountId('EUR');
    const settlement = players.flatMap((p, i): TransferRequest[] =>
      i % 2 === 0
        ? [
            { id: `big-pay-${i}`, from: e, to: p, amount: 10, currency: 'EUR', kind: 'payout', roundId: 'big' },
            { id: `big-win-${i}`, from: house, to: p, amount: 10, currency: 'EUR', kind: 'payout', roundId: 'big' },
          ]
        : [{ id: `big-loss-${i}`, from: e, to: house, amount: 10, currency: 'EUR', kind: 'loss', roundId: 'big' }],
    );
    const results = await ledger.transferMany(settlement);
    expect(results).toHaveLength(3000);
    expect(await ledger.balance(e)).toBe(0);
    expect(await ledger.balance(players[0]!)).toBe(110);
    expect(await ledger.balance(players[1]!)).toBe(90);
    expect((await ledger.roundTransfers('big')).length).toBe(5000);
    await expectSound(db);
  });

  it('joins the caller transaction: a rollback there undoes the transfers', async () => {
    const { db, ledger } = await setup();
    const p = await wallet(ledger, 'p1', 1000);
    const e = await escrow(ledger, 'r1');
    await expect(
      db.transaction(async (client) => {
        await ledger.transferMany([bet('tx-1', p, e, 10), bet('tx-2', p, e, 20)], client);
        throw new Error('round update failed');
      }),
    ).rejects.toThrow('round update failed');
    expect(await ledger.balance(p)).toBe(1000);

    await expect(
      db.transaction((client) => ledger.transferMany([bet('tx-3', p, e, 10), bet('tx-4', p, e, 5000)], client)),
    ).rejects.toMatchObject({ code: 'WALLET_INSUFFICIENT_FUNDS', index: 1 });
    expect(await count(db, `SELECT count(*)::int AS n FROM transfers WHERE kind = 'bet'`)).toBe(0);

    await db.transaction((client) => ledger.transferMany([bet('tx-5', p, e, 10)], client));
    expect(await ledger.balance(p)).toBe(990);
  });
});

describe('placeBatch (group commit)', () => {
  it('commits the good items of a mixed batch and refuses each bad one on its own', async () => {
    const { db, ledger } = await setup();
    const p1 = await wallet(ledger, 'p1', 1000);
    const p2 = await wallet(ledger, 'p2', 50);
    const usd = await wallet(ledger, 'p3', 500, 'USD');
    const e = await escrow(ledger, 'r1');
    const closed = await escrow(ledger, 'r0');
    await ledger.closeAccount(closed);
    await ledger.transfer(bet('earlier', p1, e, 10));

    const items: TransferRequest[] = [
      bet('good-1', p1, e, 100),
      bet('too-much', p2, e, 51),
      bet('no-wallet', 'wallet:ghost', e, 1),
      bet('wrong-currency', usd, e, 1),
      bet('zero', p1, e, 0),
      bet('earlier', p1, e, 10),
      bet('earlier', p1, e, 11),
      bet('closed', p1, closed, 5),
      bet('good-2', p2, e, 50),
      bet('p2-now-empty', p2, e, 1),
      bet('good-1', p1, e, 100),
    ];
    const results = await ledger.placeBatch(items);
    const summary = results.map((r: PlaceResult) => (r.ok ? (r.replayed ? 'replayed' : 'committed') : r.error.code));
    expect(summary).toEqual([
      'committed',
      'WALLET_INSUFFICIENT_FUNDS',
      'LEDGER_ACCOUNT_NOT_FOUND',
      'LEDGER_CURRENCY_MISMATCH',
      'BAD_REQUEST',
      'replayed',
      'LEDGER_IDEMPOTENCY_CONFLICT',
      'LEDGER_ACCOUNT_CLOSED',
      'committed',
      'WALLET_INSUFFICIENT_FUNDS',
      'replayed',
    ]);
    const first = results[0]!;
    expect(first.ok && first.balances).toEqual({ from: 890, to: 110 });
    expect(await ledger.balance(p1)).toBe(890);
    expect(await ledger.balance(p2)).toBe(0);
    expect(await ledger.balance(e)).toBe(160);
    expect(await count(db, `SELECT count(*)::int AS n FROM transfers WHERE kind = 'bet'`)).toBe(3);
    await expectSound(db);
  });

  it('a batch whose connection is killed mid-flight is retried and commits exactly once', async () => {
    const { db, ledger } = await setup();
    const p = await wallet(ledger, 'p1', 1000);
    const e = await escrow(ledger, 'r1');
    const blocker = new pg.Client({ connectionString: server.url(await currentDatabase(db)) });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT * FROM accounts WHERE id = $1 FOR UPDATE', [e]);
      const batch = ledger.placeBatch(Array.from({ length: 10 }, (_, i) => bet(`killed-${i}`, p, e, 10)));
      const pid = await waitForBlockedBatch(db);
      await db.query('SELECT pg_terminate_backend($1)', [pid]);
      await waitForBlockedBatch(db); // the retry, on a new connection
      await blocker.query('COMMIT');
      const results = await batch;
      expect(results.every((r) => r.ok)).toBe(true);
    } finally {
      await blocker.end();
    }
    expect(await count(db, `SELECT count(*)::int AS n FROM transfers WHERE id LIKE 'killed-%'`)).toBe(10);
    expect(await ledger.balance(p)).toBe(900);
    await expectSound(db);
  });

  it('place() shares commits between concurrent callers and drains on close', async () => {
    const { db, ledger } = await setup();
    const players = await Promise.all(Array.from({ length: 20 }, (_, i) => wallet(ledger, `p${i}`, 100)));
    const e = await escrow(ledger, 'r1');
    const xactsBefore = await commits(db);
    const placed = players.flatMap((p, i) => [1, 2, 3].map((k) => ledger.place(bet(`b-${i}-${k}`, p, e, 10))));
    await ledger.close();
    const results = await Promise.all(placed);
    expect(results.every((r) => !r.replayed)).toBe(true);
    expect(await ledger.balance(e)).toBe(600);
    // 60 bets, far fewer commits (the first goes alone, the rest share).
    expect((await commits(db)) - xactsBefore).toBeLessThan(20);
    await expect(ledger.place(bet('late', players[0]!, e, 1))).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});

describe('append-only', () => {
  it('forbids changing or removing transfers and accounts', async () => {
    const { db, ledger } = await setup();
    const p = await wallet(ledger, 'p1', 100);
    for (const sql of [
      `UPDATE transfers SET amount = 1`,
      `DELETE FROM transfers`,
      `TRUNCATE transfers CASCADE`,
      `DELETE FROM accounts WHERE id = '${p}'`,
      `TRUNCATE accounts CASCADE`,
      `UPDATE accounts SET currency = 'USD' WHERE id = '${p}'`,
      `UPDATE accounts SET kind = 'house' WHERE id = '${p}'`,
    ]) {
      await expect(db.query(sql), sql).rejects.toMatchObject({ code: 'LD900' });
    }
    expect(await ledger.balance(p)).toBe(100);
    expect(await count(db, 'SELECT count(*)::int AS n FROM transfers')).toBe(1);
    // The schema itself refuses a negative wallet, whoever writes.
    await expect(db.query(`UPDATE accounts SET balance = -1 WHERE id = '${p}'`)).rejects.toMatchObject({
      code: '23514',
    });
  });
});

async function currentDatabase(db: Database): Promise<string> {
  const { rows } = await db.query<{ name: string }>('SELECT current_database() AS name');
  return rows[0]!.name;
}

async function waitForBlockedBatch(db: Database): Promise<number> {
  return waitFor(
    'a ledger batch blocked on a lock',
    async () => {
      const { rows } = await db.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%ledger_apply%'`,
      );
      return rows[0]?.pid;
    },
    30_000,
    10,
  );
}

async function commits(db: Database): Promise<number> {
  // Transactions that wrote: one per commit of the ledger.
  const { rows } = await db.query<{ n: number }>(`SELECT count(DISTINCT xmin::text)::int AS n FROM transfers`);
  return rows[0]!.n;
}
