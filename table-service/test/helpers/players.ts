import type { Database } from '../../src/db/Database.js';
import type { Ledger } from '../../src/Ledger.js';
import { walletAccountId } from '../../src/rounds/Rounds.js';

/**
 * A player as the tests below the HTTP API need one: the row, and a wallet holding `balance`
 * (deposited from the cashier, `seed:<id>`). Ids double as usernames: 3 to 32 of [a-z0-9_.-].
 */
export async function seedPlayer(db: Database, ledger: Ledger, id: string, balance: number): Promise<string> {
  await db.query(
    "INSERT INTO players (id, username, password_hash, display_name, currency) VALUES ($1, $1, 'x', $1, 'EUR')",
    [id],
  );
  await ledger.openAccount({ id: walletAccountId(id), kind: 'player_wallet', owner: id, currency: 'EUR' });
  if (balance > 0)
    await ledger.deposit({ id: `seed:${id}`, to: walletAccountId(id), amount: balance, currency: 'EUR' });
  return id;
}
