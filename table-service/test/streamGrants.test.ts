import { generateKeyPairSync } from 'node:crypto';
import { importStreamPublicKey, verifyStreamToken } from '@live-casino/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from './helpers/db.js';
import { startTestService, type TestService } from './helpers/service.js';

/** Issue 10, point 5: no view grant without a session; a view grant names the player. */
describe('POST /v1/stream-grants', () => {
  let server: TestPostgres;
  let service: TestService;
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const claimsOf = async (token: string) =>
    verifyStreamToken(
      await importStreamPublicKey(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
      token,
      {},
    );

  beforeAll(async () => {
    server = await startTestPostgres();
    service = await startTestService(server, {
      staff: [
        { id: 'dealer-1', role: 'dealer', tableId: 'roulette-1', password: 'dealer-password' },
        { id: 'boss', role: 'pitboss', password: 'boss-password' },
      ],
      demoPlayers: 2,
      signingKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
  });
  afterAll(async () => {
    await service?.svc.close();
    await server?.close();
  });

  it('refuses a view grant without a session, or with a bad one', async () => {
    for (const token of [undefined, 'garbage']) {
      const res = await service.inject('POST', '/v1/stream-grants', token, { tableId: 'roulette-1' });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe(token ? 'AUTH_TOKEN_INVALID' : 'AUTH_TOKEN_MISSING');
    }
    const explicit = await service.inject('POST', '/v1/stream-grants', undefined, {
      tableId: 'roulette-1',
      role: 'view',
    });
    expect(explicit).toMatchObject({ status: 401, body: { code: 'AUTH_TOKEN_MISSING' } });
  });

  it("gives a signed-in player a view token whose subject is the player's id, and an HLS URL that carries it", async () => {
    const login = await service.inject('POST', '/v1/auth/login', undefined, {
      username: 'demo1',
      password: 'demo-password',
    });
    const res = await service.inject('POST', '/v1/stream-grants', login.body.token, { tableId: 'roulette-1' });
    expect(res.status).toBe(200);
    expect(await claimsOf(res.body.token)).toEqual({ sub: login.body.player.id, tableId: 'roulette-1', role: 'view' });
    expect(res.body.hlsUrl).toBe(`http://127.0.0.1:4443/hls/roulette-1/index.m3u8?t=${res.body.token}`);
    // Two players, two subjects.
    const other = await service.playerToken('demo2');
    const second = await service.inject('POST', '/v1/stream-grants', other, { tableId: 'roulette-1' });
    expect((await claimsOf(second.body.token)).sub).not.toBe(login.body.player.id);
  });

  it('staff may watch too, under their role and id; a dealer only their own table', async () => {
    const dealer = await service.staffToken('dealer-1', 'dealer-password');
    const own = await service.inject('POST', '/v1/stream-grants', dealer, { tableId: 'roulette-1' });
    expect((await claimsOf(own.body.token)).sub).toBe('dealer:dealer-1');
    expect(await service.inject('POST', '/v1/stream-grants', dealer, { tableId: 'baccarat-1' })).toMatchObject({
      status: 403,
      body: { code: 'AUTH_WRONG_TABLE' },
    });
    const boss = await service.staffToken('boss', 'boss-password');
    const any = await service.inject('POST', '/v1/stream-grants', boss, { tableId: 'baccarat-1' });
    expect((await claimsOf(any.body.token)).sub).toBe('pitboss:boss');
  });
});
