import { mkdir } from 'node:fs/promises';
import { ClientError, TableServiceClient } from '@live-casino/clients';
import type { GameBet } from '@live-casino/protocol';
import { expect, type Page, test } from '@playwright/test';
import {
  expectBalanceIsLedgers,
  ledgerBalance,
  nextOpenWindow,
  overlay,
  placeChips,
  SCREENSHOTS,
  shownBalance,
  TABLE_SERVICE,
} from './betting.js';
import { DEMO_PASSWORD, signIn } from './session.js';

/**
 * Issue 11, acceptance 1, 2 (a click after the close on the video) and 5: a demo player signs in,
 * joins a table, bets while the window is open on their video, sees "no more bets" when the video
 * shows the close, a late click refused with its reason, then the result; the balance on screen
 * equals the ledger's. On a desktop and on a phone, with screenshots of every step in
 * test-results/screenshots (not committed).
 */
const VIEWPORTS = {
  desktop: { width: 1440, height: 900 },
  phone: { width: 390, height: 844 },
} as const;

type Size = keyof typeof VIEWPORTS;

const shot = (page: Page, name: string, size: Size) =>
  page.screenshot({ path: `${SCREENSHOTS}/${name}-${VIEWPORTS[size].width}.png`, fullPage: size === 'phone' });

/** The studio time of the frame on the player's screen (the page's own clock of the video). */
async function frameOnScreen(page: Page): Promise<number> {
  const ms = await page.evaluate(
    () =>
      (window as unknown as { __viewer: { state(): { lastStudioTimeMs: number | null } } }).__viewer.state()
        .lastStudioTimeMs,
  );
  expect(ms).not.toBeNull();
  return ms as number;
}

/**
 * The same player, lying: a bet sent straight to table-service for the round on screen, claiming
 * the frame on screen (after the close). table-service refuses it, whatever the page would do.
 */
async function lateBetFromASecondClient(username: string, roundId: string, frameStudioMs: number, bet: GameBet) {
  const client = new TableServiceClient({ baseUrl: TABLE_SERVICE });
  try {
    await client.login(username, DEMO_PASSWORD);
    const rt = client.realtime();
    const refusal = await rt
      .placeBet({ clientBetId: `late-${Date.now()}`, roundId, bet, stake: 100, frameStudioMs })
      .then(
        () => null,
        (err: unknown) => err,
      );
    expect(refusal).toBeInstanceOf(ClientError);
    expect((refusal as ClientError).code).toBe('TABLE_BETTING_CLOSED');
  } finally {
    client.close();
  }
}

async function playRound(page: Page, o: { username: string; tableId: string; spots: string[]; size: Size }) {
  const game = o.tableId.split('-')[0] as string;
  await page.goto('/');
  await shot(page, 'sign-in', o.size);
  await signIn(page, o.username);
  await expect(page.locator('[data-header-balance]')).not.toHaveAttribute('data-header-balance', '');
  await expect(page.locator('.table-card .phase-tag').first()).toBeVisible({ timeout: 30_000 });
  await shot(page, 'lobby', o.size);
  await page.locator(`.table-card[data-table-id="${o.tableId}"]`).click();
  await nextOpenWindow(page);
  const before = await shownBalance(page);
  expect(before).toBe(await ledgerBalance(o.username));
  await placeChips(page, o.spots);
  await expect.poll(() => shownBalance(page)).toBe(before - 100 * o.spots.length);
  // The header follows the bets too.
  await expect(page.locator('[data-header-balance]')).toHaveAttribute(
    'data-header-balance',
    String(before - 100 * o.spots.length),
  );
  await shot(page, `${game}-open`, o.size);

  // No more bets when the video reaches the close; a click then is refused with the reason.
  await expect(overlay(page)).toHaveAttribute('data-phase', 'closed', { timeout: 45_000 });
  await expect(page.getByText('No more bets').first()).toBeVisible();
  const roundId = (await (await fetch(`${TABLE_SERVICE}/v1/tables/${o.tableId}/round`)).json()).round?.roundId ?? null;
  const lateFrame = await frameOnScreen(page);
  await page.locator(`[data-spot="${o.spots[0]}"]`).first().click();
  await expect(page.locator('.bet-notices [data-code="TABLE_BETTING_CLOSED"]')).toContainText('No more bets');
  await expect(page.locator('[data-total]')).toHaveAttribute('data-total', String(100 * o.spots.length));
  expect(roundId).not.toBeNull();
  await lateBetFromASecondClient(o.username, roundId as string, lateFrame, {
    type: game === 'roulette' ? 'red' : 'player',
  });

  await expect(overlay(page)).toHaveAttribute('data-phase', 'result', { timeout: 60_000 });
  await expect(page.locator('.result-line')).toBeVisible();
  await shot(page, `${game}-result`, o.size);
  // Settled: the balance on screen is the ledger's.
  await expectBalanceIsLedgers(page, o.username);
}

test.beforeAll(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
});

const PLAYERS: Record<Size, { roulette: string; baccarat: string }> = {
  desktop: { roulette: 'demo11', baccarat: 'demo12' },
  phone: { roulette: 'demo13', baccarat: 'demo14' },
};

for (const size of ['desktop', 'phone'] as const) {
  test.describe(`betting from the player app (${size})`, () => {
    test.use({ viewport: VIEWPORTS[size], isMobile: size === 'phone', hasTouch: size === 'phone' });

    test('roulette: a straight-up and a red while the video shows the window open; the balance follows the ledger', async ({
      page,
    }) => {
      test.setTimeout(240_000);
      await playRound(page, {
        username: PLAYERS[size].roulette,
        tableId: 'roulette-1',
        spots: ['straight 17', 'red'],
        size,
      });
    });

    test('baccarat: player and tie; the balance follows the ledger', async ({ page }) => {
      test.setTimeout(240_000);
      await playRound(page, {
        username: PLAYERS[size].baccarat,
        tableId: 'baccarat-1',
        spots: ['player', 'tie'],
        size,
      });
    });
  });
}
