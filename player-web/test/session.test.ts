import { afterEach, describe, expect, it, vi } from 'vitest';
import { grantRefreshDelayMs } from '../src/api.js';
import { PlayerSession, sessionGrantFetcher } from '../src/session.js';
import { ViewerFailure } from '../src/viewerErrors.js';

class MemoryStorage implements Storage {
  readonly #items = new Map<string, string>();
  get length(): number {
    return this.#items.size;
  }
  clear(): void {
    this.#items.clear();
  }
  getItem(key: string): string | null {
    return this.#items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.#items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.#items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.#items.set(key, value);
  }
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('player session and view grants', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('signs in, keeps the session across page loads, and forgets it when it runs out', async () => {
    const storage = new MemoryStorage();
    const expiresAt = Date.now() + 3_600_000;
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        json(200, {
          token: 'session-1',
          expiresAt,
          player: { id: 'p_1', username: 'demo1', displayName: 'Demo 1', currency: 'EUR' },
        }),
      ),
    );
    const session = new PlayerSession(storage);
    expect(session.token()).toBeNull();
    await session.signIn('demo1', 'demo-password');
    expect(session.token()).toBe('session-1');
    // Another page load reads it back.
    expect(new PlayerSession(storage).store.getState().player).toMatchObject({ playerId: 'p_1', token: 'session-1' });
    session.signOut();
    expect(new PlayerSession(storage).token()).toBeNull();
    // An expired one is never read back.
    storage.setItem(
      'live-casino.session',
      JSON.stringify({ token: 't', expiresAt: Date.now() - 1, playerId: 'p', displayName: 'd' }),
    );
    expect(new PlayerSession(storage).token()).toBeNull();
  });

  it('asks for no grant while signed out, sends the session as a bearer token, signs out on a refused session', async () => {
    const storage = new MemoryStorage();
    const fetchMock = vi.fn(async (_url: string, _init?: RequestInit) =>
      json(401, { code: 'AUTH_TOKEN_EXPIRED', message: 'expired' }),
    );
    vi.stubGlobal('fetch', fetchMock);
    const session = new PlayerSession(storage);
    const grants = sessionGrantFetcher(session);
    await expect(grants('roulette-1')).rejects.toMatchObject({ code: 'AUTH_TOKEN_MISSING' });
    expect(fetchMock).not.toHaveBeenCalled();

    storage.setItem(
      'live-casino.session',
      JSON.stringify({ token: 'session-2', expiresAt: Date.now() + 60_000, playerId: 'p_2', displayName: 'P' }),
    );
    const signedIn = new PlayerSession(storage);
    await expect(sessionGrantFetcher(signedIn)('roulette-1')).rejects.toBeInstanceOf(ViewerFailure);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/v1/stream-grants');
    expect(((init?.headers ?? {}) as Record<string, string>).authorization).toBe('Bearer session-2');
    expect(signedIn.store.getState().player).toBeNull();
    expect(storage.getItem('live-casino.session')).toBeNull();
  });

  it('refreshes a grant a third of its life before it ends, at most 30 s before', () => {
    const now = 1_000_000;
    expect(grantRefreshDelayMs({ expiresAt: now + 300_000 }, now, now)).toBe(270_000);
    expect(grantRefreshDelayMs({ expiresAt: now + 15_000 }, now, now)).toBe(10_000);
    expect(grantRefreshDelayMs({ expiresAt: now + 15_000 }, now, now + 14_000)).toBe(1000);
  });
});
