import { expect, test } from '@playwright/test';
import { expectBalanceIsLedgers, nextOpenWindow, overlay, placeChips, shownBalance } from './betting.js';
import { signIn } from './session.js';

/**
 * Issue 11, acceptance 4: the player's network goes for 5 s and comes back; the page recovers by
 * itself with the right balance, phase and bets. Over HLS every byte the page gets is HTTP or
 * WebSocket, so the browser's offline switch takes all of it away.
 */
test('5 s without network: video, balance, phase and the round’s bets come back by themselves', async ({
  page,
  context,
}) => {
  test.setTimeout(240_000);
  await signIn(page, 'demo16');
  await page.goto('/?table=baccarat-1&mode=hls');
  await nextOpenWindow(page);
  await placeChips(page, ['banker']);
  const balance = await shownBalance(page);

  await context.setOffline(true);
  // The page says so: the table's socket is gone, bets wait.
  await expect(page.locator('.bet-problem')).toBeVisible({ timeout: 10_000 });
  await page.waitForTimeout(5_000);
  await context.setOffline(false);

  await expect(page.locator('.bet-problem')).toBeHidden({ timeout: 30_000 });
  await expect
    .poll(
      async () =>
        page.evaluate(
          () => (window as unknown as { __viewer: { state(): { status: string } } }).__viewer.state().status,
        ),
      {
        timeout: 60_000,
      },
    )
    .toBe('playing');
  // Still this round on the video: its bet is on the layout, and the balance is what it was.
  const phase = await overlay(page).getAttribute('data-phase');
  if (phase === 'open' || phase === 'closed') {
    await expect(page.locator('[data-chip="banker"]')).toBeVisible();
    expect(await shownBalance(page)).toBe(balance);
  }
  // Whatever happened meanwhile, the round plays out on screen and the balance is the ledger's.
  await expect(overlay(page)).toHaveAttribute('data-phase', 'result', { timeout: 60_000 });
  await expectBalanceIsLedgers(page, 'demo16');
});
