import type { StreamGrant } from '@live-casino/protocol';
import { fetchStreamGrant, type GrantFetcher, logIn } from './api.js';
import { createStore, type Store } from './store.js';
import { ViewerFailure, type ViewerErrorCode } from './viewerErrors.js';

/** A signed-in player, as table-service's login answered. */
export interface SignedInPlayer {
  token: string;
  /** Unix ms. */
  expiresAt: number;
  playerId: string;
  displayName: string;
}

const STORAGE_KEY = 'live-casino.session';
/** A session this close to its end is not used for a new grant: the player signs in again. */
const EXPIRY_MARGIN_MS = 5_000;

/**
 * The player's table-service session: watching a table needs one (view grants name the player).
 * Kept in localStorage so a reload or a second tab stays signed in; the token is short-lived and
 * forgotten as soon as table-service refuses it.
 */
export class PlayerSession {
  readonly store: Store<{ player: SignedInPlayer | null }>;
  readonly #storage: Storage | undefined;

  constructor(storage: Storage | undefined = globalThis.localStorage) {
    this.#storage = storage;
    this.store = createStore<{ player: SignedInPlayer | null }>({ player: this.#load() });
  }

  /** The session token to present, or null when signed out (or the session ran out). */
  token(): string | null {
    const player = this.store.getState().player;
    if (!player) return null;
    if (player.expiresAt - Date.now() < EXPIRY_MARGIN_MS) {
      this.signOut();
      return null;
    }
    return player.token;
  }

  async signIn(username: string, password: string): Promise<SignedInPlayer> {
    const session = await logIn(username, password);
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
    this.#storage?.removeItem(STORAGE_KEY);
    this.store.setState({ player: null });
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

/** table-service's answers that mean the session itself is no good: sign in again. */
const SESSION_REFUSED: ReadonlySet<ViewerErrorCode> = new Set([
  'AUTH_TOKEN_MISSING',
  'AUTH_TOKEN_INVALID',
  'AUTH_TOKEN_EXPIRED',
]);

/**
 * Grants for the player signed in to `session`: AUTH_TOKEN_MISSING when nobody is, and a session
 * table-service refuses is forgotten (the page then asks the player to sign in).
 */
export function sessionGrantFetcher(session: { token(): string | null; signOut(): void }): GrantFetcher {
  return async (tableId: string): Promise<StreamGrant> => {
    const token = session.token();
    if (!token) throw new ViewerFailure('AUTH_TOKEN_MISSING', 'sign in to watch');
    try {
      return await fetchStreamGrant(tableId, token);
    } catch (err) {
      if (err instanceof ViewerFailure && SESSION_REFUSED.has(err.code)) session.signOut();
      throw err;
    }
  };
}

/** The page's one session. */
export const playerSession = new PlayerSession();
