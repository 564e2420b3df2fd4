import { randomBytes } from 'node:crypto';
import { AppError, TableId } from '@live-casino/protocol';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ConfigError } from '../config.js';
import { hashPassword, verifyPassword } from './Passwords.js';
import type { Session } from './SessionTokens.js';

const StaffId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9_.-]*$' });
/** What `hashPassword` writes: `scrypt$N$r$p$salt$hash`. */
const ScryptHash = Type.String({
  maxLength: 512,
  pattern: '^scrypt\\$[0-9]+\\$[0-9]+\\$[0-9]+\\$[A-Za-z0-9_-]+\\$[A-Za-z0-9_-]+$',
});

/**
 * One entry of STAFF_ACCOUNTS. Dealers are bound to one table; pit bosses see every table;
 * services (vision, sfu) log in with a secret instead of a password.
 */
export const StaffAccount = Type.Union([
  Type.Object(
    { id: StaffId, role: Type.Literal('dealer'), tableId: TableId, passwordHash: ScryptHash },
    { additionalProperties: false },
  ),
  Type.Object(
    { id: StaffId, role: Type.Literal('pitboss'), passwordHash: ScryptHash },
    { additionalProperties: false },
  ),
  Type.Object({ id: StaffId, role: Type.Literal('service'), secretHash: ScryptHash }, { additionalProperties: false }),
]);
export type StaffAccount = Static<typeof StaffAccount>;

const StaffAccounts = Type.Array(StaffAccount, { maxItems: 1000 });

/** The public part of a staff account (no hashes). */
export interface StaffMember {
  id: string;
  role: 'dealer' | 'pitboss' | 'service';
  tableId?: string;
}

/** Bounds on hash parameters from configuration: a typo must not make one login take minutes or gigabytes. */
const MAX_SCRYPT_MEMORY = 128 * 1024 * 1024;

/**
 * Dealers, pit bosses and services, from configuration (they are few, and created by operators,
 * not by sign-up). Hashes are made with `hashPassword` (src/auth/Passwords.ts).
 */
export class StaffDirectory {
  readonly #accounts: ReadonlyMap<string, StaffAccount>;
  #decoyHash: Promise<string> | undefined;

  constructor(accounts: readonly StaffAccount[]) {
    this.#accounts = new Map(accounts.map((a) => [a.id, a]));
  }

  /**
   * Parses and checks STAFF_ACCOUNTS (a JSON array; empty or unset means no staff). Throws
   * ConfigError naming the offending entry. With `tableIds`, a dealer of an unknown table is refused.
   */
  static fromJson(
    json: string | undefined,
    opts: { tableIds?: Iterable<string>; variable?: string } = {},
  ): StaffDirectory {
    const variable = opts.variable ?? 'STAFF_ACCOUNTS';
    const fail = (what: string) => new ConfigError(`invalid table-service configuration:\n  ${variable}${what}`);
    if (json === undefined || json.trim() === '') return new StaffDirectory([]);
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw fail(': not JSON');
    }
    if (!Value.Check(StaffAccounts, parsed)) {
      const first = Value.Errors(StaffAccounts, parsed).First();
      throw fail(
        `${first?.path ?? ''}: ${first?.message ?? 'invalid'} (entries: {id, role: dealer, tableId, passwordHash} | {id, role: pitboss, passwordHash} | {id, role: service, secretHash})`,
      );
    }
    const tables = opts.tableIds ? new Set(opts.tableIds) : undefined;
    const seen = new Set<string>();
    parsed.forEach((account, i) => {
      if (seen.has(account.id)) throw fail(`/${i}/id: duplicate id ${account.id}`);
      seen.add(account.id);
      if (account.role === 'dealer' && tables && !tables.has(account.tableId)) {
        throw fail(`/${i}/tableId: no table ${account.tableId}`);
      }
      const problem = scryptParamsProblem(account.role === 'service' ? account.secretHash : account.passwordHash);
      if (problem) throw fail(`/${i}: ${problem}`);
    });
    return new StaffDirectory(parsed);
  }

  get size(): number {
    return this.#accounts.size;
  }

  get(id: string): StaffMember | undefined {
    const account = this.#accounts.get(id);
    return account && toMember(account);
  }

  list(): StaffMember[] {
    return [...this.#accounts.values()].map(toMember);
  }

  /**
   * The session a staff member (or service) gets for these credentials, or AppError
   * AUTH_BAD_CREDENTIALS. Unknown ids cost one scrypt too.
   */
  async logIn(id: unknown, password: unknown): Promise<Session> {
    const account = typeof id === 'string' ? this.#accounts.get(id) : undefined;
    const stored = account ? (account.role === 'service' ? account.secretHash : account.passwordHash) : undefined;
    const presented = typeof password === 'string' && password.length <= 1024 ? password : '';
    const ok = await verifyPassword(presented, stored ?? (await this.#decoy()));
    if (!account || !ok || presented.length === 0) {
      throw new AppError('AUTH_BAD_CREDENTIALS', 'wrong id or password');
    }
    return {
      userId: account.id,
      role: account.role,
      ...(account.role === 'dealer' ? { tableId: account.tableId } : {}),
    };
  }

  #decoy(): Promise<string> {
    this.#decoyHash ??= hashPassword(randomBytes(16).toString('base64url'));
    return this.#decoyHash;
  }
}

function toMember(account: StaffAccount): StaffMember {
  return { id: account.id, role: account.role, ...(account.role === 'dealer' ? { tableId: account.tableId } : {}) };
}

function scryptParamsProblem(hash: string): string | undefined {
  const [, n, r, p] = hash.split('$').map(Number);
  if (!n || !r || !p || !Number.isSafeInteger(n) || n < 2 || (n & (n - 1)) !== 0) {
    return 'scrypt N must be a power of two';
  }
  if (r > 32 || p > 16 || n > 2 ** 20) return 'scrypt parameters out of range (N ≤ 2^20, r ≤ 32, p ≤ 16)';
  if (128 * n * r > MAX_SCRYPT_MEMORY) return 'scrypt parameters need more than 128 MiB';
  return undefined;
}
