import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/Passwords.js';
import { SessionTokens } from '../src/auth/SessionTokens.js';
import { StaffDirectory } from '../src/auth/StaffDirectory.js';
import type { Database } from '../src/db/Database.js';
import { type AuthApp, authRowCounts, buildAuthApp, newSessionKeys, type SessionKeys } from './helpers/authApp.js';
import { startTestPostgres, type TestPostgres } from './helpers/db.js';

let server: TestPostgres;
let staff: StaffDirectory;
beforeAll(async () => {
  server = await startTestPostgres();
  staff = StaffDirectory.fromJson(
    JSON.stringify([
      { id: 'dealer-1', role: 'dealer', tableId: 'roulette-1', passwordHash: await hashPassword('dealer-password') },
      { id: 'pitboss-1', role: 'pitboss', passwordHash: await hashPassword('pitboss-password') },
      { id: 'vision', role: 'service', secretHash: await hashPassword('vision-secret-0123456789') },
    ]),
  );
});
afterAll(async () => {
  await server?.close();
});

interface Ctx extends AuthApp {
  db: Database;
  keys: SessionKeys;
}

async function setup(opts: { rateLimit?: { max: number; timeWindowMs: number } } = {}): Promise<Ctx> {
  const db = await server.freshDatabase({ poolMax: 5 });
  const keys = await newSessionKeys();
  const built = await buildAuthApp({ db, staff, keys, rateLimit: opts.rateLimit ?? false });
  return { ...built, db, keys };
}

/** Builds, runs and closes an app per test. */
async function withApp(fn: (ctx: Ctx) => Promise<void>, opts?: Parameters<typeof setup>[0]): Promise<void> {
  const ctx = await setup(opts);
  try {
    await fn(ctx);
  } finally {
    await ctx.app.close();
  }
}

function post(ctx: Ctx, url: string, body: unknown, headers: Record<string, string> = {}) {
  return ctx.app.inject({ method: 'POST', url, payload: body as object, headers });
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

async function staffToken(ctx: Ctx, id: string, password: string): Promise<string> {
  const res = await post(ctx, '/v1/auth/staff-login', { id, password });
  expect(res.statusCode).toBe(200);
  return res.json<{ token: string }>().token;
}

describe('player sign-up and login', () => {
  it('signs up, logs in and shows the player their empty wallet', async () =>
    withApp(async (ctx) => {
      const signup = await post(ctx, '/v1/auth/signup', { username: 'Alice', password: 'correct horse' });
      expect(signup.statusCode).toBe(201);
      const body = signup.json<{ token: string; expiresAt: number; player: Record<string, string> }>();
      expect(body.player).toEqual({
        id: expect.stringMatching(/^p_/),
        username: 'alice',
        displayName: 'alice',
        currency: 'EUR',
      });
      expect(body.expiresAt).toBeGreaterThan(Date.now());
      expect(await ctx.sessions.verify(body.token)).toEqual({
        userId: body.player.id,
        role: 'player',
        authTime: expect.any(Number),
      });

      const me = await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(body.token) });
      expect(me.statusCode).toBe(200);
      expect(me.json()).toEqual({ player: body.player, balance: { amount: 0, currency: 'EUR' } });

      const login = await post(ctx, '/v1/auth/login', { username: 'alice', password: 'correct horse' });
      expect(login.statusCode).toBe(200);
      expect(login.json().player).toEqual(body.player);
      expect(Object.keys(login.json()).sort()).toEqual(['expiresAt', 'player', 'token']);
    }));

  it('shows the balance after a deposit', async () =>
    withApp(async (ctx) => {
      const { token, player } = (
        await post(ctx, '/v1/auth/signup', { username: 'bob', password: 'password-1', displayName: 'Bobby' })
      ).json<{ token: string; player: { id: string } }>();
      await ctx.ledger.deposit({ id: 'dep-1', to: `wallet:${player.id}`, amount: 12_345, currency: 'EUR' });
      const me = await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) });
      expect(me.json()).toMatchObject({
        player: { displayName: 'Bobby' },
        balance: { amount: 12_345, currency: 'EUR' },
      });
    }));

  it('refuses a taken username with a typed error and writes nothing', async () =>
    withApp(async (ctx) => {
      expect((await post(ctx, '/v1/auth/signup', { username: 'carol', password: 'password-1' })).statusCode).toBe(201);
      const before = await authRowCounts(ctx.db);
      const again = await post(ctx, '/v1/auth/signup', { username: 'Carol', password: 'password-2' });
      expect(again.statusCode).toBe(409);
      expect(again.json()).toEqual({ code: 'AUTH_USERNAME_TAKEN', message: 'username carol is taken' });
      expect(await authRowCounts(ctx.db)).toEqual(before);
    }));

  it('answers wrong passwords and unknown users with the same 401', async () =>
    withApp(async (ctx) => {
      await post(ctx, '/v1/auth/signup', { username: 'dave', password: 'password-1' });
      const wrong = await post(ctx, '/v1/auth/login', { username: 'dave', password: 'password-2' });
      const unknown = await post(ctx, '/v1/auth/login', { username: 'nobody', password: 'password-1' });
      for (const res of [wrong, unknown]) {
        expect(res.statusCode).toBe(401);
        expect(res.json()).toEqual({ code: 'AUTH_BAD_CREDENTIALS', message: 'wrong username or password' });
      }
    }));

  it('refuses weak passwords at sign-up with BAD_REQUEST', async () =>
    withApp(async (ctx) => {
      for (const password of ['short', 'aaaaaaaaaaaa', 'x'.repeat(129), 'erin-the-great']) {
        const res = await post(ctx, '/v1/auth/signup', { username: 'erin-the-great', password });
        expect(res.statusCode).toBe(400);
        expect(res.json().code).toBe('BAD_REQUEST');
      }
      expect(await authRowCounts(ctx.db)).toMatchObject({ players: 0, accounts: 2 });
    }));
});

describe('staff login', () => {
  it('gives dealers a session bound to their table, pit bosses and services theirs', async () =>
    withApp(async (ctx) => {
      const dealer = await post(ctx, '/v1/auth/staff-login', { id: 'dealer-1', password: 'dealer-password' });
      expect(dealer.statusCode).toBe(200);
      expect(dealer.json()).toMatchObject({ role: 'dealer', tableId: 'roulette-1' });
      expect(await ctx.sessions.verify(dealer.json().token)).toEqual({
        userId: 'dealer-1',
        role: 'dealer',
        tableId: 'roulette-1',
        authTime: expect.any(Number),
      });

      const pitboss = await post(ctx, '/v1/auth/staff-login', { id: 'pitboss-1', password: 'pitboss-password' });
      expect(pitboss.json()).toEqual({ token: expect.any(String), expiresAt: expect.any(Number), role: 'pitboss' });

      const vision = await post(ctx, '/v1/auth/staff-login', { id: 'vision', password: 'vision-secret-0123456789' });
      expect(vision.json()).toMatchObject({ role: 'service' });

      for (const body of [
        { id: 'dealer-1', password: 'pitboss-password' },
        { id: 'ghost', password: 'dealer-password' },
      ]) {
        const res = await post(ctx, '/v1/auth/staff-login', body);
        expect(res.statusCode).toBe(401);
        expect(res.json().code).toBe('AUTH_BAD_CREDENTIALS');
      }
    }));

  it('does not log players in as staff, nor staff as players', async () =>
    withApp(async (ctx) => {
      await post(ctx, '/v1/auth/signup', { username: 'dealer-1', password: 'dealer-password' });
      const asPlayer = await post(ctx, '/v1/auth/login', { username: 'dealer-1', password: 'dealer-password' });
      await expect(ctx.sessions.verify(asPlayer.json().token)).resolves.toMatchObject({ role: 'player' });
      const res = await post(ctx, '/v1/auth/staff-login', { id: 'frank', password: 'password-1' });
      expect(res.statusCode).toBe(401);
    }));
});

describe('authPlugin', () => {
  async function playerToken(ctx: Ctx): Promise<string> {
    const res = await post(ctx, '/v1/auth/signup', { username: 'grace', password: 'password-1' });
    return res.json<{ token: string }>().token;
  }

  function me(ctx: Ctx, headers: Record<string, string>) {
    return ctx.app.inject({ method: 'GET', url: '/v1/me', headers });
  }

  it('asks for a token when there is none', async () =>
    withApp(async (ctx) => {
      const res = await me(ctx, {});
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ code: 'AUTH_TOKEN_MISSING', message: 'log in first' });
    }));

  it('refuses tampered, foreign, unsigned, malformed and expired tokens', async () =>
    withApp(async (ctx) => {
      const token = await playerToken(ctx);
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const forged = (c: object) => Buffer.from(JSON.stringify(c)).toString('base64url');

      const otherKeys = await newSessionKeys();
      const foreign = (await new SessionTokens(otherKeys, 60).issue({ userId: claims.sub, role: 'pitboss' })).token;
      const unsigned = `${forged({ alg: 'none' })}.${forged({ ...claims, role: 'pitboss' })}.`;
      const hs256 = await new SignJWT({ role: 'pitboss' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.sub)
        .setIssuer(claims.iss)
        .setAudience(claims.aud)
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode('guess-the-secret-guess-the-secret'));

      const invalid: Record<string, string>[] = [
        bearer(`${header}.${forged({ ...claims, role: 'pitboss' })}.${signature}`),
        bearer(`${header}.${forged({ ...claims, sub: 'p_someoneelse00000' })}.${signature}`),
        bearer(`${header}.${forged({ ...claims, exp: claims.exp + 3600 })}.${signature}`),
        // A signature byte changed (mid-string: the last base64url character carries padding bits,
        // so changing it may not change the signature at all).
        bearer(
          `${header}.${payload}.${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`,
        ),
        bearer(foreign),
        bearer(unsigned),
        bearer(hs256),
        bearer('not-a-jwt'),
        bearer('x'.repeat(5000)),
        { authorization: `Basic ${token}` },
        { authorization: token },
        { authorization: 'Bearer' },
      ];
      for (const headers of invalid) {
        const res = await me(ctx, headers);
        expect(res.statusCode, headers.authorization?.slice(0, 40)).toBe(401);
        expect(res.json().code).toBe('AUTH_TOKEN_INVALID');
      }

      const expired = await new SessionTokens(ctx.keys, -60).issue({ userId: claims.sub, role: 'player' });
      const res = await me(ctx, bearer(expired.token));
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ code: 'AUTH_TOKEN_EXPIRED', message: 'session expired: log in again' });

      expect((await me(ctx, bearer(token))).statusCode).toBe(200);
      expect((await me(ctx, { authorization: `bearer  ${token}` })).statusCode).toBe(200);
    }));

  it('lets a bad token through to routes that need none (the lobby, the login form)', async () =>
    withApp(async (ctx) => {
      await post(ctx, '/v1/auth/signup', { username: 'heidi', password: 'password-1' });
      const res = await post(
        ctx,
        '/v1/auth/login',
        { username: 'heidi', password: 'password-1' },
        bearer('expired-or-garbage'),
      );
      expect(res.statusCode).toBe(200);
      const who = await ctx.app.inject({ method: 'GET', url: '/test/whoami', headers: bearer('garbage') });
      expect(who.json()).toEqual({ session: null });
    }));

  it('keeps players off dealer routes and dealers off other tables; pit bosses go anywhere', async () =>
    withApp(async (ctx) => {
      const player = await playerToken(ctx);
      const dealer = await staffToken(ctx, 'dealer-1', 'dealer-password');
      const pitboss = await staffToken(ctx, 'pitboss-1', 'pitboss-password');
      const vision = await staffToken(ctx, 'vision', 'vision-secret-0123456789');
      const close = (table: string, token?: string) =>
        ctx.app.inject({
          method: 'POST',
          url: `/test/tables/${table}/close-betting`,
          headers: token ? bearer(token) : {},
        });
      const expectCode = (res: { statusCode: number; json: () => { code: string } }, status: number, code: string) => {
        expect(res.statusCode).toBe(status);
        expect(res.json().code).toBe(code);
      };

      expectCode(await post(ctx, '/test/dealer-only', {}, bearer(player)), 403, 'AUTH_FORBIDDEN_ROLE');
      expectCode(await post(ctx, '/test/dealer-only', {}, bearer(pitboss)), 403, 'AUTH_FORBIDDEN_ROLE');
      expectCode(await post(ctx, '/test/dealer-only', {}), 401, 'AUTH_TOKEN_MISSING');
      expect((await post(ctx, '/test/dealer-only', {}, bearer(dealer))).json()).toEqual({ userId: 'dealer-1' });

      expect((await close('roulette-1', dealer)).json()).toEqual({ tableId: 'roulette-1', by: 'dealer-1' });
      expectCode(await close('baccarat-1', dealer), 403, 'AUTH_WRONG_TABLE');
      expect((await close('baccarat-1', pitboss)).json()).toEqual({ tableId: 'baccarat-1', by: 'pitboss-1' });
      expect((await close('roulette-1', pitboss)).statusCode).toBe(200);
      expectCode(await close('roulette-1', player), 403, 'AUTH_FORBIDDEN_ROLE');
      expectCode(await close('roulette-1', vision), 403, 'AUTH_FORBIDDEN_ROLE');
      expectCode(await close('roulette-1'), 401, 'AUTH_TOKEN_MISSING');

      expectCode(
        await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(dealer) }),
        403,
        'AUTH_FORBIDDEN_ROLE',
      );
    }));
});

describe('bad bodies', () => {
  const valid = {
    '/v1/auth/signup': { username: 'ivan', password: 'password-1' },
    '/v1/auth/login': { username: 'ivan', password: 'password-1' },
    '/v1/auth/staff-login': { id: 'pitboss-1', password: 'pitboss-password' },
  } as const;

  it.each(Object.keys(valid) as (keyof typeof valid)[])(
    '%s answers 400 BAD_REQUEST to malformed, wrong-typed and oversized bodies and changes nothing',
    async (url) =>
      withApp(async (ctx) => {
        const base: Record<string, unknown> = valid[url];
        const [first, second] = Object.keys(base) as [string, string];
        const bodies: { payload: string; contentType?: string }[] = [
          { payload: '{"username": "ivan", ' },
          { payload: '' },
          { payload: 'null' },
          { payload: '[]' },
          { payload: '"ivan"' },
          { payload: '42' },
          { payload: '{"__proto__": {"admin": true}}' },
          { payload: JSON.stringify({ ...base, constructor: { prototype: { admin: true } } }) },
          { payload: JSON.stringify({ ...base, extra: 1 }) },
          { payload: JSON.stringify({ [first]: base[first] }) },
          { payload: JSON.stringify({ [second]: base[second] }) },
          { payload: JSON.stringify({ ...base, [first]: 12345678 }) },
          { payload: JSON.stringify({ ...base, [second]: 12345678 }) },
          { payload: JSON.stringify({ ...base, [second]: ['password-1'] }) },
          { payload: JSON.stringify({ ...base, [second]: null }) },
          { payload: JSON.stringify({ ...base, [first]: true }) },
          { payload: JSON.stringify({ ...base, [first]: { $ne: '' } }) },
          { payload: JSON.stringify({ ...base, [first]: 'x'.repeat(65) }) },
          { payload: JSON.stringify({ ...base, [second]: 'x'.repeat(257) }) },
          { payload: JSON.stringify({ ...base, [first]: "ivan' OR 1=1 --" }) },
          { payload: JSON.stringify({ ...base, [first]: '' }) },
          { payload: JSON.stringify(base), contentType: 'text/plain' },
          { payload: JSON.stringify(base), contentType: 'application/x-www-form-urlencoded' },
        ];
        const before = await authRowCounts(ctx.db);
        for (const { payload, contentType } of bodies) {
          const res = await ctx.app.inject({
            method: 'POST',
            url,
            payload,
            headers: { 'content-type': contentType ?? 'application/json' },
          });
          expect(res.statusCode, payload.slice(0, 60)).toBe(400);
          expect(res.json().code).toBe('BAD_REQUEST');
          expect(res.body).not.toContain('password-1');
        }
        const huge = await ctx.app.inject({
          method: 'POST',
          url,
          payload: JSON.stringify({ ...base, [first]: 'x'.repeat(20_000) }),
          headers: { 'content-type': 'application/json' },
        });
        expect(huge.statusCode).toBe(413);
        expect(huge.json().code).toBe('PAYLOAD_TOO_LARGE');
        expect(await authRowCounts(ctx.db)).toEqual(before);
      }),
  );
});

describe('OpenAPI', () => {
  it('documents every auth route under the auth tag with each response code', async () =>
    withApp(async (ctx) => {
      // The document as a client reads it: JSON.
      const spec: {
        paths: Record<string, Record<string, { tags: string[]; responses: Record<string, unknown> }>>;
      } = JSON.parse(JSON.stringify(ctx.app.swagger()));
      const codes = (path: string, method: string) => {
        const op = spec.paths[path]![method]!;
        expect(op.tags).toEqual(['auth']);
        return Object.keys(op.responses).sort();
      };
      expect(codes('/v1/auth/signup', 'post')).toEqual(['201', '400', '409', '413', '429']);
      expect(codes('/v1/auth/login', 'post')).toEqual(['200', '400', '401', '413', '429', '503']);
      expect(codes('/v1/auth/staff-login', 'post')).toEqual(['200', '400', '401', '413', '429', '503']);
      expect(codes('/v1/me', 'get')).toEqual(['200', '401', '403']);
    }));
});

describe('rate limit', () => {
  it('answers 429 RATE_LIMITED to sign-ups per IP past the limit; logins are not under it', async () =>
    withApp(
      async (ctx) => {
        const signup = (ip: string, username: string) =>
          ctx.app.inject({
            method: 'POST',
            url: '/v1/auth/signup',
            payload: { username, password: 'password-1' },
            remoteAddress: ip,
          });
        for (let i = 0; i < 3; i++) expect((await signup('10.0.0.1', `judy${i}`)).statusCode).toBe(201);
        const limited = await signup('10.0.0.1', 'judy9');
        expect(limited.statusCode).toBe(429);
        expect(limited.json()).toEqual({ code: 'RATE_LIMITED', message: expect.stringMatching(/retry in/) });
        expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
        expect((await signup('10.0.0.2', 'judy9')).statusCode).toBe(201);

        // Logins (right or wrong) from the limited IP are not counted here: LoginLimits counts failures.
        for (let i = 0; i < 5; i++) {
          const login = await ctx.app.inject({
            method: 'POST',
            url: '/v1/auth/login',
            payload: { username: 'judy0', password: 'password-1' },
            remoteAddress: '10.0.0.1',
          });
          expect(login.statusCode).toBe(200);
          const me = await ctx.app.inject({
            method: 'GET',
            url: '/v1/me',
            headers: bearer(login.json().token),
            remoteAddress: '10.0.0.1',
          });
          expect(me.statusCode).toBe(200);
        }
      },
      { rateLimit: { max: 3, timeWindowMs: 60_000 } },
    ));
});
