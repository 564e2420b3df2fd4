import { createHash } from 'node:crypto';
import {
  AppError,
  type BetDto,
  type BetHistoryPage,
  type DelayAnswer,
  type GameBet,
  isErrorCode,
  type RebetAnswer,
} from '@live-casino/protocol';
import type { Logger } from 'pino';
import type { Database } from '../db/Database.js';
import { transferBodyHash } from '../Ledger.js';
import type { TransferRequest } from '../LedgerTypes.js';
import { allowanceOf, decideBetWindow, revealCapMs, type WindowRefusal } from '../rounds/BettingWindow.js';
import { canonicalJson } from '../rounds/RoundStates.js';
import { rulesOf } from '../rounds/GameRules.js';
import { escrowAccountId, type Rounds, walletAccountId } from '../rounds/Rounds.js';
import type { RoundDto, TableRules } from '../rounds/RoundTypes.js';
import type { ViewerDelays } from './ViewerDelays.js';

export interface PlaceBetRequest {
  /** The client's id for this bet: a retry with the same id returns the first answer. */
  clientBetId: string;
  roundId: string;
  bet: unknown;
  stake: number;
  /** Studio time of the frame on the player's screen when they clicked. */
  frameStudioMs?: number | undefined;
}

export type { BetDto } from '@live-casino/protocol';

interface Pending {
  item: BetItem;
  resolve: (bet: BetDto) => void;
  reject: (err: unknown) => void;
}

interface BetItem {
  betId: string;
  clientBetId: string;
  playerId: string;
  round: RoundDto;
  spec: GameBet;
  stake: number;
  bodyHash: string;
  frameStudioMs: number | null;
  receivedAtMs: number;
  windowBasis: 'video' | 'server-clock';
  /** Late time after the close this bet was allowed (video basis); null: the server clock. */
  allowanceMs: number | null;
  transfer: TransferRequest;
  /** The table's cap on what one player stakes on one round (judged in `bets_place`). */
  maxPlayerStake: number;
}

const REFUSAL_MESSAGES: Record<WindowRefusal, string> = {
  FRAME_AT_OR_AFTER_CLOSE: 'betting had closed on the frame you saw',
  ARRIVED_AFTER_DELAY: 'the bet arrived after betting closed, beyond your measured video delay',
  ARRIVED_AFTER_REVEAL: 'the bet arrived after the outcome began to show',
  FRAME_IN_FUTURE: 'the frame time is in the future',
  CLOSED_BY_SERVER_CLOCK: 'betting is closed',
  NOT_YET_OPEN: 'betting is not open yet',
};

export function refusalMessage(reason: string | undefined): string {
  return reason && reason in REFUSAL_MESSAGES ? REFUSAL_MESSAGES[reason as WindowRefusal] : 'betting is closed';
}

/**
 * Bets in one statement at most. The batch is whatever queued while the previous one was in flight,
 * so it grows with the load. Past a few hundred bets a bigger batch buys no throughput (a commit is
 * then < 1 µs a bet, against 100–200 µs of Postgres work per bet on the 2-core machine) but makes
 * every bet in it wait for the whole statement: with 10,000 players in a closed loop, batches of
 * 10,000 held acks for seconds (issue 16).
 */
export const MAX_BATCH = 1000;
/**
 * Batches in Postgres at once. Two: while one runs, the next waits there for the round's escrow and
 * starts the moment the first commits, instead of after its answer has come back, been parsed and
 * the next statement built and sent (with one, Postgres sat idle a third of the time under load).
 */
export const MAX_IN_FLIGHT = 2;
/** Answers written per turn of the event loop: a batch's acks must not starve timers (leases) and I/O. */
const ANSWER_SLICE = 250;

/**
 * Bet intake: checks a bet against the game's rules, the table's limits and the betting window in
 * video time, then writes the bet row and its player → escrow transfer in one statement. Concurrent
 * bets are group-committed: one statement and one commit for everything that queued while the
 * previous batch was in flight, each bet succeeding or failing on its own. Nothing on the way to a
 * batch reads the database: the per-player cap per round is judged inside the batch's statement.
 */
export class BetIntake {
  readonly #db: Database;
  readonly #rounds: Rounds;
  readonly #tables: ReadonlyMap<string, TableRules>;
  readonly #log: Logger;
  readonly #delays: ViewerDelays;
  /** The players' measured delays (the intake's closes the poller with it). */
  get delays(): ViewerDelays {
    return this.#delays;
  }
  /** The round in play per table, kept from round events to spare a read per bet. */
  readonly #live = new Map<string, RoundDto>();
  #queue: Pending[] = [];
  /** The batches in Postgres: at most MAX_IN_FLIGHT, so that the next batch is all that queued meanwhile. */
  readonly #inFlight = new Set<Promise<void>>();
  /** Batches back from Postgres whose answers are still being written. */
  readonly #answering = new Set<Promise<void>>();
  #closed = false;

  constructor(opts: {
    db: Database;
    rounds: Rounds;
    tables: ReadonlyMap<string, TableRules>;
    delays: ViewerDelays;
    log: Logger;
  }) {
    this.#db = opts.db;
    this.#rounds = opts.rounds;
    this.#tables = opts.tables;
    this.#delays = opts.delays;
    this.#log = opts.log.child({ component: 'bets' });
    this.#rounds.on('event', ({ round }) => {
      if (round.state === 'SETTLED' || round.state === 'VOIDED') {
        if (this.#live.get(round.tableId)?.roundId === round.roundId) this.#live.delete(round.tableId);
      } else this.#live.set(round.tableId, round);
    });
  }

  /**
   * A player says how they watch and what delay they see (studio time of the frame on screen vs
   * their clock). The delay they claim decides nothing: the answer is their window as the server
   * measured it, so that their client can end the countdown in time.
   */
  reportDelay(playerId: string, tableId: string | undefined, nowMs = Date.now()): DelayAnswer {
    const table = tableId === undefined ? undefined : this.#tables.get(tableId);
    if (tableId !== undefined && !table) throw new AppError('TABLE_NOT_FOUND', `no table ${tableId}`);
    if (!table) return { measuredDelayMs: null, allowanceMs: null, revealCapMs: null };
    const measured = this.#delays.get(playerId, table.tableId, nowMs);
    return {
      measuredDelayMs: measured?.delayMs ?? null,
      allowanceMs: allowanceOf(measured, nowMs, table.window) ?? null,
      revealCapMs: revealCapMs(table.window),
    };
  }

  async #round(roundId: string): Promise<RoundDto> {
    for (const r of this.#live.values()) if (r.roundId === roundId) return r;
    const round = await this.#rounds.get(roundId);
    if (round.state !== 'SETTLED' && round.state !== 'VOIDED') this.#live.set(round.tableId, round);
    return round;
  }

  async place(playerId: string, req: PlaceBetRequest, receivedAtMs = Date.now()): Promise<BetDto> {
    if (this.#closed) throw new AppError('SERVICE_UNAVAILABLE', 'bet intake is shutting down');
    const round = await this.#round(req.roundId);
    const table = this.#tables.get(round.tableId);
    if (!table) throw new AppError('TABLE_NOT_FOUND', `no table ${round.tableId}`);
    const rules = rulesOf(table.game);
    const { bet, betType } = rules.parseBet(req.bet);
    const stake = rules.validateStake(betType, req.stake, table.limits);
    if (stake > table.maxPlayerStakePerRound) {
      throw new AppError('BET_TABLE_LIMIT', `at most ${table.maxPlayerStakePerRound} per player per round`);
    }
    const betId = `${playerId}:${req.clientBetId}`;
    const bodyHash = createHash('sha256')
      .update(canonicalJson({ v: 1, roundId: round.roundId, bet, stake }))
      .digest('hex');
    const open = round.state === 'BETTING_OPEN' || round.state === 'BETTING_CLOSED';
    const measured = this.#delays.get(playerId, round.tableId, receivedAtMs);
    const allowanceMs = allowanceOf(measured, receivedAtMs, table.window);
    const decision = open
      ? decideBetWindow(
          {
            opensAtStudioMs: round.opensAtStudioMs,
            closesAtStudioMs: round.closesAtStudioMs ?? undefined,
            revealsAtStudioMs: round.revealsAtStudioMs ?? undefined,
          },
          { frameStudioMs: req.frameStudioMs, receivedAtMs, allowanceMs },
          table.window,
        )
      : undefined;
    if (!decision?.accepted) {
      // A retry of a bet already taken answers as it did, even once the window has closed. Only
      // refusals pay for this lookup: the hot path finds replays in the batch itself.
      const prior = await this.#existing(betId);
      if (prior) return this.#replay(prior, bodyHash);
      throw new AppError(
        'TABLE_BETTING_CLOSED',
        decision ? refusalMessage(decision.reason) : `round is ${round.state}`,
      );
    }
    const transfer: TransferRequest = {
      id: `bet:${betId}`,
      from: walletAccountId(playerId),
      to: escrowAccountId(round.roundId),
      amount: stake,
      currency: table.currency,
      kind: 'bet',
      roundId: round.roundId,
      betId,
    };
    const item: BetItem = {
      betId,
      clientBetId: req.clientBetId,
      playerId,
      round,
      spec: bet,
      stake,
      bodyHash,
      frameStudioMs: req.frameStudioMs ?? null,
      receivedAtMs,
      windowBasis: decision.basis,
      allowanceMs: decision.basis === 'video' ? (allowanceMs ?? null) : null,
      transfer,
      maxPlayerStake: table.maxPlayerStakePerRound,
    };
    return new Promise<BetDto>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#pump();
    });
  }

  /** Repeats the player's bets of their last settled round at this table on a new round. */
  async rebet(playerId: string, roundId: string, clientBetIdPrefix: string): Promise<RebetAnswer> {
    const round = await this.#round(roundId);
    const { rows } = await this.#db.query<{ spec: GameBet; stake: number }>(
      `SELECT b.spec, b.stake FROM bets b
        WHERE b.player_id = $1 AND b.status IN ('won', 'lost', 'push')
          AND b.round_id = (
            SELECT r.id FROM rounds r JOIN bets x ON x.round_id = r.id
             WHERE r.table_id = $2 AND r.state = 'SETTLED' AND x.player_id = $1
             ORDER BY r.number DESC LIMIT 1)
        ORDER BY b.created_at, b.id`,
      [playerId, round.tableId],
    );
    if (rows.length === 0) throw new AppError('BET_NOT_FOUND', 'no settled bets to repeat at this table');
    const placed: BetDto[] = [];
    const refused: RebetAnswer['refused'] = [];
    // In order, so that what does not fit (funds, limits) is the last bets, as a player expects.
    for (const [i, row] of rows.entries()) {
      try {
        placed.push(
          await this.place(playerId, {
            clientBetId: `${clientBetIdPrefix}-${i}`,
            roundId,
            bet: row.spec,
            stake: row.stake,
          }),
        );
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        refused.push({ bet: row.spec, stake: row.stake, code: err.code, message: err.message });
      }
    }
    return { placed, refused };
  }

  /**
   * Cancels a bet while betting is open: escrow → player, once. A cancel is judged on its arrival
   * against the close, and the dealer's close may still be on its way (it carries the studio time
   * of the frame it was taken on, and arrives later): so a cancel commits only once no close still
   * in flight can land before it, `closeMaxLagMs` after it arrived (see `appliedClose`), or at once
   * when the close is already known.
   */
  async cancel(playerId: string, clientBetId: string, receivedAtMs = Date.now()): Promise<BetDto> {
    const betId = `${playerId}:${clientBetId}`;
    const { rows: found } = await this.#db.query<{ round_id: string; table_id: string; closes_at: number | null }>(
      `SELECT b.round_id, b.table_id, r.closes_at_studio_ms AS closes_at
         FROM bets b JOIN rounds r ON r.id = b.round_id WHERE b.id = $1`,
      [betId],
    );
    const located = found[0];
    if (!located) throw new AppError('BET_NOT_FOUND', `no bet ${clientBetId}`);
    const table = this.#tables.get(located.table_id);
    if (located.closes_at === null && table) {
      await this.#closeKnownOr(located.round_id, receivedAtMs + table.window.closeMaxLagMs + 1);
    }
    const row = await this.#db.transaction(async (client) => {
      // The round first, then the bet, then (in ledger_apply) accounts: the one lock order that
      // bets, closes and settlements follow too.
      const { rows: rounds } = await client.query<{ state: string; closes_at: number | null }>(
        'SELECT state, closes_at_studio_ms AS closes_at FROM rounds WHERE id = $1 FOR SHARE',
        [located.round_id],
      );
      const { rows } = await client.query<BetRow>('SELECT * FROM bets WHERE id = $1 FOR UPDATE', [betId]);
      const bet = rows[0];
      const round = rounds[0];
      if (!bet || !round || bet.player_id !== playerId) throw new AppError('BET_NOT_FOUND', `no bet ${clientBetId}`);
      if (bet.status === 'cancelled') return bet;
      const open =
        round.state === 'BETTING_OPEN' ||
        (round.state === 'BETTING_CLOSED' && round.closes_at !== null && receivedAtMs < round.closes_at);
      if (!open || bet.status !== 'placed') {
        throw new AppError('TABLE_BETTING_CLOSED', 'a bet can only be cancelled while betting is open');
      }
      await client.query('SELECT ledger_apply($1::jsonb, true)', [
        JSON.stringify([
          withHash({
            id: `cancel:${betId}`,
            from: escrowAccountId(bet.round_id),
            to: walletAccountId(playerId),
            amount: bet.stake,
            currency: bet.currency.trim(),
            kind: 'bet_cancel',
            roundId: bet.round_id,
            betId,
          }),
        ]),
      ]);
      const { rows: updated } = await client.query<BetRow>(
        "UPDATE bets SET status = 'cancelled' WHERE id = $1 RETURNING *",
        [betId],
      );
      return updated[0]!;
    });
    return toBetDto(row);
  }

  /** Resolves when this node sees the round's betting close, or at `untilMs`, whichever is first. */
  async #closeKnownOr(roundId: string, untilMs: number): Promise<void> {
    const wait = untilMs - Date.now();
    if (wait <= 0) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#rounds.off('event', onEvent);
        resolve();
      };
      const onEvent = ({ round }: { round: RoundDto }): void => {
        if (round.roundId === roundId && round.closesAtStudioMs !== null) done();
      };
      const timer = setTimeout(done, wait);
      this.#rounds.on('event', onEvent);
    });
  }

  /** Bets of a player, newest first. */
  /**
   * A page of the player's bets, newest first, from before the bet `before` (its betId); the next
   * page's cursor is the last bet's id, null at the end.
   */
  async historyPage(playerId: string, opts: { before?: string; limit: number }): Promise<BetHistoryPage> {
    const limit = Math.min(Math.max(opts.limit, 1), 100);
    const { rows } = await this.#db.query<
      BetRow & { payout: string | null; created_at: Date; settled_at: Date | null }
    >(
      `SELECT * FROM bets
        WHERE player_id = $1
          AND ($2::text IS NULL OR (created_at, id) < (SELECT created_at, id FROM bets WHERE id = $2 AND player_id = $1))
        ORDER BY created_at DESC, id DESC LIMIT $3`,
      [playerId, opts.before ?? null, limit],
    );
    const bets = rows.map((row) => ({
      ...toBetDto(row),
      payout: row.payout === null ? null : Number(row.payout),
      placedAtMs: row.created_at.getTime(),
      settledAtMs: row.settled_at ? row.settled_at.getTime() : null,
    }));
    return { bets, before: rows.length === limit ? (bets.at(-1)?.betId ?? null) : null };
  }

  async history(playerId: string, limit = 50): Promise<BetDto[]> {
    const { rows } = await this.#db.query<BetRow>(
      'SELECT * FROM bets WHERE player_id = $1 ORDER BY created_at DESC LIMIT $2',
      [playerId, Math.min(Math.max(limit, 1), 200)],
    );
    return rows.map(toBetDto);
  }

  async #existing(betId: string): Promise<BetRow | undefined> {
    const { rows } = await this.#db.query<BetRow>('SELECT * FROM bets WHERE id = $1', [betId]);
    return rows[0];
  }

  #replay(prior: BetRow, bodyHash: string): BetDto {
    if (prior.body_hash !== bodyHash) {
      throw new AppError('BET_IDEMPOTENCY_CONFLICT', 'this bet id was already used for another bet');
    }
    return toBetDto(prior);
  }

  #pump(): void {
    while (this.#inFlight.size < MAX_IN_FLIGHT && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, MAX_BATCH);
      const inFlight: Promise<void> = this.#commit(batch).then(
        (results) => {
          this.#inFlight.delete(inFlight);
          // The next batch goes to Postgres while this one's answers are written.
          this.#pump();
          const answering = this.#answer(batch, results).catch((err: unknown) => {
            this.#log.error({ err, size: batch.length }, 'answering a bet batch failed');
            for (const p of batch)
              p.reject(new AppError('SERVICE_UNAVAILABLE', 'bet not confirmed; retry with the same id'));
          });
          this.#answering.add(answering);
          void answering.finally(() => this.#answering.delete(answering));
        },
        (err: unknown) => {
          this.#inFlight.delete(inFlight);
          this.#log.error({ err, size: batch.length }, 'bet batch failed');
          if (process.env.DEBUG_BETS) console.error(err);
          // The outcome is unknown (e.g. the connection died at commit): the client retries with the
          // same id and gets the committed bet, or places it now.
          for (const p of batch)
            p.reject(new AppError('SERVICE_UNAVAILABLE', 'bet not confirmed; retry with the same id'));
          this.#pump();
        },
      );
      this.#inFlight.add(inFlight);
    }
  }

  /**
   * One statement, one round trip, one commit: `bets_place` (migration 0040) locks the rounds, judges
   * each bet against the window as it stands under that lock (a close may have landed since the bet
   * was checked here), locks the rounds' escrows and judges the per-player cap against the stakes
   * placed so far (by any node), applies the transfers of the others (each on its own; the transfer
   * is the bet's `bet:<id>` from its wallet to the round's escrow, whose body hash is computed here),
   * inserts the rows of those whose transfer committed, and returns the bet already there for a
   * replay. Set-based in Postgres: one INSERT per table per batch.
   */
  async #commit(batch: Pending[]): Promise<RawPlace[]> {
    const bets = JSON.stringify(
      batch.map(({ item }) => ({
        id: item.betId,
        round_id: item.round.roundId,
        table_id: item.round.tableId,
        player_id: item.playerId,
        spec: item.spec,
        stake: item.stake,
        currency: item.transfer.currency,
        body_hash: item.bodyHash,
        frame_studio_ms: item.frameStudioMs,
        received_at_ms: item.receivedAtMs,
        window_basis: item.windowBasis,
        allowance_ms: item.allowanceMs,
        max_player_stake: item.maxPlayerStake,
        transfer_id: item.transfer.id,
        wallet: item.transfer.from,
        escrow: item.transfer.to,
        transfer_hash: transferBodyHash(item.transfer),
      })),
    );
    const { rows } = await this.#db.query<{ r: RawPlace[] }>('SELECT bets_place($1::jsonb) AS r', [bets]);
    return rows[0]!.r;
  }

  /** Settles each bet's promise from its result, a slice per turn of the event loop. */
  async #answer(batch: Pending[], results: RawPlace[]): Promise<void> {
    for (const [i, p] of batch.entries()) {
      if (i > 0 && i % ANSWER_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const res = results[i]!;
      const { item } = p;
      if (res.status === 'committed') {
        p.resolve({
          betId: item.betId,
          clientBetId: item.clientBetId,
          roundId: item.round.roundId,
          tableId: item.round.tableId,
          bet: item.spec,
          stake: item.stake,
          currency: item.transfer.currency,
          status: 'placed',
          windowBasis: item.windowBasis,
          balance: res.fromBalance,
        });
      } else if (res.bet) {
        // A replay (two copies of one bet in flight together), or a window refusal of the retry of a
        // bet taken earlier: either answers as the bet already there, which came back with the batch.
        try {
          p.resolve(this.#replay(res.bet, item.bodyHash));
        } catch (err) {
          p.reject(err);
        }
      } else if (res.status === 'failed' && res.code === 'TABLE_BETTING_CLOSED') {
        p.reject(new AppError('TABLE_BETTING_CLOSED', refusalMessage(res.message)));
      } else if (res.status === 'failed') {
        p.reject(ledgerRefusal(res.code, res.message));
      } else p.reject(new AppError('SERVICE_UNAVAILABLE', 'bet not confirmed; retry with the same id'));
    }
  }

  /** Stops taking bets and waits for the batches already taken. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
    await Promise.all(this.#answering);
  }
}

interface RawPlace {
  status: 'committed' | 'replayed' | 'failed';
  code?: string;
  message?: string;
  fromBalance?: number;
  /** The bet already under this id, for a replay or a window refusal (bets_place, migration 0040). */
  bet?: BetRow;
}

interface BetRow {
  id: string;
  round_id: string;
  table_id: string;
  player_id: string;
  spec: GameBet;
  stake: number;
  currency: string;
  body_hash: string;
  window_basis: 'video' | 'server-clock';
  status: BetDto['status'];
  round_state?: string;
}

function withHash(t: TransferRequest): Record<string, unknown> {
  return { ...t, roundId: t.roundId ?? null, betId: t.betId ?? null, bodyHash: transferBodyHash(t) };
}

function toBetDto(row: BetRow): BetDto {
  return {
    betId: row.id,
    clientBetId: row.id.slice(row.id.indexOf(':') + 1),
    roundId: row.round_id,
    tableId: row.table_id,
    bet: row.spec,
    stake: row.stake,
    currency: row.currency.trim(),
    status: row.status,
    windowBasis: row.window_basis,
  };
}

function ledgerRefusal(code: string | undefined, message: string | undefined): AppError {
  switch (code) {
    case 'WALLET_INSUFFICIENT_FUNDS':
      return new AppError('WALLET_INSUFFICIENT_FUNDS', 'insufficient funds');
    case 'LEDGER_ACCOUNT_CLOSED':
      return new AppError('TABLE_BETTING_CLOSED', 'betting is closed');
    case 'LEDGER_ACCOUNT_NOT_FOUND':
      return new AppError('LEDGER_ACCOUNT_NOT_FOUND', 'no wallet for this player');
    case 'LEDGER_IDEMPOTENCY_CONFLICT':
      return new AppError('BET_IDEMPOTENCY_CONFLICT', 'this bet id was already used for another bet');
    case 'BET_TABLE_LIMIT':
      return new AppError('BET_TABLE_LIMIT', message ?? 'over the per-player cap of this round');
    default:
      return new AppError(isErrorCode(code) ? code : 'INTERNAL', message ?? 'bet refused');
  }
}
