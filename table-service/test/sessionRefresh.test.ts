import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionTokens } from '../src/auth/SessionTokens.js';

const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const T0 = Date.UTC(2026, 11, 5, 12, 0, 0);

describe('session refresh', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('a refreshed session keeps its user, role, table and sign-in time, with a new end', async () => {
    const tokens = await SessionTokens.fromPem(pem, 3600, 12 * 3600);
    const first = await tokens.issue({ userId: 'dealer-1', role: 'dealer', tableId: 'roulette-1' });
    vi.setSystemTime(T0 + 50 * 60_000);
    const session = await tokens.verify(first.token);
    expect(session).toEqual({ userId: 'dealer-1', role: 'dealer', tableId: 'roulette-1', authTime: T0 / 1000 });
    const next = await tokens.refresh(session);
    expect(next.expiresAt).toBe(T0 + 50 * 60_000 + 3_600_000);
    expect(await tokens.verify(next.token)).toEqual(session);
  });

  it('never past the maximum age after the sign-in: the last token ends there, then refresh is refused', async () => {
    const tokens = await SessionTokens.fromPem(pem, 3600, 2 * 3600);
    let current = await tokens.issue({ userId: 'p_1', role: 'player' });
    for (const at of [55, 110]) {
      vi.setSystemTime(T0 + at * 60_000);
      current = await tokens.refresh(await tokens.verify(current.token));
    }
    expect(current.expiresAt).toBe(T0 + 2 * 3_600_000);
    vi.setSystemTime(T0 + 2 * 3_600_000 - 500);
    await expect(tokens.refresh(await tokens.verify(current.token))).rejects.toMatchObject({
      code: 'AUTH_TOKEN_EXPIRED',
    });
    vi.setSystemTime(T0 + 2 * 3_600_000 + 1);
    await expect(tokens.verify(current.token)).rejects.toMatchObject({ code: 'AUTH_TOKEN_EXPIRED' });
  });

  it('a token without a sign-in time (issued before refresh existed) cannot be refreshed', async () => {
    const tokens = await SessionTokens.fromPem(pem, 3600);
    await expect(tokens.refresh({ userId: 'p_1', role: 'player' })).rejects.toMatchObject({
      code: 'AUTH_TOKEN_EXPIRED',
    });
  });
});
