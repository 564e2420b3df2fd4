import type { RoundEventPayload, TableAck } from '@live-casino/protocol';
import { expect, test } from '@playwright/test';
import { io } from 'socket.io-client';
import { E2E_PLATFORM } from './platform.js';

const base = E2E_PLATFORM.urls.tableService;

async function post<T>(path: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return (await res.json()) as T;
}

test('the simulated dealer runs roulette rounds from the video: a player bets, the round settles, the balance follows', async () => {
  test.setTimeout(120_000);
  const { token } = await post<{ token: string }>('/v1/auth/login', { username: 'demo7', password: 'demo-password' });
  const balance = async () =>
    (
      (await (await fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        balance: { amount: number };
      }
    ).balance.amount;

  const socket = io(base, { transports: ['websocket'], auth: { token }, forceNew: true });
  const events: RoundEventPayload[] = [];
  socket.on('round', (ev: RoundEventPayload) => events.push(ev));
  try {
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const snap = (await socket.emitWithAck('subscribe', { tableId: 'roulette-1' })) as TableAck<unknown>;
    expect(snap.ok).toBe(true);

    // The next round the simulated dealer opens (a roulette cycle is under 30 s).
    await expect.poll(() => events.some((e) => e.event === 'BETTING_OPEN'), { timeout: 45_000 }).toBe(true);
    const opened = events.find((e) => e.event === 'BETTING_OPEN')!;
    const roundId = opened.round.roundId as string;
    const before = await balance();
    const placed = (await socket.emitWithAck('placeBet', {
      clientBetId: `e2e-${Date.now()}`,
      roundId,
      bet: { type: 'red' },
      stake: 500,
    })) as TableAck<{ status: string }>;
    expect(placed).toMatchObject({ ok: true, data: { status: 'placed' } });
    expect(await balance()).toBe(before - 500);

    // Closed on the frame of "no more bets", the pocket read from the ball, settled by the owner.
    await expect
      .poll(() => events.find((e) => e.round.roundId === roundId && e.event === 'SETTLED'), { timeout: 60_000 })
      .toBeTruthy();
    const settled = events.find((e) => e.round.roundId === roundId && e.event === 'SETTLED')!;
    const pocket = (settled.round.result as { pocket: number }).pocket;
    const red = new Set([1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36]);
    expect(await balance()).toBe(red.has(pocket) ? before + 500 : before - 500);
    const sequence = events.filter((e) => e.round.roundId === roundId).map((e) => e.event);
    expect(sequence).toEqual(['BETTING_OPEN', 'BETTING_CLOSED', 'RESULT_PENDING', 'RESULT_CONFIRMED', 'SETTLED']);
  } finally {
    socket.close();
  }
});
