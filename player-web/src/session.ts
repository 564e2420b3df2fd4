import type { TableServiceClient } from '@live-casino/clients';
import type { StreamGrant } from '@live-casino/protocol';
import { tableService, tableServiceFailure } from './api.js';
import { createStore, type Store } from './store.js';
import type { ViewerErrorCode } from './viewerErrors.js';

/** A signed-in player, as table-service's login answered. */
export interface SignedInPlayer {
  token: string;
  /** Unix ms. */
  expiresAt: number;
  playerId: string;
  displayName: string;
}

const STORAGE_KEY = 'live-casino.session';
/** A stored session this close to its end is not worth adopting: the player signs in again. */
const EXPIRY_MARGIN_MS = 5_000;

/** table-service's answers that mean the session itself is no good: sign in again. */
const SESSION_REFUSED: ReadonlySet<ViewerErrorCode> = new Set([
  'AUTH_TOKEN_MISSING',
  'AUTH_TOKEN_INVALID',
  'AUTH_TOKEN_EXPIRED',
]);

/**
 * The player's table-service session: watching a table needs one (view grants name the player).
 * Kept in localStorage so a reload or a second tab stays signed in, and handed to the page's
 * table-service client, which makes every call with it; the token is short-lived and forgotten as
 * soon as table-service (or the client, once it is due for renewal) refuses it.
 */
export class PlayerSession {
  readonly store: Store<{ player: SignedInPlayer | null }>;
  readonly #client: TableServiceClient;
  readonly #storage: Storage | undefined;

  constructor(client: TableServiceClient, storage: Storage | undefined = globalThis.localStorage) {
    this.#client = client;
    this.#storage = storage;
    const player = this.#load();
    // biome-ignore lint/correctness/useHookAtTopLevel: TableServiceClient's method, not a React hook
    if (player) client.useSession(player);
    this.store = createStore<{ player: SignedInPlayer | null }>({ player });
    // A session the client refreshed (before it ended) is the one a reload must find.
    client.onSession((session) => {
      const current = this.store.getState().player;
      if (!current || current.token === session.token) return;
      const refreshed = { ...current, token: session.token, expiresAt: session.expiresAt };
      this.#storage?.setItem(STORAGE_KEY, JSON.stringify(refreshed));
      this.store.setState({ player: refreshed });
    });
  }

  async signIn(username: string, password: string): Promise<SignedInPlayer> {
    const session = await this.#client.login(username, password).catch((err: unknown) => {
      throw tableServiceFailure(err);
    });
    const player: SignedInPlayer = {
      token: session.token,
      expiresAt: session.expiresAt,
      playerId: session.player.id,
      displayName: session.player.displayName,
    };
    this.#storage?.setItem(STORAGE_KEY, JSON.stringify(player));
    this.store.setState({ player });
    return player;
  }

  signOut(): void {
    this.#client.signOut();
    this.#storage?.removeItem(STORAGE_KEY);
    this.store.setState({ player: null });
  }

  /**
   * A view grant for the signed-in player (AUTH_TOKEN_MISSING when nobody is). A session refused
   * for the grant signs the player out, and the page asks them to sign in again; unless they
   * already signed in anew while it was asked for.
   */
  async streamGrant(tableId: string): Promise<StreamGrant> {
    const token = this.#client.session?.token;
    try {
      return await this.#client.streamGrant(tableId);
    } catch (err) {
      const failure = tableServiceFailure(err);
      if (SESSION_REFUSED.has(failure.code) && this.#client.session?.token === token) this.signOut();
      throw failure;
    }
  }

  #load(): SignedInPlayer | null {
    try {
      const raw = this.#storage?.getItem(STORAGE_KEY);
      if (!raw) return null;
      const p = JSON.parse(raw) as Partial<SignedInPlayer>;
      const valid =
        typeof p.token === 'string' &&
        typeof p.expiresAt === 'number' &&
        typeof p.playerId === 'string' &&
        typeof p.displayName === 'string' &&
        p.expiresAt - Date.now() > EXPIRY_MARGIN_MS;
      return valid ? (p as SignedInPlayer) : null;
    } catch {
      return null;
    }
  }
}

/** The page's one session, on the page's one table-service client. */
export const playerSession = new PlayerSession(tableService);
