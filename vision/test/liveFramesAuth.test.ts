import { TableServiceClient } from '@live-casino/clients';
import { importStreamPublicKey, type SfuAck, verifyStreamToken } from '@live-casino/protocol';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FrameSourceStatus, SfuFrameSource } from '../src/live/frames/index.js';
import { type LiveRig, STAFF_PASSWORD, startLiveRig, VISION_ID, VISION_SECRET } from './liveFramesHarness.js';
import { waitFor } from '@live-casino/testing';

/** The vision service's client of table-service, as the worker makes it (one per process). */
function visionClient(baseUrl: string, id: string, password: string): TableServiceClient {
  return new TableServiceClient({ baseUrl, credentials: { kind: 'staff', id, password } });
}

const TABLE = 'roulette-1';

describe('egress grants and tokens', () => {
  let rig: LiveRig;
  beforeAll(async () => {
    rig = await startLiveRig();
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
  });

  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers loosely, field by field.
  async function post(path: string, body: unknown, bearer?: string): Promise<{ status: number; body: any }> {
    const res = await fetch(`${rig.tableServiceUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  async function login(id: string, password: string): Promise<string> {
    const res = await post('/v1/auth/staff-login', { id, password });
    expect(res.status).toBe(200);
    return res.body.token;
  }

  it('only a service session gets an egress grant', async () => {
    const egress = { tableId: TABLE, role: 'egress' };
    expect(await post('/v1/stream-grants', egress)).toMatchObject({
      status: 401,
      body: { code: 'AUTH_TOKEN_MISSING' },
    });
    expect(await post('/v1/stream-grants', egress, 'garbage')).toMatchObject({
      status: 401,
      body: { code: 'AUTH_TOKEN_INVALID' },
    });
    const player = (await post('/v1/auth/login', { username: 'demo1', password: 'demo-password' })).body.token;
    for (const token of [player, await login('dealer-1', STAFF_PASSWORD), await login('pitboss-1', STAFF_PASSWORD)]) {
      expect(await post('/v1/stream-grants', egress, token)).toMatchObject({
        status: 403,
        body: { code: 'AUTH_FORBIDDEN_ROLE' },
      });
    }
    const service = await login(VISION_ID, VISION_SECRET);
    expect(await post('/v1/stream-grants', { tableId: 'no-such-table', role: 'egress' }, service)).toMatchObject({
      status: 404,
      body: { code: 'TABLE_NOT_FOUND' },
    });
    const grant = await post('/v1/stream-grants', egress, service);
    expect(grant.status).toBe(200);
    const claims = await verifyStreamToken(await importStreamPublicKey(rig.publicKeyPem), grant.body.token, {});
    expect(claims).toEqual({ sub: `service:${VISION_ID}`, tableId: TABLE, role: 'egress' });
    // A view grant needs a session (a player's here), and says view.
    expect((await post('/v1/stream-grants', { tableId: TABLE })).status).toBe(401);
    const view = await post('/v1/stream-grants', { tableId: TABLE }, player);
    expect(view.status).toBe(200);
    expect((await verifyStreamToken(await importStreamPublicKey(rig.publicKeyPem), view.body.token, {})).role).toBe(
      'view',
    );
  });

  it('the sfu opens no egress on a view grant, on another table, or without a token', async () => {
    const studio = await rig.startStudio(TABLE);
    try {
      const socket = io(rig.sfuUrl, { transports: ['websocket'], reconnection: false, forceNew: true });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const open = async (token: string | undefined, tableId = TABLE): Promise<string | undefined> => {
        const ack = (await socket.timeout(5000).emitWithAck('openEgress', {
          ...(token ? { token } : {}),
          tableId,
          ip: '127.0.0.1',
          port: 40_000,
        })) as SfuAck<unknown>;
        return ack.ok ? undefined : ack.error.code;
      };
      const player = (await post('/v1/auth/login', { username: 'demo1', password: 'demo-password' })).body.token;
      const view = (await post('/v1/stream-grants', { tableId: TABLE }, player)).body.token;
      expect(await open(view)).toBe('AUTH_FORBIDDEN_ROLE');
      expect(await open(undefined)).toBe('AUTH_TOKEN_MISSING');
      const service = await login(VISION_ID, VISION_SECRET);
      const other = (await post('/v1/stream-grants', { tableId: 'baccarat-1', role: 'egress' }, service)).body.token;
      expect(await open(other)).toBe('AUTH_WRONG_TABLE');
      socket.close();
      expect((await rig.sfu().stats()).tables.find((t) => t.tableId === TABLE)?.egresses ?? 0).toBe(0);
    } finally {
      studio.close();
    }
  });

  it('a frame source with wrong credentials reports the error and emits nothing', async () => {
    const source = new SfuFrameSource({
      tableId: TABLE,
      sfuUrl: rig.sfuUrl,
      tableService: visionClient(rig.tableServiceUrl, VISION_ID, 'not-the-secret'),
    });
    const statuses: FrameSourceStatus[] = [];
    let frames = 0;
    source.on('status', (s) => statuses.push(s));
    source.on('frame', () => frames++);
    source.start();
    try {
      const error = await waitFor('an error status', () => statuses.find((s) => s.state === 'error'));
      expect(error.reason).toMatch(/AUTH_BAD_CREDENTIALS/);
      expect(frames).toBe(0);
    } finally {
      await source.close();
    }
  });

  it('refuses bad options with a clear error', () => {
    const base = {
      tableId: TABLE,
      sfuUrl: rig.sfuUrl,
      tableService: visionClient(rig.tableServiceUrl, VISION_ID, VISION_SECRET),
    };
    expect(() => new SfuFrameSource({ ...base, maxFps: 0 })).toThrow(/maxFps/);
    expect(() => new SfuFrameSource({ ...base, stallMs: 5 })).toThrow(/stallMs/);
  });
});
