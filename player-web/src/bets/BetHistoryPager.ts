import type { BetHistoryEntry, BetHistoryPage } from '@live-casino/protocol';
import { createStore, type Store } from '../store.js';
import type { ViewerError } from '../viewerErrors.js';

/** What the pager needs of table-service (`TableServiceClient.betHistory`). */
export interface BetHistorySource {
  betHistory(opts: { before?: string | null; limit?: number }): Promise<BetHistoryPage>;
}

export interface BetHistoryState {
  /** Newest first. */
  readonly bets: readonly BetHistoryEntry[];
  /** The cursor of the next, older page; null once the oldest bet is shown. */
  readonly before: string | null;
  /** Which page is being asked for. */
  readonly loading: 'first' | 'more' | null;
  /** The first page has arrived at least once: an empty list means no bets, not "not yet". */
  readonly loaded: boolean;
  /** The last call's failure, with the page it was for; cleared by the next success. */
  readonly error: { readonly page: 'first' | 'more'; readonly error: ViewerError } | null;
}

export interface BetHistoryPagerOptions {
  source: BetHistorySource;
  /** Turns a failed call into what the player is told. */
  describeError: (err: unknown) => ViewerError;
  pageSize?: number;
}

/**
 * The player's bet history, page by page (keyset: each page's `before` asks for the next older
 * one). `reload()` starts again from the newest bet, after a settlement; a page that arrives after
 * a later reload is dropped, so a slow "load more" never splices an old cursor's page into a fresh
 * list. Nothing to close: it holds no connection or timer. Failures go to the store, never to the
 * caller.
 */
export class BetHistoryPager {
  readonly store: Store<BetHistoryState> = createStore<BetHistoryState>({
    bets: [],
    before: null,
    loading: null,
    loaded: false,
    error: null,
  });
  readonly #source: BetHistorySource;
  readonly #describeError: (err: unknown) => ViewerError;
  readonly #pageSize: number;
  /** Bumped by every reload: answers from an earlier generation are stale. */
  #generation = 0;

  constructor(opts: BetHistoryPagerOptions) {
    this.#source = opts.source;
    this.#describeError = opts.describeError;
    this.#pageSize = opts.pageSize ?? 20;
  }

  /**
   * Asks for the newest page again; the rows shown stay until it arrives. Older pages the player
   * already opened are kept when the new page reaches them: a settlement every round must not fold
   * the list back to one page under a player who is reading it.
   */
  async reload(): Promise<void> {
    const generation = ++this.#generation;
    this.store.setState({ loading: 'first' });
    const page = await this.#fetch('first', generation, null);
    if (!page) return;
    this.store.setState({ ...this.#withOlderRows(page), loading: null, loaded: true, error: null });
  }

  /** Asks for the page older than those shown; nothing while a page is on its way or at the end. */
  async loadMore(): Promise<void> {
    const { before, loading } = this.store.getState();
    if (before === null || loading !== null) return;
    const generation = this.#generation;
    this.store.setState({ loading: 'more' });
    const page = await this.#fetch('more', generation, before);
    if (!page) return;
    const bets = this.store.getState().bets;
    const shown = new Set(bets.map((b) => b.betId));
    this.store.setState({
      bets: [...bets, ...page.bets.filter((b) => !shown.has(b.betId))],
      before: page.before,
      loading: null,
      error: null,
    });
  }

  /** The newest page followed by the rows shown below its oldest bet, or that page alone when they do not meet. */
  #withOlderRows(page: BetHistoryPage): Pick<BetHistoryState, 'bets' | 'before'> {
    const { bets, before } = this.store.getState();
    const oldest = page.bets.at(-1);
    const meet = oldest ? bets.findIndex((b) => b.betId === oldest.betId) : -1;
    if (meet === -1 || page.before === null) return { bets: page.bets, before: page.before };
    return { bets: [...page.bets, ...bets.slice(meet + 1)], before };
  }

  /** The page, or null when it failed (told in the store) or went stale on the way. */
  async #fetch(page: 'first' | 'more', generation: number, before: string | null): Promise<BetHistoryPage | null> {
    try {
      const answer = await this.#source.betHistory({ before, limit: this.#pageSize });
      return generation === this.#generation ? answer : null;
    } catch (err) {
      if (generation === this.#generation) {
        this.store.setState({ loading: null, error: { page, error: this.#describeError(err) } });
      }
      return null;
    }
  }
}
