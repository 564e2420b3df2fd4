import { TableServiceClient } from '@live-casino/clients';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { VisionReadingBody } from '@live-casino/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ReadingsClient } from '../src/live/ReadingsClient.js';

/** The worker's client of table-service: one per process, signed in as the vision service. */
function readingsClient(url: string, password: string, opts: { retryForMs?: number } = {}): ReadingsClient {
  const tableService = new TableServiceClient({ baseUrl: url, credentials: { kind: 'staff', id: 'vision', password } });
  return new ReadingsClient({ tableService, ...opts });
}

/** What table-service answers to a stored reading. */
const stored = (body: VisionReadingBody) => ({
  reading: {
    readingId: body.readingId,
    tableId: 't1',
    roundId: null,
    studioMs: body.studioMs,
    receivedAtMs: Date.now(),
    confidence: body.confidence,
    result: body.result,
  },
  round: null,
});

/**
 * A stand-in for table-service's two routes, scripted per test: the client's retry, re-login and
 * idempotency rules are what is under test here (the live test runs it against the real one).
 */
interface Script {
  login: (body: { id: string; password: string }) => { status: number; body: unknown };
  reading: (auth: string | undefined, body: VisionReadingBody, n: number) => { status: number; body: unknown };
}

let server: Server | undefined;
const calls: { path: string; auth?: string; body: unknown }[] = [];

async function serve(script: Script): Promise<string> {
  calls.length = 0;
  let readings = 0;
  const srv = createServer(async (req: IncomingMessage, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const body = text ? JSON.parse(text) : undefined;
    calls.push({
      path: req.url ?? '',
      ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
      body,
    });
    const answer =
      req.url === '/v1/auth/staff-login'
        ? script.login(body)
        : script.reading(req.headers.authorization, body, ++readings);
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  });
  server = srv;
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

const reading = (): VisionReadingBody => ({
  readingId: ReadingsClient.newReadingId(),
  studioMs: 1_700_000_000_000,
  confidence: 0.97,
  result: { pocket: 17 },
});
const session = (token: string) => ({ token, expiresAt: Date.now() + 3600_000, role: 'service' });
const okLogin = (token: string) => () => ({ status: 200, body: session(token) });

describe('ReadingsClient', () => {
  it('logs in as the service once and posts readings with its token', async () => {
    const url = await serve({ login: okLogin('t1'), reading: (_auth, body) => ({ status: 201, body: stored(body) }) });
    const client = readingsClient(url, 's3cret');
    const a = reading();
    expect(await client.send('roulette-1', a)).toMatchObject({ sent: true, status: 201, attempts: 1 });
    expect(await client.send('roulette-1', reading())).toMatchObject({ sent: true });
    expect(calls.filter((c) => c.path === '/v1/auth/staff-login')).toEqual([
      { path: '/v1/auth/staff-login', body: { id: 'vision', password: 's3cret' } },
    ]);
    expect(calls[1]).toEqual({ path: '/v1/tables/roulette-1/readings', auth: 'Bearer t1', body: a });
  });

  it('retries a server error with the same readingId until it is taken', async () => {
    const url = await serve({
      login: okLogin('t'),
      reading: (_auth, body, n) =>
        n < 3
          ? { status: 503, body: { code: 'SERVICE_UNAVAILABLE', message: 'busy' } }
          : { status: 201, body: stored(body) },
    });
    const client = readingsClient(url, 's');
    const r = reading();
    expect(await client.send('t1', r)).toMatchObject({ sent: true, attempts: 3 });
    const posted = calls.filter((c) => c.path.endsWith('/readings'));
    expect(posted).toHaveLength(3);
    for (const c of posted) expect((c.body as VisionReadingBody).readingId).toBe(r.readingId);
  });

  it('logs in again when its session expires (401), once per reading', async () => {
    let token = 'old';
    const url = await serve({
      login: () => ({ status: 200, body: session(token) }),
      reading: (auth, body) =>
        auth === 'Bearer new'
          ? { status: 201, body: stored(body) }
          : { status: 401, body: { code: 'AUTH_TOKEN_EXPIRED', message: 'expired' } },
    });
    const client = readingsClient(url, 's');
    // Refused with the old token, logged in again (still old), refused again: not sent.
    expect(await client.send('t1', reading())).toMatchObject({ sent: false, status: 401 });
    expect(calls.filter((c) => c.path === '/v1/auth/staff-login')).toHaveLength(2);
    token = 'new';
    // Refused with the old token, logged in again (new), taken.
    expect(await client.send('t1', reading())).toMatchObject({ sent: true, status: 201 });
    expect(calls.filter((c) => c.path === '/v1/auth/staff-login')).toHaveLength(3);
  });

  it('does not retry a refusal (4xx) and reports its code', async () => {
    const url = await serve({
      login: okLogin('t'),
      reading: () => ({ status: 409, body: { code: 'READING_IDEMPOTENCY_CONFLICT', message: 'another body' } }),
    });
    const client = readingsClient(url, 's');
    expect(await client.send('t1', reading())).toMatchObject({
      sent: false,
      status: 409,
      code: 'READING_IDEMPOTENCY_CONFLICT',
      attempts: 1,
    });
  });

  it('a refused login is reported and not hammered (staff-login is rate-limited)', async () => {
    const url = await serve({
      login: () => ({ status: 401, body: { code: 'AUTH_BAD_CREDENTIALS', message: 'wrong' } }),
      reading: (_auth, body) => ({ status: 201, body: stored(body) }),
    });
    const client = readingsClient(url, 'wrong', { retryForMs: 1_000 });
    const outcome = await client.send('t1', reading());
    expect(outcome).toMatchObject({ sent: false, code: 'VISION_LOGIN_FAILED' });
    expect(outcome.attempts).toBeGreaterThan(1);
    expect(calls.filter((c) => c.path === '/v1/auth/staff-login')).toHaveLength(1);
    expect(calls.filter((c) => c.path.endsWith('/readings'))).toHaveLength(0);
  });

  it('gives up on an unreachable table-service within its retry budget', async () => {
    const client = readingsClient('http://127.0.0.1:9', 's', { retryForMs: 500 });
    const outcome = await client.send('t1', reading());
    expect(outcome.sent).toBe(false);
    expect(outcome.ms).toBeLessThan(5_000);
  });
});
