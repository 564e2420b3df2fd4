import type { Database } from '../db/Database.js';
import { type Ledger, LedgerError } from '../Ledger.js';
import { hashPassword } from './Passwords.js';
import { Players } from './Players.js';

export const DEMO_PASSWORD = 'demo-password';

export interface DemoSeedOptions {
  currency: string;
  /** Players demo1..demoN. */
  count: number;
  /** Minor units deposited once into each demo wallet. */
  balance: number;
}

export interface DemoPlayerSeed {
  id: string;
  username: string;
  /** False when the player already existed. */
  created: boolean;
  /** False when the seed deposit had already been made (or `balance` is 0). */
  deposited: boolean;
  balance: number;
}

/** Any 64-bit key shared by every node: seeds on two nodes starting together run one after the other. */
const SEED_LOCK = 0x6c63_6465_6d6f; // "lcdemo"

/**
 * Creates demo players `demo1`..`demoN` (password `demo-password`) with `balance` minor units each,
 * plus the house and cashier accounts of `currency`. Idempotent: existing players are kept and each
 * wallet's deposit has the id `seed:<playerId>`, so running it again moves no money. A rerun with a
 * different `balance` leaves the first deposit as it is. All in one transaction.
 */
export async function demoSeed(
  db: Database,
  ledger: Ledger,
  players: Players,
  opts: DemoSeedOptions,
): Promise<DemoPlayerSeed[]> {
  if (!Number.isSafeInteger(opts.count) || opts.count < 0 || opts.count > 1000) {
    throw new RangeError(`demo player count must be 0-1000, got ${opts.count}`);
  }
  if (!Number.isSafeInteger(opts.balance) || opts.balance < 0) {
    throw new RangeError(`demo balance must be a non-negative integer of minor units, got ${opts.balance}`);
  }
  return db.transaction(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK]);
    await ledger.openSystemAccounts(opts.currency, client);
    const seeded: DemoPlayerSeed[] = [];
    // One scrypt for every demo player (they share the password): hundreds of them start in a
    // second, not in a minute. Each still verifies like any other player.
    let hashed: Promise<string> | undefined;
    for (let i = 1; i <= opts.count; i++) {
      const username = `demo${i}`;
      let player = await players.byUsername(username, client);
      const created = player === undefined;
      if (!player) {
        hashed ??= hashPassword(DEMO_PASSWORD);
        player = await players.signUp(
          { username, password: DEMO_PASSWORD, displayName: `Demo ${i}`, currency: opts.currency },
          client,
          await hashed,
        );
      }
      if (player.currency !== opts.currency) {
        throw new Error(`demo player ${username} exists in ${player.currency}, not ${opts.currency}`);
      }
      const wallet = Players.walletAccountId(player.id);
      let deposited = false;
      if (opts.balance > 0) {
        try {
          const result = await ledger.deposit(
            { id: `seed:${player.id}`, to: wallet, amount: opts.balance, currency: opts.currency },
            client,
          );
          deposited = !result.replayed;
        } catch (err) {
          // Seeded before with another balance: that deposit stands. (The failed statement aborted
          // nothing: ledger_apply refuses in non-atomic mode without raising.)
          if (!(err instanceof LedgerError && err.code === 'LEDGER_IDEMPOTENCY_CONFLICT')) throw err;
        }
      }
      seeded.push({ id: player.id, username, created, deposited, balance: await ledger.balance(wallet, client) });
    }
    return seeded;
  });
}
