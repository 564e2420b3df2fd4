import { TableServiceClient } from '@live-casino/clients';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tableServiceFailure } from '../src/api.js';
import { PlayerSession } from '../src/session.js';
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

const T0 = 1_700_000_000_000;
const player = { id: 'p_1', username: 'demo1', displayName: 'Demo 1', currency: 'EUR' };
const grant = (tableId: string, token: string) => ({
  tableId,
  token,
  expiresAt: Date.now() + 20_000,
  sfuUrl: 'http://sfu.test',
  hlsUrl: 'http://sfu.test/hls/index.m3u8',
});

interface Call {
  url: string;
  authorization: string | undefined;
}

/** The page's table-service on a fake fetch: `answer` decides each call, `calls` records them. */
function pageClient(answer: (url: string, init: RequestInit | undefined) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    calls.push({ url, authorization: headers.get('authorization') ?? undefined });
    return answer(url, init);
  };
  return { client: new TableServiceClient({ baseUrl: '', fetch, now: () => Date.now() }), calls };
}

function store(storage: Storage, session: { token: string; expiresAt: number }): void {
  storage.setItem('live-casino.session', JSON.stringify({ ...session, playerId: 'p_1', displayName: 'Demo 1' }));
}

describe('player session', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('signs in through the client, keeps the session across page loads, and signs out of both', async () => {
    const storage = new MemoryStorage();
    const { client, calls } = pageClient(() => json(200, { token: 'session-1', expiresAt: T0 + 3_600_000, player }));
    const session = new PlayerSession(client, storage);
    expect(session.store.getState().player).toBeNull();
    expect(client.session).toBeNull();
    await session.signIn('demo1', 'demo-password');
    expect(calls.map((c) => c.url)).toEqual(['/v1/auth/login']);
    expect(client.session?.token).toBe('session-1');

    // Another page load reads it back and hands it to that page's client.
    const reloaded = pageClient(() => json(500, {}));
    const again = new PlayerSession(reloaded.client, storage);
    expect(again.store.getState().player).toMatchObject({ playerId: 'p_1', token: 'session-1' });
    expect(reloaded.client.session).toEqual({ token: 'session-1', expiresAt: T0 + 3_600_000 });

    session.signOut();
    expect(client.session).toBeNull();
    expect(session.store.getState().player).toBeNull();
    expect(new PlayerSession(pageClient(() => json(500, {})).client, storage).store.getState().player).toBeNull();
  });

  it('reads back no session that has ended or is about to', () => {
    const storage = new MemoryStorage();
    for (const expiresAt of [T0 - 1, T0 + 4_000]) {
      store(storage, { token: 't', expiresAt });
      const { client } = pageClient(() => json(500, {}));
      expect(new PlayerSession(client, storage).store.getState().player).toBeNull();
      expect(client.session).toBeNull();
    }
    storage.setItem('live-casino.session', '{not json');
    expect(new PlayerSession(pageClient(() => json(500, {})).client, storage).store.getState().player).toBeNull();
  });

  it('tells a refused sign-in by its code and stays signed out', async () => {
    const storage = new MemoryStorage();
    const { client } = pageClient(() =>
      json(401, { code: 'AUTH_BAD_CREDENTIALS', message: 'wrong username or password' }),
    );
    const session = new PlayerSession(client, storage);
    const refused = await session.signIn('demo1', 'wrong').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ViewerFailure);
    expect(refused).toMatchObject({ code: 'AUTH_BAD_CREDENTIALS' });
    expect(session.store.getState().player).toBeNull();
    expect(storage.length).toBe(0);
  });
});

describe('view grants of the player session', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('asks for no grant while signed out', async () => {
    const { client, calls } = pageClient(() => json(200, grant('roulette-1', 'g1')));
    const session = new PlayerSession(client, new MemoryStorage());
    const refused = await session.streamGrant('roulette-1').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ViewerFailure);
    expect(refused).toMatchObject({ code: 'AUTH_TOKEN_MISSING' });
    expect(calls).toEqual([]);
  });

  it('sends the stored session as a bearer token, and shares a grant until it is due', async () => {
    const storage = new MemoryStorage();
    store(storage, { token: 'session-2', expiresAt: T0 + 3_600_000 });
    let n = 0;
    const { client, calls } = pageClient(() => {
      n += 1;
      return json(200, grant('roulette-1', `g${n}`));
    });
    const session = new PlayerSession(client, storage);
    expect((await session.streamGrant('roulette-1')).token).toBe('g1');
    expect(calls).toEqual([{ url: '/v1/stream-grants', authorization: 'Bearer session-2' }]);
    // WebRTC and its HLS fallback, a rejoin: the same 20 s grant for the first half of its life.
    vi.setSystemTime(T0 + 9_000);
    expect((await session.streamGrant('roulette-1')).token).toBe('g1');
    vi.setSystemTime(T0 + 10_000);
    expect((await session.streamGrant('roulette-1')).token).toBe('g2');
    expect(calls).toHaveLength(2);
  });

  for (const code of ['AUTH_TOKEN_EXPIRED', 'AUTH_TOKEN_INVALID', 'AUTH_TOKEN_MISSING'] as const) {
    it(`signs the player out of the page and the client when table-service answers ${code}`, async () => {
      const storage = new MemoryStorage();
      store(storage, { token: 'session-3', expiresAt: T0 + 3_600_000 });
      const { client } = pageClient(() => json(401, { code, message: 'no' }));
      const session = new PlayerSession(client, storage);
      await expect(session.streamGrant('roulette-1')).rejects.toMatchObject({ code });
      expect(session.store.getState().player).toBeNull();
      expect(client.session).toBeNull();
      expect(storage.getItem('live-casino.session')).toBeNull();
    });
  }

  it('refreshes the session before it ends and keeps the new one for the next reload; an ended one signs the player out', async () => {
    const storage = new MemoryStorage();
    // Reloaded 2 minutes before the end: the client keeps it until a minute before, then refreshes it.
    store(storage, { token: 'session-4', expiresAt: T0 + 120_000 });
    const { client, calls } = pageClient((url) =>
      url === '/v1/auth/refresh'
        ? json(200, { token: 'session-5', expiresAt: T0 + 3_660_000 })
        : json(200, grant('roulette-1', 'g1')),
    );
    const session = new PlayerSession(client, storage);
    vi.setSystemTime(T0 + 60_000);
    await expect(session.streamGrant('roulette-1')).resolves.toMatchObject({ token: 'g1' });
    expect(calls.map((c) => [c.url, c.authorization])).toEqual([
      ['/v1/auth/refresh', 'Bearer session-4'],
      ['/v1/stream-grants', 'Bearer session-5'],
    ]);
    expect(session.store.getState().player?.token).toBe('session-5');
    expect(JSON.parse(storage.getItem('live-casino.session') ?? '{}')).toMatchObject({ token: 'session-5' });

    const ended = new MemoryStorage();
    store(ended, { token: 'session-6', expiresAt: T0 + 120_000 });
    const other = pageClient(() => json(200, grant('roulette-1', 'g2')));
    const late = new PlayerSession(other.client, ended);
    vi.setSystemTime(T0 + 121_000);
    await expect(late.streamGrant('roulette-1')).rejects.toMatchObject({ code: 'AUTH_TOKEN_EXPIRED' });
    expect(other.calls).toEqual([]);
    expect(late.store.getState().player).toBeNull();
  });

  it('keeps a new sign-in that came while a refused grant was on its way', async () => {
    const storage = new MemoryStorage();
    store(storage, { token: 'old', expiresAt: T0 + 3_600_000 });
    let refuse: (res: Response) => void = () => undefined;
    const refusal = new Promise<Response>((resolve) => {
      refuse = resolve;
    });
    const { client, calls } = pageClient((url) =>
      url === '/v1/auth/login' ? json(200, { token: 'new', expiresAt: T0 + 3_600_000, player }) : refusal,
    );
    const session = new PlayerSession(client, storage);
    const pending = session.streamGrant('roulette-1');
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    await session.signIn('demo1', 'demo-password');
    refuse(json(401, { code: 'AUTH_TOKEN_EXPIRED', message: 'expired' }));
    await expect(pending).rejects.toMatchObject({ code: 'AUTH_TOKEN_EXPIRED' });
    expect(session.store.getState().player?.token).toBe('new');
    expect(client.session?.token).toBe('new');
  });
});

describe('table-service failures shown to the viewer', () => {
  async function failureOf(answer: () => Response | Promise<Response>): Promise<ViewerFailure> {
    const { client } = pageClient(answer);
    return client.tables().then(
      () => {
        throw new Error('expected a failure');
      },
      (err: unknown) => tableServiceFailure(err),
    );
  }

  it('keeps the service’s own codes', async () => {
    expect((await failureOf(() => json(404, { code: 'TABLE_NOT_FOUND', message: 'no such table' }))).code).toBe(
      'TABLE_NOT_FOUND',
    );
    expect((await failureOf(() => json(429, { code: 'RATE_LIMITED', message: 'slow down' }))).code).toBe(
      'RATE_LIMITED',
    );
  });

  it('reads no answer, and a gateway’s page, as the casino being unreachable', async () => {
    expect(
      (
        await failureOf(() => {
          throw new TypeError('Failed to fetch');
        })
      ).code,
    ).toBe('NETWORK_UNREACHABLE');
    expect((await failureOf(() => new Response('<html>Bad Gateway</html>', { status: 502 }))).code).toBe(
      'NETWORK_UNREACHABLE',
    );
    const timeout = new DOMException('The operation timed out.', 'TimeoutError');
    expect(
      (
        await failureOf(() => {
          throw timeout;
        })
      ).code,
    ).toBe('NETWORK_UNREACHABLE');
  });

  it('reads a 404 that is not the service’s as no such table, and an answer outside the contract as ours', async () => {
    expect((await failureOf(() => new Response('not found', { status: 404 }))).code).toBe('TABLE_NOT_FOUND');
    expect((await failureOf(() => new Response('teapot', { status: 418 }))).code).toBe('INTERNAL');
    expect((await failureOf(() => json(200, [{ tableId: 42 }]))).code).toBe('INTERNAL');
  });

  it('passes a viewer failure through, and makes anything else INTERNAL', () => {
    const failure = new ViewerFailure('STALLED', 'x');
    expect(tableServiceFailure(failure)).toBe(failure);
    expect(tableServiceFailure(new Error('boom'))).toMatchObject({ code: 'INTERNAL', message: 'boom' });
  });
});
