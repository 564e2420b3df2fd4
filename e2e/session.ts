import { expect, type Page } from '@playwright/test';
import { E2E_PLATFORM } from './platform.js';

/** Demo players of the embedded default (demo1..demo20). */
export const DEMO_PASSWORD = 'demo-password';

/** Signs a player in through the lobby's sign-in form, as a person would. */
export async function signIn(page: Page, username = 'demo1'): Promise<void> {
  await page.goto('/');
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Username').fill(username);
  await form.getByLabel('Password').fill(DEMO_PASSWORD);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/** A player's session through the API (`POST /v1/auth/login`), for tests that call services directly. */
export async function logIn(username = 'demo1'): Promise<{ token: string; playerId: string }> {
  const res = await fetch(`${E2E_PLATFORM.urls.tableService}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { token: string; player: { id: string } };
  return { token: body.token, playerId: body.player.id };
}
