import type { GameBet, RoundBet, RoundBetTotals } from '@live-casino/protocol';
import type { Database } from '../db/Database.js';

export { RoundBet, RoundBetTotals } from '@live-casino/protocol';

interface BetRow {
  id: string;
  player_id: string;
  spec: GameBet;
  stake: string;
  currency: string;
  status: RoundBet['status'];
  payout: string | null;
  window_basis: string;
  created_at: Date;
  settled_at: Date | null;
}

/** Reads of the bets of past and present rounds (the intake writes them). */
export class BetHistory {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** The player's own bets of the round, oldest first; never anyone else's. */
  async ofPlayer(roundId: string, playerId: string): Promise<RoundBet[]> {
    const { rows } = await this.#db.query<BetRow>(
      `SELECT id, player_id, spec, stake, currency, status, payout, window_basis, created_at, settled_at
         FROM bets WHERE round_id = $1 AND player_id = $2 ORDER BY created_at, id`,
      [roundId, playerId],
    );
    return rows.map((r) => ({
      betId: r.id,
      // Bet ids are `<player id>:<client bet id>` (migrations/0010_rounds_bets.sql).
      clientBetId: r.id.slice(r.player_id.length + 1),
      bet: r.spec,
      stake: Number(r.stake),
      currency: r.currency,
      status: r.status,
      payout: r.payout === null ? null : Number(r.payout),
      windowBasis: r.window_basis,
      placedAt: r.created_at.toISOString(),
      settledAt: r.settled_at?.toISOString() ?? null,
    }));
  }

  async totals(roundId: string): Promise<RoundBetTotals> {
    const { rows } = await this.#db.query<{
      status: string;
      bets: number;
      players: number;
      staked: string;
      paid: string;
    }>(
      `SELECT status, count(*)::int AS bets, count(DISTINCT player_id)::int AS players,
              coalesce(sum(stake), 0)::text AS staked, coalesce(sum(payout), 0)::text AS paid
         FROM bets WHERE round_id = $1 GROUP BY ROLLUP (status)`,
      [roundId],
    );
    const all = rows.find((r) => r.status === null);
    return {
      bets: all?.bets ?? 0,
      players: all?.players ?? 0,
      staked: Number(all?.staked ?? 0),
      paidOut: Number(all?.paid ?? 0),
      byStatus: Object.fromEntries(
        rows.filter((r) => r.status !== null).map((r) => [r.status, { bets: r.bets, staked: Number(r.staked) }]),
      ),
    };
  }
}
