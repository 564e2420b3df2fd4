import { expect, type Page } from '@playwright/test';
import { E2E_PLATFORM } from './platform.js';
import { logIn } from './session.js';

/** What the player pages and the tests around them share: the overlay, balances, the ledger. */
export const TABLE_SERVICE = E2E_PLATFORM.urls.tableService;
export const SCREENSHOTS = 'test-results/screenshots';

export const overlay = (page: Page) => page.locator('section.bet-overlay');

export async function shownBalance(page: Page): Promise<number> {
  return Number(await page.locator('[data-balance]').getAttribute('data-balance'));
}

/** The player's balance as the ledger has it (GET /v1/me with a session of their own). */
export async function ledgerBalance(username: string): Promise<number> {
  const { token } = await logIn(username);
  const res = await fetch(`${TABLE_SERVICE}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { balance: { amount: number } }).balance.amount;
}

/** Waits for the start of a window on this player's video (a window already open is waited out). */
export async function nextOpenWindow(page: Page): Promise<void> {
  await expect(overlay(page)).toBeVisible({ timeout: 30_000 });
  await expect(overlay(page)).not.toHaveAttribute('data-phase', 'open', { timeout: 60_000 });
  await expect(overlay(page)).toHaveAttribute('data-phase', 'open', { timeout: 60_000 });
}

/** Places one chip of `chip` minor units on each spot and waits until table-service took them all. */
export async function placeChips(page: Page, spots: readonly string[], chip = 100): Promise<void> {
  const totalBefore = Number(await page.locator('[data-total]').getAttribute('data-total'));
  await page.locator(`[data-chip-value="${chip}"]`).click();
  const noticesBefore = await page.locator('.bet-notices li').count();
  for (const spot of spots) await page.locator(`[data-spot="${spot}"]`).first().click();
  // Every chip stands on its spot, or a refusal says why (a chip on another spot shows where the click went).
  const state = () =>
    page.evaluate(
      (from) => ({
        chips: Array.from(document.querySelectorAll('[data-chip]')).map((g) => g.getAttribute('data-chip')),
        refused: Array.from(document.querySelectorAll('.bet-notices li'))
          .slice(from)
          .map((li) => `${li.getAttribute('data-code')}: ${li.getAttribute('data-detail')}`),
      }),
      noticesBefore,
    );
  await expect.poll(state).toEqual({ chips: expect.arrayContaining([...spots]) as unknown as string[], refused: [] });
  for (const spot of spots) await expect(page.locator(`[data-chip="${spot}"].pending`)).toHaveCount(0);
  await expect(page.locator('[data-total]')).toHaveAttribute('data-total', String(totalBefore + chip * spots.length));
}

/** The balance on screen becomes the ledger's (after a settlement). */
export async function expectBalanceIsLedgers(page: Page, username: string, timeout = 30_000): Promise<void> {
  await expect.poll(async () => (await shownBalance(page)) === (await ledgerBalance(username)), { timeout }).toBe(true);
}
