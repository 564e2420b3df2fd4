import { generateKeyPairSync } from 'node:crypto';
import { type SfuRequestName, signStreamToken } from '@live-casino/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestSfu, type TestSfu, VP8_INGEST } from './helpers.js';

const TABLE = 'roulette-1';

/** A well-formed payload of each request, so that only the token decides the answer. */
function payload(name: SfuRequestName, token: string | undefined, tableId = TABLE): Record<string, unknown> {
  const base = { ...(token === undefined ? {} : { token }), tableId };
  switch (name) {
    case 'join':
      return base;
    case 'createTransport':
      return { ...base, direction: 'recv' };
    case 'connectTransport':
      return {
        ...base,
        transportId: 'abc',
        dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AA' }] },
      };
    case 'consume':
      return { ...base, transportId: 'abc', rtpCapabilities: { codecs: [], headerExtensions: [] } };
    case 'resumeConsumer':
      return { ...base, consumerId: 'abc' };
    case 'refreshToken':
      return base;
    case 'produce':
      return { ...base, transportId: 'abc', kind: 'video', rtpParameters: VP8_INGEST };
    case 'publishRtp':
      return { ...base, source: 'camera-1', kind: 'video', rtpParameters: VP8_INGEST };
    case 'openEgress':
      return { ...base, ip: '127.0.0.1', port: 40_000 };
    case 'resumeEgress':
    case 'requestKeyFrame':
    case 'closeEgress':
      return { ...base, egressId: 'abc' };
  }
}

const ALL: SfuRequestName[] = [
  'join',
  'createTransport',
  'connectTransport',
  'consume',
  'resumeConsumer',
  'refreshToken',
  'produce',
  'publishRtp',
  'openEgress',
  'resumeEgress',
  'requestKeyFrame',
  'closeEgress',
];

describe('sfu signalling tokens', () => {
  let t: TestSfu;
  beforeAll(async () => {
    t = await startTestSfu();
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(ALL)('%s refuses a missing token', async (name) => {
    const socket = await t.connect();
    const res = await request(socket, name, payload(name, undefined));
    expect(res).toEqual({ ok: false, error: { code: 'AUTH_TOKEN_MISSING', message: expect.any(String) } });
    socket.close();
  });

  it.each(ALL)('%s refuses an expired token', async (name) => {
    const socket = await t.connect();
    const expired = await signStreamToken(t.privateKey, { sub: 'p', tableId: TABLE, role: 'publish' }, -5);
    const res = await request(socket, name, payload(name, expired));
    expect(res.ok ? undefined : res.error.code).toBe('AUTH_TOKEN_EXPIRED');
    socket.close();
  });

  it.each(ALL)('%s refuses a forged token', async (name) => {
    const socket = await t.connect();
    const other = generateKeyPairSync('ed25519').privateKey;
    const forged = await signStreamToken(other, { sub: 'p', tableId: TABLE, role: 'publish' });
    const res = await request(socket, name, payload(name, forged));
    expect(res.ok ? undefined : res.error.code).toBe('AUTH_TOKEN_INVALID');
    // A token with its signature cut off or garbage is no better.
    const valid = await t.token(TABLE, 'publish');
    for (const bad of [valid.slice(0, valid.lastIndexOf('.')), `${valid}x`, 'not.a.jwt', 'x'.repeat(5000)]) {
      const r = await request(socket, name, payload(name, bad));
      expect(r.ok ? undefined : r.error.code).toMatch(/AUTH_TOKEN_INVALID|BAD_REQUEST/);
    }
    socket.close();
  });

  it.each(ALL)('%s refuses a token of another table', async (name) => {
    const socket = await t.connect();
    const res = await request(socket, name, payload(name, await t.token('baccarat-1', 'publish')));
    expect(res.ok ? undefined : res.error.code).toBe('AUTH_WRONG_TABLE');
    socket.close();
  });

  it('a viewer token cannot publish', async () => {
    const socket = await t.connect();
    const view = await t.token(TABLE, 'view');
    for (const name of ['produce', 'publishRtp'] as const) {
      const res = await request(socket, name, payload(name, view));
      expect(res.ok ? undefined : res.error.code).toBe('AUTH_FORBIDDEN_ROLE');
    }
    expect((await request(socket, 'join', payload('join', view))).ok).toBe(true);
    const send = await request(socket, 'createTransport', { ...payload('createTransport', view), direction: 'send' });
    expect(send.ok ? undefined : send.error.code).toBe('AUTH_FORBIDDEN_ROLE');
    const recv = await request(socket, 'createTransport', payload('createTransport', view));
    expect(recv.ok).toBe(true);
    socket.close();
  });

  it('a publish token opens an RTP ingest on the table', async () => {
    const socket = await t.connect();
    const res = await request(socket, 'publishRtp', payload('publishRtp', await t.token(TABLE, 'publish')));
    expect(res).toMatchObject({
      ok: true,
      data: { ip: '127.0.0.1', port: expect.any(Number), producerId: expect.any(String) },
    });
    const stats = await t.sfu.stats();
    expect(stats.tables.find((x) => x.tableId === TABLE)?.producers).toHaveLength(1);
    socket.close();
  });

  it('malformed requests get BAD_REQUEST and change nothing', async () => {
    const socket = await t.connect();
    const token = await t.token(TABLE, 'publish');
    const before = JSON.stringify((await t.sfu.stats()).tables.map((x) => [x.tableId, x.producers.length, x.viewers]));
    const bad: [SfuRequestName, unknown][] = [
      ['join', 'a string'],
      ['join', [token]],
      ['join', null],
      ['join', { token, tableId: 'UPPER CASE' }],
      ['join', { token, tableId: TABLE, extra: 1 }],
      ['createTransport', { token, tableId: TABLE, direction: 'sideways' }],
      ['publishRtp', { token, tableId: TABLE, source: 'camera-1', kind: 'video', rtpParameters: { codecs: [] } }],
      ['publishRtp', { token, tableId: TABLE, source: 'camera-1', kind: 'smell', rtpParameters: VP8_INGEST }],
      ['publishRtp', { token, tableId: TABLE, source: 'x'.repeat(100), kind: 'video', rtpParameters: VP8_INGEST }],
      ['consume', { token, tableId: TABLE, transportId: 'abc', rtpCapabilities: { codecs: Array(100).fill({}) } }],
    ];
    for (const [name, body] of bad) {
      const res = await request(socket, name, body);
      expect(res.ok ? undefined : res.error.code, `${name} ${JSON.stringify(body).slice(0, 80)}`).toBe('BAD_REQUEST');
    }
    const after = JSON.stringify((await t.sfu.stats()).tables.map((x) => [x.tableId, x.producers.length, x.viewers]));
    expect(after).toBe(before);
    socket.close();
  });

  it('semantically bad media parameters get MEDIA_BAD_PARAMETERS', async () => {
    const socket = await t.connect();
    const token = await t.token(TABLE, 'publish');
    const res = await request(socket, 'publishRtp', {
      token,
      tableId: TABLE,
      source: 'camera-2',
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/NOPE', payloadType: 96, clockRate: 90000 }],
        encodings: [{ ssrc: 2 }],
      },
    });
    expect(res.ok ? undefined : res.error.code).toBe('MEDIA_BAD_PARAMETERS');
    socket.close();
  });

  it('fuzz: 1,000 arbitrary payloads per request get a typed refusal and change nothing', async () => {
    const socket = await t.connect();
    const token = await t.token(TABLE, 'view');
    const before = JSON.stringify((await t.sfu.stats()).tables.map((x) => [x.tableId, x.producers.length, x.viewers]));
    const codes = new Set<string>();
    for (const name of ALL) {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.anything(),
            fc.record(
              { token: fc.oneof(fc.constant(token), fc.string()), tableId: fc.oneof(fc.constant(TABLE), fc.string()) },
              { requiredKeys: [] },
            ),
            fc.dictionary(fc.string(), fc.anything()),
          ),
          async (body) => {
            const res = await request(socket, name, body);
            // Only a real join (or a refresh of it) with the right token may succeed; everything else
            // is refused with a code.
            if (res.ok) return name === 'join' || name === 'refreshToken';
            codes.add(res.error.code);
            return typeof res.error.message === 'string' && res.error.code !== 'INTERNAL';
          },
        ),
        { numRuns: 1000 },
      );
    }
    const after = JSON.stringify((await t.sfu.stats()).tables.map((x) => [x.tableId, x.producers.length, x.viewers]));
    expect(after.replace(/,1\]/g, ',0]')).toBe(before.replace(/,1\]/g, ',0]'));
    expect(codes.has('INTERNAL')).toBe(false);
    socket.close();
  }, 240_000);
});
