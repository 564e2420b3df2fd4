import { expect, type Page, test } from '@playwright/test';
import { E2E_PLATFORM } from './platform.js';
import { logIn, signIn } from './session.js';

/**
 * Issue 10, points 5, 7 and 8 on the whole platform: streams are for signed-in players, bound to
 * them and measured for them; the sfu's operations are off the players' port; grants are refreshed
 * in place, by players and by the studio, with no rejoin and no producer replaced.
 */

interface ViewerState {
  status: string;
  framesPresented: number;
  reconnects: number;
  grantRefreshes: number;
}

async function viewerState(page: Page): Promise<ViewerState> {
  return page.evaluate(() => (window as unknown as { __viewer: { state(): ViewerState } }).__viewer.state());
}

interface Stats {
  tables: { tableId: string; producers: { producerId: string }[]; hls: { restarts: number } | null }[];
}

async function producersOf(tableId: string): Promise<string[]> {
  const stats = (await (await fetch(`${E2E_PLATFORM.urls.sfuInternal}/stats`)).json()) as Stats;
  return stats.tables.find((t) => t.tableId === tableId)?.producers.map((p) => p.producerId) ?? [];
}

test('without a session: the table page asks to sign in, and there is no grant and no HLS', async ({ page }) => {
  await page.goto('/?table=roulette-1&mode=webrtc');
  await expect(page.getByRole('form', { name: 'Sign in' })).toBeVisible();
  expect(await viewerState(page)).toMatchObject({ status: 'idle', framesPresented: 0 });

  const grant = await fetch(`${E2E_PLATFORM.urls.tableService}/v1/stream-grants`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tableId: 'roulette-1' }),
  });
  expect(grant.status).toBe(401);
  expect(await grant.json()).toMatchObject({ code: 'AUTH_TOKEN_MISSING' });
  const playlist = await fetch(`${E2E_PLATFORM.urls.sfu}/hls/roulette-1/index.m3u8`);
  expect(playlist.status).toBe(401);
  expect(await playlist.json()).toMatchObject({ code: 'AUTH_TOKEN_MISSING' });
});

test("the sfu's stats and metrics answer on its operations port only", async () => {
  for (const route of ['/stats', '/metrics', '/internal/viewer-delays']) {
    expect((await fetch(`${E2E_PLATFORM.urls.sfu}${route}`)).status, route).toBe(404);
    expect((await fetch(`${E2E_PLATFORM.urls.sfuInternal}${route}`)).status, route).toBe(200);
  }
});

for (const mode of ['webrtc', 'hls'] as const) {
  test(`${mode}: a signed-in player plays through grant refreshes with no rejoin, and the sfu measures their delay`, async ({
    page,
  }) => {
    test.setTimeout(150_000);
    const { playerId } = await logIn('demo1');
    await signIn(page, 'demo1');
    await page.goto(`/?table=baccarat-1&mode=${mode}`);
    await expect.poll(async () => (await viewerState(page)).status, { timeout: 30_000 }).toBe('playing');
    const producers = await producersOf('baccarat-1');
    expect(producers).toHaveLength(1);
    const start = await viewerState(page);

    // 20 s stream tokens (e2e/platform.ts): two refreshes take about half a minute.
    await expect
      .poll(async () => (await viewerState(page)).grantRefreshes, { timeout: 90_000 })
      .toBeGreaterThanOrEqual(2);
    const now = await viewerState(page);
    expect(now.reconnects).toBe(start.reconnects);
    expect(now.status).toBe('playing');
    const frames = now.framesPresented;
    await expect
      .poll(async () => (await viewerState(page)).framesPresented, { timeout: 20_000 })
      .toBeGreaterThan(frames + 30);
    // The studio refreshed its own grant meanwhile (every ~13 s) without replacing the producer.
    expect(await producersOf('baccarat-1')).toEqual(producers);

    // The sfu's own measurement of this player's session, under the player's id.
    await expect
      .poll(
        async () => {
          const res = await fetch(`${E2E_PLATFORM.urls.sfuInternal}/internal/viewer-delays`);
          const body = (await res.json()) as {
            viewers: { playerId: string; tableId: string; mode: string; delayMs: number }[];
          };
          return body.viewers.find((v) => v.playerId === playerId && v.tableId === 'baccarat-1' && v.mode === mode);
        },
        { timeout: 20_000 },
      )
      .toMatchObject({ delayMs: expect.any(Number) });
  });
}
