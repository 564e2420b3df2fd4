import type { TableServiceClient } from '@live-casino/clients';
import { tableService } from './api.js';
import { playerSession } from './session.js';
import { createStore, type Store } from './store.js';

export interface BalanceState {
  /** Minor units; null until read (or when nobody is signed in). */
  readonly amount: number | null;
  readonly currency: string | null;
}

/**
 * The signed-in player's balance for the header: read from table-service when asked (the lobby asks
 * every few seconds), and written by the table's betting session, which hears every change from
 * the socket at once. A read that fails keeps the last known balance; signing out forgets it.
 */
export class PlayerBalance {
  readonly store: Store<BalanceState> = createStore<BalanceState>({ amount: null, currency: null });
  readonly #client: TableServiceClient;
  #reading: Promise<void> | undefined;

  constructor(client: TableServiceClient) {
    this.#client = client;
  }

  /** Reads the balance again (one read at a time); nothing when nobody is signed in. */
  refresh(): Promise<void> {
    if (!this.#client.session) {
      this.clear();
      return Promise.resolve();
    }
    this.#reading ??= this.#client
      .me()
      .then((me) => this.set(me.balance.amount, me.balance.currency))
      .catch(() => undefined)
      .finally(() => {
        this.#reading = undefined;
      });
    return this.#reading;
  }

  set(amount: number, currency: string): void {
    this.store.setState({ amount, currency });
  }

  clear(): void {
    this.store.setState({ amount: null, currency: null });
  }
}

export const playerBalance = new PlayerBalance(tableService);
playerSession.store.subscribe(() => {
  if (playerSession.store.getState().player) void playerBalance.refresh();
  else playerBalance.clear();
});
