import { expect, type Page, test } from '@playwright/test';
import { E2E_PLATFORM } from './platform.js';
import { logIn, signIn } from './session.js';

/**
 * Issue 11, acceptance 1: a demo player signs in, joins a table, bets while the window is open on
 * their video, sees "no more bets" when the video shows the close, then the result, and the balance
 * on screen equals the ledger's. Screenshots go to test-results/screenshots (not committed).
 */
const base = E2E_PLATFORM.urls.tableService;

async function ledgerBalance(username: string): Promise<number> {
  const { token } = await logIn(username);
  const res = await fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  return ((await res.json()) as { balance: { amount: number } }).balance.amount;
}

const overlay = (page: Page) => page.locator('section.bet-overlay');
const shownBalance = async (page: Page) => Number(await page.locator('[data-balance]').getAttribute('data-balance'));

async function playRound(page: Page, username: string, tableId: string, spots: string[], shot: string) {
  await signIn(page, username);
  await page.goto(`/?table=${tableId}&mode=webrtc`);
  // The next window this player's video shows open (a round cycle is under 40 s).
  await expect(overlay(page)).toBeVisible({ timeout: 30_000 });
  // From the start of a window: wait out one already open.
  await expect(overlay(page)).not.toHaveAttribute('data-phase', 'open', { timeout: 60_000 });
  await expect(overlay(page)).toHaveAttribute('data-phase', 'open', { timeout: 60_000 });
  const before = await shownBalance(page);
  expect(before).toBe(await ledgerBalance(username));
  await page.locator('[data-chip-value="100"]').click();
  for (const spot of spots) await page.locator(`[data-spot="${spot}"]`).first().click();
  for (const spot of spots) {
    await expect(page.locator(`[data-chip="${spot}"]`)).toBeVisible();
    await expect(page.locator(`[data-chip="${spot}"].pending`)).toHaveCount(0);
  }
  await expect(page.locator('[data-total]')).toHaveAttribute('data-total', String(100 * spots.length));
  await expect.poll(() => shownBalance(page)).toBe(before - 100 * spots.length);
  await page.screenshot({ path: `test-results/screenshots/${shot}-open-1440.png` });

  // No more bets when the video reaches the close; then the result, when the video shows it.
  await expect(overlay(page)).toHaveAttribute('data-phase', 'closed', { timeout: 45_000 });
  await expect(page.getByText('No more bets')).toBeVisible();
  await expect(overlay(page)).toHaveAttribute('data-phase', 'result', { timeout: 60_000 });
  await expect(page.locator('.result-line')).toBeVisible();
  await page.screenshot({ path: `test-results/screenshots/${shot}-result-1440.png` });
  // Settled: the balance on screen is the ledger's.
  await expect
    .poll(async () => (await shownBalance(page)) === (await ledgerBalance(username)), { timeout: 30_000 })
    .toBe(true);
}

test.describe('betting from the player app', () => {
  test.use({ viewport: { width: 1440, height: 900 } });

  test('roulette: a straight-up and a red while the video shows the window open; the balance follows the ledger', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    await playRound(page, 'demo11', 'roulette-1', ['straight 17', 'red'], 'roulette');
  });

  test('baccarat: player and tie; the balance follows the ledger', async ({ page }) => {
    test.setTimeout(240_000);
    await playRound(page, 'demo12', 'baccarat-1', ['player', 'tie'], 'baccarat');
  });
});
