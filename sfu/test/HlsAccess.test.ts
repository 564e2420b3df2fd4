import { generateKeyPairSync } from 'node:crypto';
import { importStreamPublicKey, signStreamToken } from '@live-casino/protocol';
import { describe, expect, it } from 'vitest';
import { HlsAccess, withSessionParam } from '../src/HlsAccess.js';

async function setup() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const access = new HlsAccess(
    await importStreamPublicKey(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
  );
  return { access, privateKey };
}

describe('HlsAccess', () => {
  it('opens a session bound to the table, the subject and the token expiry', async () => {
    const { access, privateKey } = await setup();
    const token = await signStreamToken(privateKey, { sub: 'player:42', tableId: 'roulette-1', role: 'view' }, 60);
    const viewer = await access.authorizePlaylist('roulette-1', token);
    expect(viewer.subject).toBe('player:42');
    const now = Date.now();
    expect(access.checkSession('roulette-1', viewer.session, now)).toEqual({
      subject: 'player:42',
      expiresAtMs: viewer.expiresAtMs,
    });
    expect(() => access.checkSession('baccarat-1', viewer.session, now)).toThrow(/invalid/);
    expect(() => access.checkSession('roulette-1', viewer.session, viewer.expiresAtMs)).toThrow(/expired/);
    for (const bad of ['', 'a.b', 'a.b.c.d', `${viewer.session}x`, '../../x.1.y']) {
      expect(() => access.checkSession('roulette-1', bad, now), bad).toThrow();
    }
  });

  it('another sfu (another key) does not take the session', async () => {
    const a = await setup();
    const b = await setup();
    const token = await signStreamToken(a.privateKey, { sub: 'p', tableId: 'roulette-1', role: 'view' }, 60);
    const { session } = await a.access.authorizePlaylist('roulette-1', token);
    expect(() => b.access.checkSession('roulette-1', session, Date.now())).toThrow(/invalid/);
  });

  it('puts the session on segment URIs only', () => {
    const playlist = '#EXTM3U\n#EXT-X-PROGRAM-DATE-TIME:2025-01-01T00:00:00.000Z\n#EXTINF:0.5,\nseg-a-1-000001.ts\n';
    expect(withSessionParam(playlist, 'S')).toBe(
      '#EXTM3U\n#EXT-X-PROGRAM-DATE-TIME:2025-01-01T00:00:00.000Z\n#EXTINF:0.5,\nseg-a-1-000001.ts?s=S\n',
    );
  });
});
