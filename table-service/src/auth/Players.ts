import { randomBytes } from 'node:crypto';
import { AppError, DISPLAY_NAME_MAX, PASSWORD_MAX, PASSWORD_MIN } from '@live-casino/protocol';
import type { Database } from '../db/Database.js';
import type { Ledger, Queryable } from '../Ledger.js';
import { hashPassword, verifyPassword } from './Passwords.js';

/** A player as the rest of the service and the wire see it (never the password hash). */
export interface Player {
  id: string;
  username: string;
  displayName: string;
  /** ISO 4217: the currency of the player's wallet. */
  currency: string;
  createdAt: Date;
}

export interface SignUpOptions {
  username: string;
  password: string;
  /** Defaults to the username. */
  displayName?: string | undefined;
  /** Defaults to the repository's currency. */
  currency?: string | undefined;
}

export interface PlayersOptions {
  db: Database;
  ledger: Ledger;
  /** Currency of new wallets when `signUp` names none. */
  currency: string;
}

interface PlayerRow {
  id: string;
  username: string;
  password_hash: string;
  display_name: string;
  currency: string;
  created_at: Date;
}

/** Same rule as the `players_username_format` constraint (migrations/0010_rounds_bets.sql). */
export const USERNAME = /^[a-z0-9_.-]{3,32}$/;
export { DISPLAY_NAME_MAX, PASSWORD_MAX, PASSWORD_MIN };
const CURRENCY = /^[A-Z]{3}$/;
/** Control, format (bidi overrides, zero-width), private-use and unassigned characters, and line breaks. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u;
const UNIQUE_VIOLATION = '23505';

/**
 * Players and their logins. Signing up creates the player and opens their wallet
 * (`wallet:<playerId>`) in one transaction: there is never a player without a wallet.
 *
 * Usernames are case-insensitive (folded to lower case); passwords are NFC-normalised so that the
 * same password typed on two keyboards is the same password.
 */
export class Players {
  readonly #db: Database;
  readonly #ledger: Ledger;
  readonly #currency: string;
  /** Checked against when the username is unknown, so that an unknown user costs one scrypt too. */
  #decoyHash: Promise<string> | undefined;

  constructor(opts: PlayersOptions) {
    if (!CURRENCY.test(opts.currency)) throw new TypeError(`currency must be ISO 4217 (EUR), got ${opts.currency}`);
    this.#db = opts.db;
    this.#ledger = opts.ledger;
    this.#currency = opts.currency;
  }

  static walletAccountId(playerId: string): string {
    return `wallet:${playerId}`;
  }

  /** `p_` + 16 characters of base32 (80 random bits). */
  static newId(): string {
    return `p_${base32(randomBytes(10))}`;
  }

  get currency(): string {
    return this.#currency;
  }

  /**
   * Creates a player with an empty wallet. Throws AppError BAD_REQUEST for a malformed username,
   * display name or currency, a weak password, or a username already taken. With `client`, runs
   * inside the caller's transaction. `hashed` is a hash of this same password made earlier (demo
   * players, who all share one password, are seeded with one scrypt instead of one each).
   */
  async signUp(opts: SignUpOptions, client?: Queryable, hashed?: string): Promise<Player> {
    const username = normaliseUsername(opts.username);
    if (!USERNAME.test(username)) {
      throw new AppError('BAD_REQUEST', 'username must be 3-32 characters of a-z, 0-9, _ . -');
    }
    const password = checkNewPassword(opts.password, username);
    const displayName = checkDisplayName(opts.displayName ?? username);
    const currency = opts.currency ?? this.#currency;
    if (!CURRENCY.test(currency)) throw new AppError('BAD_REQUEST', 'currency must be ISO 4217 (EUR)');

    // Spares the scrypt for a name already taken; the unique index still decides races.
    if (await this.#row('username', username, client)) throw usernameTaken(username);
    const passwordHash = hashed ?? (await hashPassword(password));
    const id = Players.newId();
    const create = async (db: Queryable): Promise<PlayerRow> => {
      const { rows } = await db.query<PlayerRow>(
        `INSERT INTO players (id, username, password_hash, display_name, currency) VALUES ($1, $2, $3, $4, $5)
         RETURNING *`,
        [id, username, passwordHash, displayName, currency],
      );
      await this.#ledger.openAccount(
        { id: Players.walletAccountId(id), kind: 'player_wallet', owner: id, currency },
        db,
      );
      return rows[0]!;
    };
    try {
      return toPlayer(client ? await create(client) : await this.#db.transaction(create));
    } catch (err) {
      const e = err as { code?: string; constraint?: string };
      if (e.code === UNIQUE_VIOLATION && e.constraint === 'players_username_key') {
        throw usernameTaken(username);
      }
      throw err;
    }
  }

  /**
   * The player with these credentials, or AppError AUTH_BAD_CREDENTIALS. An unknown or malformed
   * username costs the same scrypt as a wrong password, so timing does not tell which usernames exist.
   */
  async logIn(username: unknown, password: unknown): Promise<Player> {
    const name = typeof username === 'string' ? normaliseUsername(username) : '';
    const row = USERNAME.test(name) ? await this.#row('username', name) : undefined;
    const presented =
      typeof password === 'string' && password.length <= 4 * PASSWORD_MAX ? password.normalize('NFC') : '';
    const ok = await verifyPassword(presented, row?.password_hash ?? (await this.#decoy()));
    if (!row || !ok || presented.length === 0) {
      throw new AppError('AUTH_BAD_CREDENTIALS', 'wrong username or password');
    }
    return toPlayer(row);
  }

  async byId(id: string, client?: Queryable): Promise<Player | undefined> {
    const row = await this.#row('id', id, client);
    return row && toPlayer(row);
  }

  async byUsername(username: string, client?: Queryable): Promise<Player | undefined> {
    const row = await this.#row('username', normaliseUsername(username), client);
    return row && toPlayer(row);
  }

  async #row(column: 'id' | 'username', value: string, client?: Queryable): Promise<PlayerRow | undefined> {
    const db: Queryable = client ?? this.#db.pool;
    const { rows } = await db.query<PlayerRow>(`SELECT * FROM players WHERE ${column} = $1`, [value]);
    return rows[0];
  }

  #decoy(): Promise<string> {
    this.#decoyHash ??= hashPassword(randomBytes(16).toString('base64url'));
    return this.#decoyHash;
  }
}

/** Serialises a player for the wire. */
export function serializePlayer(player: Player): {
  id: string;
  username: string;
  displayName: string;
  currency: string;
} {
  return { id: player.id, username: player.username, displayName: player.displayName, currency: player.currency };
}

function usernameTaken(username: string): AppError {
  return new AppError('AUTH_USERNAME_TAKEN', `username ${username} is taken`);
}

function normaliseUsername(username: string): string {
  return typeof username === 'string' ? username.trim().toLowerCase() : '';
}

function checkNewPassword(password: unknown, username: string): string {
  if (typeof password !== 'string') throw new AppError('BAD_REQUEST', 'password must be a string');
  const normalised = password.normalize('NFC');
  const length = [...normalised].length;
  if (length < PASSWORD_MIN) throw new AppError('BAD_REQUEST', `password must be at least ${PASSWORD_MIN} characters`);
  if (length > PASSWORD_MAX) throw new AppError('BAD_REQUEST', `password must be at most ${PASSWORD_MAX} characters`);
  if (normalised.toLowerCase() === username) throw new AppError('BAD_REQUEST', 'password must not be the username');
  if (new Set(normalised).size < 3) throw new AppError('BAD_REQUEST', 'password is too weak');
  return normalised;
}

function checkDisplayName(displayName: unknown): string {
  if (typeof displayName !== 'string') throw new AppError('BAD_REQUEST', 'display name must be a string');
  const name = displayName.normalize('NFC').trim();
  const length = [...name].length;
  if (length < 1 || length > DISPLAY_NAME_MAX || UNPRINTABLE.test(name)) {
    throw new AppError('BAD_REQUEST', `display name must be 1-${DISPLAY_NAME_MAX} printable characters`);
  }
  return name;
}

function toPlayer(row: PlayerRow): Player {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    currency: row.currency,
    createdAt: row.created_at,
  };
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32, lower case, unpadded. */
function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}
