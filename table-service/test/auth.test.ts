import { AppError } from '@live-casino/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_PASSWORD, demoSeed } from '../src/auth/demoSeed.js';
import * as Passwords from '../src/auth/Passwords.js';
import { Players } from '../src/auth/Players.js';
import { StaffDirectory } from '../src/auth/StaffDirectory.js';
import { ConfigError } from '../src/config.js';
import type { Database } from '../src/db/Database.js';
import { Ledger } from '../src/Ledger.js';
import { authRowCounts } from './helpers/authApp.js';
import { silentLog, startTestPostgres, type TestPostgres } from './helpers/db.js';

// A pass-through spy: every check still runs the real scrypt.
vi.mock('../src/auth/Passwords.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/auth/Passwords.js')>();
  return { ...real, verifyPassword: vi.fn(real.verifyPassword) };
});

let server: TestPostgres;
beforeAll(async () => {
  server = await startTestPostgres();
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => {
  vi.mocked(Passwords.verifyPassword).mockClear();
});

async function setup(): Promise<{ db: Database; ledger: Ledger; players: Players }> {
  const db = await server.freshDatabase();
  const ledger = await Ledger.create({ pool: db.pool, log: silentLog });
  return { db, ledger, players: new Players({ db, ledger, currency: 'EUR' }) };
}

async function appError(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('Players', () => {
  it('signs up a player with an empty wallet of their own, and logs them in', async () => {
    const { db, ledger, players } = await setup();
    const player = await players.signUp({ username: 'Alice_01', password: 'correct horse', displayName: ' Alice ' });
    expect(player).toMatchObject({ username: 'alice_01', displayName: 'Alice', currency: 'EUR' });
    expect(player.id).toMatch(/^p_[a-z2-7]{16}$/);

    const wallet = await ledger.account(Players.walletAccountId(player.id));
    expect(wallet).toMatchObject({ id: `wallet:${player.id}`, kind: 'player_wallet', owner: player.id, balance: 0 });
    expect(wallet.currency).toBe('EUR');

    const { rows } = await db.query<{ password_hash: string }>('SELECT password_hash FROM players WHERE id = $1', [
      player.id,
    ]);
    expect(rows[0]!.password_hash).toMatch(/^scrypt\$/);
    expect(rows[0]!.password_hash).not.toContain('correct horse');

    expect(await players.logIn('alice_01', 'correct horse')).toEqual(player);
    expect(await players.logIn(' ALICE_01', 'correct horse')).toEqual(player);
    expect(await players.byId(player.id)).toEqual(player);
  });

  it('defaults the display name to the username and takes the currency given', async () => {
    const { ledger, players } = await setup();
    const player = await players.signUp({ username: 'bob', password: 'hunter2hunter2', currency: 'USD' });
    expect(player).toMatchObject({ displayName: 'bob', currency: 'USD' });
    expect((await ledger.account(Players.walletAccountId(player.id))).currency).toBe('USD');
  });

  it('refuses a taken username, in any case, and writes nothing', async () => {
    const { db, players } = await setup();
    await players.signUp({ username: 'carol', password: 'password-1' });
    const before = await authRowCounts(db);
    for (const username of ['carol', 'CAROL', ' Carol ']) {
      const err = await appError(players.signUp({ username, password: 'password-2' }));
      expect(err.code).toBe('AUTH_USERNAME_TAKEN');
      expect(err.message).toMatch(/taken/);
    }
    expect(await authRowCounts(db)).toEqual(before);
    expect((await players.logIn('carol', 'password-1')).username).toBe('carol');
  });

  it('lets exactly one of concurrent sign-ups of one username through', async () => {
    const { db, players } = await setup();
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => players.signUp({ username: 'dave', password: `password-${i}` })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as AppError).code).toBe('AUTH_USERNAME_TAKEN');
    }
    expect(await authRowCounts(db)).toMatchObject({ players: 1, accounts: 1 });
  });

  it.each([
    ['short password', { username: 'erin', password: 'seven77' }, /at least 8/],
    ['long password', { username: 'erin', password: 'x'.repeat(60) + 'y'.repeat(60) + 'z'.repeat(9) }, /at most 128/],
    ['one-character password', { username: 'erin', password: 'aaaaaaaaaaaa' }, /weak/],
    ['password = username', { username: 'erin-the-great', password: 'Erin-The-Great' }, /username/],
    ['short username', { username: 'ab', password: 'password-1' }, /username/],
    ['long username', { username: 'a'.repeat(33), password: 'password-1' }, /username/],
    ['username with a space', { username: 'er in', password: 'password-1' }, /username/],
    ['username with non-ASCII', { username: 'érin', password: 'password-1' }, /username/],
    ['blank display name', { username: 'erin', password: 'password-1', displayName: '   ' }, /display name/],
    ['long display name', { username: 'erin', password: 'password-1', displayName: 'x'.repeat(33) }, /display name/],
    ['bidi override', { username: 'erin', password: 'password-1', displayName: 'nire\u202e' }, /display name/],
    ['newline', { username: 'erin', password: 'password-1', displayName: 'a\nb' }, /display name/],
    ['bad currency', { username: 'erin', password: 'password-1', currency: 'eur' }, /currency/],
  ])('refuses a %s with BAD_REQUEST and writes nothing', async (_, opts, message) => {
    const { db, players } = await setup();
    const err = await appError(players.signUp(opts));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.status).toBe(400);
    expect(err.message).toMatch(message);
    expect(await authRowCounts(db)).toEqual({ players: 0, accounts: 0, transfers: 0 });
  });

  it('counts characters, not UTF-16 units, and normalises passwords to NFC', async () => {
    const { players } = await setup();
    await players.signUp({ username: 'emoji', password: '🎲🎲🎲🎰🎰🎰🃏🃏' });
    const composed = 'caf\u00e9-au-lait';
    const decomposed = 'cafe\u0301-au-lait';
    await players.signUp({ username: 'frank', password: composed });
    expect((await players.logIn('frank', decomposed)).username).toBe('frank');
  });

  it('answers a wrong password and an unknown user alike, both after a scrypt', async () => {
    const { players } = await setup();
    await players.signUp({ username: 'grace', password: 'password-1' });
    const verify = vi.mocked(Passwords.verifyPassword);
    verify.mockClear();

    const cases: [unknown, unknown][] = [
      ['grace', 'password-2'],
      ['nobody', 'password-1'],
      ['x', 'password-1'],
      ['grace', ''],
      [42, 'password-1'],
      ['grace', { toString: () => 'password-1' }],
    ];
    for (const [username, password] of cases) {
      const err = await appError(players.logIn(username, password));
      expect(err.toBody()).toEqual({ code: 'AUTH_BAD_CREDENTIALS', message: 'wrong username or password' });
      expect(err.status).toBe(401);
    }
    expect(verify).toHaveBeenCalledTimes(cases.length);
  });
});

describe('StaffDirectory', () => {
  let hashes: { dealer: string; pitboss: string; vision: string };
  beforeAll(async () => {
    hashes = {
      dealer: await Passwords.hashPassword('dealer-password'),
      pitboss: await Passwords.hashPassword('pitboss-password'),
      vision: await Passwords.hashPassword('vision-secret-0123456789'),
    };
  });

  function config(): unknown[] {
    return [
      { id: 'dealer-1', role: 'dealer', tableId: 'roulette-1', passwordHash: hashes.dealer },
      { id: 'pitboss-1', role: 'pitboss', passwordHash: hashes.pitboss },
      { id: 'vision', role: 'service', secretHash: hashes.vision },
    ];
  }

  it('logs staff and services in with the role (and table) of their account', async () => {
    const staff = StaffDirectory.fromJson(JSON.stringify(config()), { tableIds: ['roulette-1', 'baccarat-1'] });
    expect(staff.size).toBe(3);
    expect(await staff.logIn('dealer-1', 'dealer-password')).toEqual({
      userId: 'dealer-1',
      role: 'dealer',
      tableId: 'roulette-1',
    });
    expect(await staff.logIn('pitboss-1', 'pitboss-password')).toEqual({ userId: 'pitboss-1', role: 'pitboss' });
    expect(await staff.logIn('vision', 'vision-secret-0123456789')).toEqual({ userId: 'vision', role: 'service' });
    expect(staff.list()).toEqual([
      { id: 'dealer-1', role: 'dealer', tableId: 'roulette-1' },
      { id: 'pitboss-1', role: 'pitboss' },
      { id: 'vision', role: 'service' },
    ]);
    expect(JSON.stringify(staff.list())).not.toContain('scrypt');
  });

  it('refuses wrong passwords and unknown ids alike, both after a scrypt', async () => {
    const staff = StaffDirectory.fromJson(JSON.stringify(config()));
    const verify = vi.mocked(Passwords.verifyPassword);
    verify.mockClear();
    const cases: [unknown, unknown][] = [
      ['dealer-1', 'pitboss-password'],
      ['pitboss-1', 'dealer-password'],
      ['nobody', 'dealer-password'],
      ['vision', ''],
      [undefined, 'dealer-password'],
    ];
    for (const [id, password] of cases) {
      const err = await appError(staff.logIn(id, password));
      expect(err.code).toBe('AUTH_BAD_CREDENTIALS');
    }
    expect(verify).toHaveBeenCalledTimes(cases.length);
  });

  it('means no staff when unset or empty', () => {
    expect(StaffDirectory.fromJson(undefined).size).toBe(0);
    expect(StaffDirectory.fromJson('  ').size).toBe(0);
    expect(StaffDirectory.fromJson('[]').size).toBe(0);
  });

  it.each<[string, (c: Record<string, unknown>[]) => unknown, RegExp]>([
    ['not JSON', () => '[{', /STAFF_ACCOUNTS: not JSON/],
    ['not an array', () => ({}), /STAFF_ACCOUNTS/],
    ['a dealer without a table', (c) => [{ ...c[0], tableId: undefined }], /STAFF_ACCOUNTS\/0/],
    ['an unknown role', (c) => [{ ...c[1], role: 'croupier' }], /STAFF_ACCOUNTS\/0/],
    ['an extra property', (c) => [c[1], { ...c[2], password: 'plain' }], /STAFF_ACCOUNTS\/1/],
    ['a plain password', (c) => [{ ...c[1], passwordHash: 'pitboss-password' }], /STAFF_ACCOUNTS\/0/],
    ['a duplicate id', (c) => [c[1], { ...c[2], id: 'pitboss-1' }], /STAFF_ACCOUNTS\/1\/id: duplicate/],
    ['an unknown table', (c) => [{ ...c[0], tableId: 'craps-1' }], /STAFF_ACCOUNTS\/0\/tableId: no table craps-1/],
    ['an upper-case id', (c) => [{ ...c[1], id: 'Pitboss' }], /STAFF_ACCOUNTS\/0/],
    ['a huge scrypt N', (c) => [{ ...c[1], passwordHash: 'scrypt$4194304$8$1$c2FsdA$aGFzaA' }], /out of range/],
    ['a scrypt N not a power of two', (c) => [{ ...c[1], passwordHash: 'scrypt$1000$8$1$c2FsdA$aGFzaA' }], /power/],
  ])('refuses %s at boot with a message naming it', (_, edit, message) => {
    const edited = edit(config() as Record<string, unknown>[]);
    const json = typeof edited === 'string' ? edited : JSON.stringify(edited);
    expect(() => StaffDirectory.fromJson(json, { tableIds: ['roulette-1'] })).toThrow(ConfigError);
    expect(() => StaffDirectory.fromJson(json, { tableIds: ['roulette-1'] })).toThrow(message);
  });

  it('never puts a hash in a configuration error', () => {
    const json = JSON.stringify([{ id: 'x', role: 'pitboss', passwordHash: `${hashes.pitboss}!` }]);
    expect(() => StaffDirectory.fromJson(json)).toThrow(ConfigError);
    try {
      StaffDirectory.fromJson(json);
    } catch (err) {
      expect((err as Error).message).not.toContain(hashes.pitboss.split('$')[5]);
    }
  });
});

describe('demoSeed', () => {
  async function balances(db: Database): Promise<Record<string, number>> {
    const { rows } = await db.query<{ id: string; balance: number }>('SELECT id, balance FROM accounts ORDER BY id');
    return Object.fromEntries(rows.map((r) => [r.id, r.balance]));
  }

  it('creates demo players with their balance once: a second run changes nothing', async () => {
    const { db, ledger, players } = await setup();
    const first = await demoSeed(db, ledger, players, { currency: 'EUR', count: 3, balance: 100_000 });
    expect(first.map((p) => [p.username, p.created, p.deposited, p.balance])).toEqual([
      ['demo1', true, true, 100_000],
      ['demo2', true, true, 100_000],
      ['demo3', true, true, 100_000],
    ]);
    const afterFirst = { counts: await authRowCounts(db), balances: await balances(db) };
    expect(afterFirst.balances).toMatchObject({ 'house:EUR': 0, 'cashier:EUR': -300_000 });

    const second = await demoSeed(db, ledger, players, { currency: 'EUR', count: 3, balance: 100_000 });
    expect(second.map((p) => p.id)).toEqual(first.map((p) => p.id));
    expect(second.every((p) => !p.created && !p.deposited && p.balance === 100_000)).toBe(true);
    expect({ counts: await authRowCounts(db), balances: await balances(db) }).toEqual(afterFirst);

    expect((await players.logIn('demo2', DEMO_PASSWORD)).id).toBe(first[1]!.id);
  });

  it('serialises concurrent seeds (two nodes starting together) into one set of players and deposits', async () => {
    const { db, ledger, players } = await setup();
    const opts = { currency: 'EUR', count: 2, balance: 5_000 };
    const [a, b] = await Promise.all([demoSeed(db, ledger, players, opts), demoSeed(db, ledger, players, opts)]);
    expect(a!.map((p) => p.id)).toEqual(b!.map((p) => p.id));
    expect(await authRowCounts(db)).toEqual({ players: 2, accounts: 4, transfers: 2 });
    expect((await balances(db))['cashier:EUR']).toBe(-10_000);
  });

  it('keeps the first deposit when rerun with another balance, and grows to a larger count', async () => {
    const { db, ledger, players } = await setup();
    await demoSeed(db, ledger, players, { currency: 'EUR', count: 1, balance: 1_000 });
    const rerun = await demoSeed(db, ledger, players, { currency: 'EUR', count: 2, balance: 2_000 });
    expect(rerun.map((p) => [p.username, p.created, p.balance])).toEqual([
      ['demo1', false, 1_000],
      ['demo2', true, 2_000],
    ]);
  });

  it('refuses nonsense options before touching the database', async () => {
    const { db, ledger, players } = await setup();
    await expect(demoSeed(db, ledger, players, { currency: 'EUR', count: -1, balance: 0 })).rejects.toThrow(RangeError);
    await expect(demoSeed(db, ledger, players, { currency: 'EUR', count: 1, balance: 0.5 })).rejects.toThrow(
      RangeError,
    );
    expect(await authRowCounts(db)).toEqual({ players: 0, accounts: 0, transfers: 0 });
  });
});
