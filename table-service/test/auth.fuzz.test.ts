import { ERRORS, isErrorCode } from '@live-casino/protocol';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/Passwords.js';
import { StaffDirectory } from '../src/auth/StaffDirectory.js';
import { LogInBody, SignUpBody, StaffLogInBody } from '@live-casino/protocol';
import { type AuthApp, authRowCounts, buildAuthApp } from './helpers/authApp.js';
import type { Database } from '../src/db/Database.js';
import { startTestPostgres, type TestPostgres } from './helpers/db.js';

const RUNS = 1_000;

let server: TestPostgres;
let db: Database;
let ctx: AuthApp;
beforeAll(async () => {
  server = await startTestPostgres();
  db = await server.freshDatabase({ poolMax: 5 });
  const staff = StaffDirectory.fromJson(
    JSON.stringify([
      { id: 'dealer-1', role: 'dealer', tableId: 'roulette-1', passwordHash: await hashPassword('dealer-password') },
    ]),
  );
  ctx = await buildAuthApp({ db, staff, rateLimit: false });
  const taken = await ctx.app.inject({
    method: 'POST',
    url: '/v1/auth/signup',
    payload: { username: 'taken', password: 'password-1' },
  });
  expect(taken.statusCode).toBe(201);
});
afterAll(async () => {
  await ctx?.app.close();
  await server?.close();
});

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom('', ' ', 'taken', 'TAKEN', 'dealer-1', 'password-1', '__proto__', '\u0000', 'a'.repeat(129)),
);
const anyValue = fc.oneof(text, fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(null, true, 0, -1, 1e308, [], {}));

/**
 * Bodies a client could send: valid ones mutated once (a field dropped, retyped, stretched or added),
 * whole JSON values of any shape, and text that is not JSON at all.
 */
function bodies(valid: Record<string, string>): fc.Arbitrary<{ payload: string; contentType: string }> {
  const keys = Object.keys(valid);
  const mutated = fc
    .tuple(
      fc.constantFrom(...keys),
      fc.oneof(
        fc.constant({ op: 'drop' as const }),
        fc.record({ op: fc.constant('set' as const), value: anyValue }),
        fc.record({ op: fc.constant('add' as const), key: fc.string({ maxLength: 12 }), value: anyValue }),
      ),
    )
    .map(([key, m]) => {
      const body: Record<string, unknown> = { ...valid };
      if (m.op === 'drop') delete body[key];
      else if (m.op === 'set') body[key] = m.value;
      else Object.defineProperty(body, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
      return JSON.stringify(body);
    });
  const json = anyValue.map((v) => JSON.stringify(v) ?? 'null');
  const notJson = fc.oneof(
    fc.string({ maxLength: 60 }),
    json.map((s) => s.slice(0, -1)),
  );
  return fc.record({
    payload: fc.oneof(
      { arbitrary: mutated, weight: 6 },
      { arbitrary: json, weight: 3 },
      { arbitrary: notJson, weight: 1 },
    ),
    contentType: fc.oneof(
      { arbitrary: fc.constant('application/json'), weight: 9 },
      {
        arbitrary: fc.constantFrom(
          'text/plain',
          'application/json; charset=latin1',
          'application/x-www-form-urlencoded',
          '',
        ),
        weight: 1,
      },
    ),
  });
}

/**
 * Turns a body that would succeed into one that cannot: a sign-up of the taken username, a login
 * with a wrong password. Such bodies still go the whole way (scrypt, the database) and must fail
 * there with a typed error.
 */
function defuse(route: string, schema: TSchema, payload: string): string {
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch {
    return payload;
  }
  if (!Value.Check(schema, body)) return payload;
  const b = body as Record<string, string>;
  if (route === '/v1/auth/signup') return JSON.stringify({ ...b, username: 'taken' });
  if (route === '/v1/auth/staff-login') return JSON.stringify({ ...b, password: `${b.password}!` });
  return JSON.stringify({ ...b, password: `${b.password}!` });
}

describe('fuzzed auth bodies', () => {
  const routes: [string, TSchema, Record<string, string>][] = [
    ['/v1/auth/signup', SignUpBody, { username: 'newcomer', password: 'password-1', displayName: 'New' }],
    ['/v1/auth/login', LogInBody, { username: 'taken', password: 'password-1' }],
    ['/v1/auth/staff-login', StaffLogInBody, { id: 'dealer-1', password: 'dealer-password' }],
  ];

  it.each(routes)(
    `${RUNS} random bodies to %s all get a typed 4xx and write nothing`,
    async (route, schema, valid) => {
      const before = await authRowCounts(db);
      const seen = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(bodies(valid), async ({ payload, contentType }) => {
          const res = await ctx.app.inject({
            method: 'POST',
            url: route,
            payload: defuse(route, schema, payload),
            headers: contentType ? { 'content-type': contentType } : {},
          });
          const outcome =
            res.statusCode === 409 && res.body.includes('AUTH_USERNAME_TAKEN') ? 'taken' : String(res.statusCode);
          seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
          expect(res.statusCode).toBeGreaterThanOrEqual(400);
          expect(res.statusCode).toBeLessThan(500);
          const body = res.json<{ code: unknown; message: unknown }>();
          expect(Object.keys(body).sort()).toEqual(['code', 'message']);
          expect(isErrorCode(body.code)).toBe(true);
          expect(ERRORS[body.code as keyof typeof ERRORS]).toBe(res.statusCode);
          expect(typeof body.message).toBe('string');
        }),
        { numRuns: RUNS },
      );
      expect(await authRowCounts(db)).toEqual(before);
      // The fuzz reached past validation too, not only the schema.
      expect(seen.get('400')).toBeGreaterThan(RUNS / 2);
      expect(seen.get(route === '/v1/auth/signup' ? 'taken' : '401') ?? 0).toBeGreaterThan(0);
    },
    120_000,
  );
});
