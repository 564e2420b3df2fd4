import { type TableRealtime, TableServiceClient } from '@live-casino/clients';
import type { RoundResult } from '@live-casino/protocol';
import { pocketColour } from '@live-casino/protocol/games/roulette';
import { type Browser, expect, type Page, test } from '@playwright/test';
import { expectBalanceIsLedgers, nextOpenWindow, overlay, placeChips, TABLE_SERVICE } from './betting.js';
import { DEMO_PASSWORD, signIn } from './session.js';

/**
 * Issue 11, acceptance 6: 200 players on sockets and 3 in browsers at one roulette table for 5
 * rounds. Every browser player's balance on screen ends equal to the ledger's; every socket
 * player's balance ends equal to an independent recomputation from their acknowledged bets and the
 * table's published results.
 */
const TABLE = 'roulette-1';
const ROUNDS = 5;
const SOCKET_PLAYERS = 200;
const STAKE = 100;

/** A socket-level player: bets red once per round at a random moment of the window, keeps its acks. */
class SocketPlayer {
  readonly accepted = new Map<string, number>();
  readonly refused: string[] = [];
  betting = true;
  #client: TableServiceClient;
  #rt: TableRealtime | null = null;
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #n = 0;

  constructor(readonly username: string) {
    this.#client = new TableServiceClient({ baseUrl: TABLE_SERVICE });
  }

  async start(): Promise<number> {
    await this.#client.login(this.username, DEMO_PASSWORD);
    const balance = (await this.#client.me()).balance.amount;
    this.#rt = this.#client.realtime();
    await this.#rt.watch(TABLE, {
      onEvent: (ev) => {
        if (ev.event === 'BETTING_OPEN' && this.betting) this.#betSoon(ev.round.roundId);
      },
    });
    return balance;
  }

  /** Most bets early, some in the last seconds of the 12 s window. */
  #betSoon(roundId: string): void {
    const atMs = Math.random() < 0.8 ? Math.random() * 6_000 : 6_000 + Math.random() * 4_500;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      const clientBetId = `${this.username}-${roundId}-${++this.#n}`;
      this.#rt?.placeBet({ clientBetId, roundId, bet: { type: 'red' }, stake: STAKE }).then(
        (bet) => this.accepted.set(bet.roundId, (this.accepted.get(bet.roundId) ?? 0) + bet.stake),
        (err: unknown) => this.refused.push(String(err)),
      );
    }, atMs);
    this.#timers.add(timer);
  }

  balance(): Promise<number> {
    return this.#client.me().then((me) => me.balance.amount);
  }

  close(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#client.close();
  }
}

async function inBatches<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

async function browserPlayer(browser: Browser, username: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await signIn(page, username);
  await page.goto(`/?table=${TABLE}&mode=webrtc`);
  return page;
}

// Was `fixme` from session 21 to 23: a browser player's chip now and then stood on another spot
// than the one clicked. The "your video is behind" note came and went above the board as the
// delay wandered around 250 ms under this load, and the board resolved a click by its coordinates
// after the layout had moved. The note now sits below everything clickable and does not blink,
// and a bet is the one whose area took the click.
test('200 socket players and 3 browser players, 5 rounds: every balance is the ledger’s', async ({ browser }) => {
  test.setTimeout(20 * 60_000);
  const bots = Array.from({ length: SOCKET_PLAYERS }, (_, i) => new SocketPlayer(`demo${21 + i}`));
  const pages: Page[] = [];
  try {
    const startBalances = await inBatches(bots, 10, (b) => b.start());
    const humans = ['demo221', 'demo222', 'demo223'];
    for (const name of humans) pages.push(await browserPlayer(browser, name));
    const spots = [
      ['red', 'straight 17'],
      ['black', 'dozen 2'],
      ['odd', 'split 1-2'],
    ];

    for (let round = 1; round <= ROUNDS; round++) {
      await Promise.all(pages.map((p) => nextOpenWindow(p)));
      await Promise.all(pages.map((p, i) => placeChips(p, spots[i] as string[])));
      if (round === ROUNDS) for (const b of bots) b.betting = false;
      await Promise.all(
        pages.map((p) => expect(overlay(p)).toHaveAttribute('data-phase', 'result', { timeout: 90_000 })),
      );
    }
    for (const [i, page] of pages.entries()) await expectBalanceIsLedgers(page, humans[i] as string, 60_000);

    // The socket players: start − stakes + what red paid, from the table's published results.
    const placed = bots.reduce((n, b) => n + [...b.accepted.values()].length, 0);
    test.info().annotations.push({
      type: 'socket bets',
      description: `${placed} accepted, ${bots.reduce((n, b) => n + b.refused.length, 0)} refused`,
    });
    expect(placed).toBeGreaterThanOrEqual(SOCKET_PLAYERS * (ROUNDS - 1));
    const results = (await (await fetch(`${TABLE_SERVICE}/v1/tables/${TABLE}/results?limit=50`)).json()) as {
      results: { roundId: string; result: RoundResult }[];
    };
    const redWon = new Map(
      results.results.map((r) => [r.roundId, 'pocket' in r.result && pocketColour(r.result.pocket) === 'red']),
    );
    await expect
      .poll(
        async () => {
          const wrong: string[] = [];
          await inBatches(bots, 20, async (b) => {
            const expected = [...b.accepted].reduce(
              (sum, [roundId, stake]) => sum - stake + (redWon.get(roundId) ? 2 * stake : 0),
              startBalances[bots.indexOf(b)] as number,
            );
            const unsettled = [...b.accepted.keys()].some((id) => !redWon.has(id));
            if (unsettled || (await b.balance()) !== expected) wrong.push(b.username);
          });
          return wrong;
        },
        { timeout: 60_000 },
      )
      .toEqual([]);
  } finally {
    for (const b of bots) b.close();
    for (const p of pages) await p.context().close();
  }
});
