import { AppError } from '@live-casino/protocol';
import { Type } from '@sinclair/typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { setErrorHandling } from '../src/httpErrors.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function build(): Promise<FastifyInstance> {
  app = Fastify({ logger: false, bodyLimit: 16 });
  setErrorHandling(app);
  app.get('/locked', async () => {
    throw new AppError('RATE_LIMITED', 'slow down', { retryAfterS: 7 });
  });
  app.get('/closed', async () => {
    throw new AppError('TABLE_BETTING_CLOSED', 'betting is closed');
  });
  app.get('/boom', async () => {
    throw new Error('secret internals');
  });
  app.post('/echo', { schema: { body: Type.Object({ n: Type.Integer() }) } }, async (req) => req.body);
  await app.ready();
  return app;
}

describe('setErrorHandling', () => {
  it('answers AppErrors with { code, message } and their status, retry-after when they have one', async () => {
    const a = await build();
    const locked = await a.inject({ url: '/locked' });
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('7');
    expect(locked.json()).toEqual({ code: 'RATE_LIMITED', message: 'slow down', retryAfterS: 7 });
    const closed = await a.inject({ url: '/closed' });
    expect(closed.statusCode).toBe(409);
    expect(closed.json()).toEqual({ code: 'TABLE_BETTING_CLOSED', message: 'betting is closed' });
  });

  it('never leaks an unexpected error', async () => {
    const res = await (await build()).inject({ url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ code: 'INTERNAL', message: 'internal error' });
  });

  it('turns bad bodies, malformed JSON and oversized bodies into typed 4xx', async () => {
    const a = await build();
    const bad = await a.inject({ method: 'POST', url: '/echo', payload: { n: 'x' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('BAD_REQUEST');
    const malformed = await a.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"n":',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe('BAD_REQUEST');
    const big = await a.inject({ method: 'POST', url: '/echo', payload: { n: 1, pad: 'x'.repeat(64) } });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: 'body too large' });
  });

  it('answers unknown routes with ROUTE_NOT_FOUND, without the query string', async () => {
    const res = await (await build()).inject({ url: '/nowhere?token=abc' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ code: 'ROUTE_NOT_FOUND', message: 'no route GET /nowhere' });
  });
});
