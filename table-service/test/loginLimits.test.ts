import { randomBytes, randomInt } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LoginAttemptStore,
  LocalLoginAttemptStore,
  RedisLoginAttemptStore,
} from '../src/auth/LoginAttemptStore.js';
import { DEFAULT_LOGIN_POLICY, ipKey } from '../src/auth/LoginLimits.js';
import { ConfigError, parseTrustProxy } from '../src/config.js';
import { startTestPostgres, type TestPostgres } from './helpers/db.js';
import { REDIS_URL, redisForSuite } from './helpers/redis.js';
import { startTestService, type TestService } from './helpers/service.js';

const hasRedis = await redisForSuite('login limits with REDIS_URL');

const STAFF = [
  { id: 'dealer-1', role: 'dealer', tableId: 'roulette-1', password: 'dealer-password' },
  { id: 'vision', role: 'service', password: 'vision-secret-0123456789abcdef' },
];

/** An address of its own per test, so counts in a shared Redis never leak between tests or runs. */
function freshIp(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

let server: TestPostgres;
const services: TestService[] = [];
beforeAll(async () => {
  server = await startTestPostgres();
});
afterAll(async () => {
  for (const s of services) await s.svc.close();
  await server?.close();
});

async function start(env: Record<string, string> = {}, databaseUrl?: string): Promise<TestService> {
  const s = await startTestService(server, {
    staff: STAFF,
    demoPlayers: 0,
    env: { REDIS_URL: '', ...env },
    ...(databaseUrl ? { databaseUrl } : {}),
  });
  services.push(s);
  return s;
}

function login(s: TestService, username: string, password: string, ip: string, headers: Record<string, string> = {}) {
  return s.svc.app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { username, password },
    remoteAddress: ip,
    headers,
  });
}

function staffLogin(s: TestService, id: string, password: string, ip: string) {
  return s.svc.app.inject({
    method: 'POST',
    url: '/v1/auth/staff-login',
    payload: { id, password },
    remoteAddress: ip,
  });
}

/** Signs up players with names of their own (unique per run: Redis outlives the test database). */
async function signUp(s: TestService, ...names: string[]): Promise<string[]> {
  const suffix = randomBytes(3).toString('hex');
  const usernames = names.map((n) => `${n}_${suffix}`);
  for (const username of usernames) {
    const res = await s.svc.app.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: { username, password: 'right-password' },
    });
    expect(res.statusCode, res.body).toBe(201);
  }
  return usernames;
}

/** The attack of issue 10 point 4, on one node: what a lock does and does not stop. */
async function lockOutScenario(s: TestService, other?: TestService): Promise<void> {
  const [a, b] = await signUp(s, 'alice', 'bob');
  const ip = freshIp();
  const answers: string[] = [];
  for (let i = 0; i < 50; i++) {
    const res = await login(s, a!, 'wrong-password', ip);
    answers.push(`${res.statusCode} ${res.json().code}`);
  }
  // Four plain refusals; the fifth failure locks the account, and every attempt after it is refused unchecked.
  expect(answers.slice(0, 4)).toEqual(Array(4).fill('401 AUTH_BAD_CREDENTIALS'));
  expect(answers.slice(4)).toEqual(Array(46).fill('429 AUTH_ACCOUNT_LOCKED'));

  // Another account from the same address logs in; the locked one does not, even with its password.
  expect((await login(s, b!, 'right-password', ip)).statusCode).toBe(200);
  const lockedNode = other ?? s;
  const locked = await login(lockedNode, a!, 'right-password', ip);
  expect(locked.statusCode).toBe(429);
  expect(locked.json()).toEqual({
    code: 'AUTH_ACCOUNT_LOCKED',
    message: expect.stringMatching(/retry in/),
    retryAfterS: expect.any(Number),
  });
  expect(locked.json().retryAfterS).toBeGreaterThan(50);
  expect(locked.json().retryAfterS).toBeLessThanOrEqual(60);
  expect(Number(locked.headers['retry-after'])).toBe(locked.json().retryAfterS);
  // ... from any address.
  expect((await login(lockedNode, a!, 'right-password', freshIp())).json().code).toBe('AUTH_ACCOUNT_LOCKED');
  expect((await login(lockedNode, b!, 'right-password', freshIp())).statusCode).toBe(200);

  // Staff from the same address are not touched; the vision service is never locked out.
  expect((await staffLogin(s, 'dealer-1', 'dealer-password', ip)).statusCode).toBe(200);
  for (let i = 0; i < 8; i++) expect((await staffLogin(s, 'vision', 'wrong', ip)).statusCode).toBe(401);
  expect((await staffLogin(lockedNode, 'vision', STAFF[1]!.password, ip)).statusCode).toBe(200);
}

describe('login limits, in-process store (no REDIS_URL)', () => {
  it('50 wrong passwords lock that account only, with a typed error', async () => {
    await lockOutScenario(await start());
  });

  it('does not count successful logins against the IP; past the IP limit that IP is refused', async () => {
    const s = await start({ LOGIN_IP_MAX_FAILURES: '3' });
    const [a, b, c, d] = await signUp(s, 'carol', 'dave', 'erin', 'frank');
    const ip = freshIp();
    for (let i = 0; i < 20; i++) expect((await login(s, a!, 'right-password', ip)).statusCode).toBe(200);
    for (const name of [b, c, d]) expect((await login(s, name!, 'wrong-password', ip)).statusCode).toBe(401);
    const limited = await login(s, a!, 'right-password', ip);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED', retryAfterS: expect.any(Number) });
    // Only that address, and never a service.
    expect((await login(s, a!, 'right-password', freshIp())).statusCode).toBe(200);
    expect((await staffLogin(s, 'vision', STAFF[1]!.password, ip)).statusCode).toBe(200);
    expect((await staffLogin(s, 'dealer-1', 'dealer-password', ip)).statusCode).toBe(429);
  });

  it('takes the client address from X-Forwarded-For only from a proxy named in TRUST_PROXY', async () => {
    const trusting = await start({ LOGIN_IP_MAX_FAILURES: '2', TRUST_PROXY: '127.0.0.1, 192.168.0.0/16' });
    const [a, b] = await signUp(trusting, 'gina', 'hank');
    const client = freshIp();
    const via = (ip: string) => ({ 'x-forwarded-for': ip });
    for (let i = 0; i < 2; i++) {
      expect((await login(trusting, b!, 'wrong-password', '127.0.0.1', via(client))).statusCode).toBe(401);
    }
    expect((await login(trusting, a!, 'right-password', '192.168.3.4', via(client))).statusCode).toBe(429);
    // Another client behind the same proxy is not refused.
    expect((await login(trusting, a!, 'right-password', '127.0.0.1', via(freshIp()))).statusCode).toBe(200);
    // A client that is not a trusted proxy cannot pick its address with the header.
    const direct = freshIp();
    for (let i = 0; i < 2; i++) {
      expect((await login(trusting, b!, 'wrong-password', direct, via(freshIp()))).statusCode).toBe(401);
    }
    expect((await login(trusting, a!, 'right-password', direct, via(freshIp()))).statusCode).toBe(429);

    // Without TRUST_PROXY the header is ignored altogether.
    const plain = await start({ LOGIN_IP_MAX_FAILURES: '2' });
    const [c, d] = await signUp(plain, 'ivan', 'judy');
    for (let i = 0; i < 2; i++) {
      expect((await login(plain, d!, 'wrong-password', '127.0.0.1', via(freshIp()))).statusCode).toBe(401);
    }
    expect((await login(plain, c!, 'right-password', '127.0.0.1', via(freshIp()))).statusCode).toBe(429);
  });
});

describe.skipIf(!hasRedis)('login limits with REDIS_URL', () => {
  it('a lock taken on one node holds on another sharing Redis; other accounts log in on both', async () => {
    const a = await start({ REDIS_URL, NODE_ID: `ll-a-${process.pid}` });
    const b = await start({ REDIS_URL, NODE_ID: `ll-b-${process.pid}` }, a.databaseUrl);
    await lockOutScenario(a, b);
  });
});

describe('TRUST_PROXY configuration', () => {
  it('takes addresses, CIDRs and proxy-addr names; refuses hop counts, true and garbage', () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy('')).toBe(false);
    expect(parseTrustProxy('10.0.0.0/8, ::1, loopback')).toEqual(['10.0.0.0/8', '::1', 'loopback']);
    for (const bad of ['1', 'true', '10.0.0.0/33', 'example.com', '10.0.0.1/8/8']) {
      expect(() => parseTrustProxy(bad), bad).toThrow(ConfigError);
    }
  });
});

/** The same story told to each store: a lock, its backoff, forgiveness after a correct login. */
async function storeScenario(store: LoginAttemptStore, expire: (account: string) => Promise<void>): Promise<void> {
  const policy = { ...DEFAULT_LOGIN_POLICY, accountMaxFailures: 3, lockBaseMs: 10_000, lockMaxMs: 35_000 };
  const acct = `player:store_${randomBytes(4).toString('hex')}`;
  const ip = freshIp();
  const failUntilLocked = async (): Promise<number> => {
    for (let i = 1; i < policy.accountMaxFailures; i++) expect(await store.fail(acct, ip, policy)).toBe(0);
    return store.fail(acct, ip, policy);
  };
  const first = await failUntilLocked();
  expect(first).toBeGreaterThan(9_000);
  expect(first).toBeLessThanOrEqual(10_000);
  expect((await store.status(acct, ip)).accountLockedMs).toBeGreaterThan(9_000);
  // Failures while locked do not lengthen the lock (nor count towards the next one).
  expect(await store.fail(acct, ip, policy)).toBeLessThanOrEqual(10_000);
  expect((await store.status(acct, ip)).ipFailures).toBe(policy.accountMaxFailures + 1);
  await expire(acct);
  expect((await store.status(acct, ip)).accountLockedMs).toBe(0);
  expect(await failUntilLocked()).toBeGreaterThan(19_000);
  await expire(acct);
  expect(await failUntilLocked()).toBeGreaterThan(34_000);
  await expire(acct);
  expect(await failUntilLocked()).toBe(35_000);
  // A correct login forgives: the next lock is the first one again.
  await expire(acct);
  await store.succeed(acct);
  expect(await failUntilLocked()).toBeLessThanOrEqual(10_000);
}

describe('login attempt stores', () => {
  it('in-process: locks, doubles, caps, forgives', async () => {
    let now = 1_000_000;
    const store = new LocalLoginAttemptStore({ now: () => now });
    await storeScenario(store, async () => {
      now += 40_000;
    });
  });

  it('in-process: stays bounded when attackers pick the keys', async () => {
    const store = new LocalLoginAttemptStore({ maxKeys: 100 });
    for (let i = 0; i < 1000; i++) await store.fail(`player:n${i}`, `10.0.${i >> 8}.${i & 255}`, DEFAULT_LOGIN_POLICY);
    expect((await store.status('player:n999', '10.0.3.231')).ipFailures).toBe(1);
    expect((await store.status('player:n0', '10.0.0.0')).ipFailures).toBe(0);
  });

  it.skipIf(!hasRedis)('Redis: locks, doubles, caps, forgives', async () => {
    const redis = new Redis(REDIS_URL);
    const prefix = `test:login:${randomBytes(4).toString('hex')}:`;
    try {
      const store = new RedisLoginAttemptStore(redis, prefix);
      // A lock that has run out is a lock key gone; the strikes stay (they are remembered for a day).
      await storeScenario(store, async (account) => void (await redis.del(`${prefix}lock:${account}`)));
    } finally {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });

  it('counts IPv6 clients by their /64', () => {
    expect(ipKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(ipKey('2001:db8:1:2::9')).toBe('2001:db8:1:2::/64');
    expect(ipKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(ipKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(ipKey('10.1.2.3')).toBe('10.1.2.3');
  });
});
