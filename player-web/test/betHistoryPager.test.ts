import type { BetHistoryEntry, BetHistoryPage } from '@live-casino/protocol';
import { describe, expect, it } from 'vitest';
import { BetHistoryPager, type BetHistorySource } from '../src/bets/BetHistoryPager.js';
import type { ViewerError } from '../src/viewerErrors.js';

function entry(betId: string): BetHistoryEntry {
  return {
    betId,
    clientBetId: `c-${betId}`,
    roundId: 'r1',
    tableId: 'roulette-1',
    bet: { type: 'red' },
    stake: 100,
    currency: 'EUR',
    status: 'lost',
    windowBasis: 'video',
    payout: 0,
    placedAtMs: 1_000,
    settledAtMs: 2_000,
  };
}

const page = (ids: string[], before: string | null): BetHistoryPage => ({ bets: ids.map(entry), before });

/** A source whose answers the test hands out one by one, in the order the calls were made. */
class ScriptedSource implements BetHistorySource {
  readonly calls: { before?: string | null; limit?: number }[] = [];
  readonly #pending: { resolve: (p: BetHistoryPage) => void; reject: (err: Error) => void }[] = [];

  betHistory(opts: { before?: string | null; limit?: number }): Promise<BetHistoryPage> {
    this.calls.push(opts);
    return new Promise((resolve, reject) => this.#pending.push({ resolve, reject }));
  }

  answer(index: number, answer: BetHistoryPage | Error): void {
    const call = this.#pending[index];
    if (!call) throw new Error(`no call ${index}`);
    if (answer instanceof Error) call.reject(answer);
    else call.resolve(answer);
  }
}

const describeError = (err: unknown): ViewerError => ({ code: 'NETWORK_UNREACHABLE', message: String(err) });

function pagerOver(source: ScriptedSource): BetHistoryPager {
  return new BetHistoryPager({ source, describeError, pageSize: 2 });
}

describe('BetHistoryPager', () => {
  it('loads the newest page, then older pages by their cursor, until there are no more', async () => {
    const source = new ScriptedSource();
    const pager = pagerOver(source);
    expect(pager.store.getState()).toMatchObject({ loaded: false, bets: [] });

    const first = pager.reload();
    expect(pager.store.getState().loading).toBe('first');
    source.answer(0, page(['b4', 'b3'], 'b3'));
    await first;
    expect(pager.store.getState()).toMatchObject({ loaded: true, before: 'b3', loading: null });

    const more = pager.loadMore();
    expect(source.calls[1]).toEqual({ before: 'b3', limit: 2 });
    source.answer(1, page(['b2', 'b1'], null));
    await more;
    const state = pager.store.getState();
    expect(state.bets.map((b) => b.betId)).toEqual(['b4', 'b3', 'b2', 'b1']);
    expect(state.before).toBeNull();

    await pager.loadMore();
    expect(source.calls).toHaveLength(2);
  });

  it('asks for one older page at a time', async () => {
    const source = new ScriptedSource();
    const pager = pagerOver(source);
    const first = pager.reload();
    source.answer(0, page(['b4', 'b3'], 'b3'));
    await first;
    void pager.loadMore();
    void pager.loadMore();
    expect(source.calls).toHaveLength(2);
  });

  it('drops an older page that arrives after a reload started', async () => {
    const source = new ScriptedSource();
    const pager = pagerOver(source);
    const first = pager.reload();
    source.answer(0, page(['b4', 'b3'], 'b3'));
    await first;

    const more = pager.loadMore();
    const again = pager.reload();
    source.answer(2, page(['b5', 'b4'], 'b4'));
    await again;
    source.answer(1, page(['b2', 'b1'], null));
    await more;
    expect(pager.store.getState()).toMatchObject({ before: 'b3', loading: null });
    expect(pager.store.getState().bets.map((b) => b.betId)).toEqual(['b5', 'b4', 'b3']);
  });

  it('keeps the rows shown when a page fails, and says which page failed', async () => {
    const source = new ScriptedSource();
    const pager = pagerOver(source);
    const first = pager.reload();
    source.answer(0, page(['b4', 'b3'], 'b3'));
    await first;

    const more = pager.loadMore();
    source.answer(1, new Error('offline'));
    await more;
    expect(pager.store.getState()).toMatchObject({
      loading: null,
      before: 'b3',
      error: { page: 'more', error: { code: 'NETWORK_UNREACHABLE' } },
    });
    expect(pager.store.getState().bets).toHaveLength(2);

    const retry = pager.loadMore();
    source.answer(2, page(['b2'], null));
    await retry;
    expect(pager.store.getState().error).toBeNull();
  });

  it('shows the failure of the first page without rows', async () => {
    const source = new ScriptedSource();
    const pager = pagerOver(source);
    const first = pager.reload();
    source.answer(0, new Error('offline'));
    await expect(first).resolves.toBeUndefined();
    expect(pager.store.getState()).toMatchObject({ loaded: false, error: { page: 'first' } });
  });

  it('keeps the older pages opened when the new first page reaches them', async () => {
    const source = new ScriptedSource();
    const pager = pagerOver(source);
    const first = pager.reload();
    source.answer(0, page(['b4', 'b3'], 'b3'));
    await first;
    const more = pager.loadMore();
    source.answer(1, page(['b2', 'b1'], 'b1'));
    await more;

    // One new bet: the new first page (b5, b4) meets the rows shown at b4.
    const again = pager.reload();
    source.answer(2, page(['b5', 'b4'], 'b4'));
    await again;
    expect(pager.store.getState().bets.map((b) => b.betId)).toEqual(['b5', 'b4', 'b3', 'b2', 'b1']);
    expect(pager.store.getState().before).toBe('b1');

    // More new bets than a page: what is shown no longer follows on, so the list starts again.
    const later = pager.reload();
    source.answer(3, page(['b8', 'b7'], 'b7'));
    await later;
    expect(pager.store.getState().bets.map((b) => b.betId)).toEqual(['b8', 'b7']);
    expect(pager.store.getState().before).toBe('b7');
  });
});
