import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { type Alert, AppError, type RoundEventName, type RoundResult } from '@live-casino/protocol';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Database } from '../db/Database.js';
import { Ledger } from '../Ledger.js';
import type { TransferRequest } from '../LedgerTypes.js';
import { insertAlert, resolveRoundAlerts } from './Alerts.js';
import { appliedClose, lastAcceptanceMs, revealAtClose, type WindowRefusal } from './BettingWindow.js';
import { type CheckedReading, type CrossCheckPolicy, judgeResult } from './crossCheck.js';
import { rulesOf } from './GameRules.js';
import { appendRoundLog } from './RoundLog.js';
import type { RoundState } from './RoundStates.js';
import { type RoundDto, type RoundEvent, type RoundRow, type TableRules, toRoundDto } from './RoundTypes.js';

/** A bet the close or the reveal found late, refunded in that same transaction. */
export interface RefundedBet {
  betId: string;
  playerId: string;
  roundId: string;
  tableId: string;
  stake: number;
  currency: string;
  reason: WindowRefusal;
}

/**
 * Round events (after commit, with their round-log seq), alerts raised or resolved, and bets
 * refunded as late (after commit, so that their players are told at once).
 */
export type RoundsEvents = {
  event: [RoundEvent];
  alert: [Alert];
  betsRefunded: [{ tableId: string; roundId: string; bets: RefundedBet[] }];
};

export interface RoundsOptions {
  /** The vision cross-check of vision-checked tables. */
  vision?: Partial<CrossCheckPolicy>;
}

export const DEFAULT_VISION_POLICY: CrossCheckPolicy = { minConfidence: 0.9, timeoutMs: 4000 };

interface ReadingRow {
  id: string;
  studio_ms: number;
  received_at_ms: number;
  confidence: number;
  result: CheckedReading['result'];
}

/** One transition's outcome inside its transaction, emitted after commit. */
interface Moved {
  dto: RoundDto;
  seq: number;
  event: RoundEventName;
}

interface BetRow {
  id: string;
  player_id: string;
  spec: unknown;
  stake: number;
}

export function escrowAccountId(roundId: string): string {
  return `escrow:${roundId}`;
}

export function walletAccountId(playerId: string): string {
  return `wallet:${playerId}`;
}

/**
 * The round authority. Every transition is one transaction: a conditional UPDATE (`WHERE state =
 * <from>`), its money (settlement, refunds), and its round-log entry, so a crash at any point leaves
 * either all of it or none, and running the step again finishes it exactly once. Events go out
 * after commit.
 */
export class Rounds extends EventEmitter<RoundsEvents> {
  readonly #db: Database;
  readonly #ledger: Ledger;
  readonly #log: Logger;
  readonly vision: CrossCheckPolicy;

  constructor(db: Database, ledger: Ledger, log: Logger, opts: RoundsOptions = {}) {
    super();
    this.#db = db;
    this.#ledger = ledger;
    this.#log = log.child({ component: 'rounds' });
    this.vision = { ...DEFAULT_VISION_POLICY, ...opts.vision };
  }

  async get(roundId: string, client?: pg.ClientBase): Promise<RoundDto> {
    const db = client ?? this.#db.pool;
    const { rows } = await db.query<RoundRow>('SELECT * FROM rounds WHERE id = $1', [roundId]);
    if (!rows[0]) throw new AppError('ROUND_NOT_FOUND', `no round ${roundId}`);
    return toRoundDto(rows[0]);
  }

  /** The table's round in play, if any. */
  async current(tableId: string): Promise<RoundDto | undefined> {
    const { rows } = await this.#db.query<RoundRow>(
      "SELECT * FROM rounds WHERE table_id = $1 AND state NOT IN ('SETTLED', 'VOIDED')",
      [tableId],
    );
    return rows[0] ? toRoundDto(rows[0]) : undefined;
  }

  /** Every table's round in play (the lobby), one query on the one-live-round-per-table index. */
  async inPlay(): Promise<RoundDto[]> {
    const { rows } = await this.#db.query<RoundRow>("SELECT * FROM rounds WHERE state NOT IN ('SETTLED', 'VOIDED')");
    return rows.map(toRoundDto);
  }

  /** The table's settled rounds with their results, newest first. */
  async recentResults(
    tableId: string,
    limit: number,
  ): Promise<{ roundId: string; number: number; result: RoundResult; resultStudioMs: number | null }[]> {
    const { rows } = await this.#db.query<RoundRow>(
      "SELECT * FROM rounds WHERE table_id = $1 AND state = 'SETTLED' AND result IS NOT NULL ORDER BY number DESC LIMIT $2",
      [tableId, Math.min(Math.max(limit, 1), 500)],
    );
    return rows.flatMap((row) => {
      const round = toRoundDto(row);
      return round.result
        ? [{ roundId: round.roundId, number: round.number, result: round.result, resultStudioMs: round.resultStudioMs }]
        : [];
    });
  }

  /** Rounds that stopped half-way (a crash, a dead owner): settle or void them on take-over. */
  async unfinished(tableId: string): Promise<RoundDto[]> {
    const { rows } = await this.#db.query<RoundRow>(
      "SELECT * FROM rounds WHERE table_id = $1 AND state NOT IN ('SETTLED', 'VOIDED') ORDER BY number",
      [tableId],
    );
    return rows.map(toRoundDto);
  }

  /**
   * Finishes what a crashed or dead owner left half-way, exactly once: a confirmed result is
   * settled (after its late-bet deadline); a vision-checked result is checked again (a held one
   * stays held for the pit boss, one still in its time for a reading waits for the new owner's
   * timer); any other unfinished round is voided and refunded, since nobody is left to run it.
   * Safe to run any number of times, on any node.
   */
  async recover(tableId: string, nowMs = Date.now()): Promise<RoundDto[]> {
    const done: RoundDto[] = [];
    for (const round of await this.unfinished(tableId)) {
      if (round.state === 'RESULT_CONFIRMED') {
        const wait = (round.lastAcceptanceMs ?? 0) - nowMs;
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        done.push(await this.settle(round.roundId));
      } else if (round.state === 'RESULT_PENDING' && round.visionCheck) {
        if (round.hold) continue;
        const checked = await this.crossCheck(round.roundId, nowMs);
        if (checked.state !== round.state || checked.hold) done.push(checked);
      } else {
        done.push(await this.void(round.roundId, 'recovered after the table owner stopped', 'system'));
      }
    }
    if (done.length > 0) this.#log.warn({ tableId, rounds: done.map((r) => [r.roundId, r.state]) }, 'recovered rounds');
    return done;
  }

  /** Opens betting on a new round, at the studio time of the frame where the dealer opened it. */
  async openBetting(table: TableRules, opensAtStudioMs: number): Promise<RoundDto> {
    const roundId = `r_${randomUUID()}`;
    const { dto, entry } = await this.#db.transaction(async (client) => {
      let inserted: RoundRow | undefined;
      try {
        ({
          rows: [inserted],
        } = await client.query<RoundRow>(
          `INSERT INTO rounds (id, table_id, number, game, currency, state, opens_at_studio_ms, vision_check,
                              reveal_after_close_ms, min_viewer_delay_ms)
           VALUES ($1, $2, (SELECT coalesce(max(number), 0) + 1 FROM rounds WHERE table_id = $2), $3, $4, 'BETTING_OPEN',
                   $5, $6, $7, $8)
           RETURNING *`,
          [
            roundId,
            table.tableId,
            table.game,
            table.currency,
            opensAtStudioMs,
            table.visionCheck ?? false,
            table.window.revealAfterCloseMs,
            table.window.minViewerDelayMs,
          ],
        ));
      } catch (err) {
        if ((err as { code?: string }).code === '23505') {
          throw new AppError('TABLE_BUSY', `table ${table.tableId} already has a round in play`);
        }
        throw err;
      }
      await this.#ledger.openAccount(
        { id: escrowAccountId(roundId), kind: 'round_escrow', owner: roundId, currency: table.currency },
        client,
      );
      await this.#ledger.openSystemAccounts(table.currency, client);
      const dto = toRoundDto(inserted!);
      const entry = await appendRoundLog(client, table.tableId, roundId, 'BETTING_OPEN', {
        number: dto.number,
        game: dto.game,
        opensAtStudioMs,
        ...(dto.visionCheck ? { visionCheck: true } : {}),
      });
      return { dto, entry };
    });
    this.#emit(entry.seq, 'BETTING_OPEN', dto);
    return dto;
  }

  /**
   * Closes betting at the studio time of the frame where the dealer closed it. Bets taken while the
   * close was on its way are judged again against it, in this transaction, and those late are
   * refunded. A close that took longer than the policy's `closeMaxLagMs` to arrive is moved to
   * (now − that lag), measured once the round's row is locked: cancels wait that long before they
   * commit, so none can stand after the close.
   */
  async closeBetting(roundId: string, closesAtStudioMs: number, table: TableRules): Promise<RoundDto> {
    let refunded: RefundedBet[] = [];
    const dto = await this.#transition(roundId, 'BETTING_OPEN', 'BETTING_CLOSED', async (client, row) => {
      if (closesAtStudioMs <= row.opens_at_studio_ms) {
        throw new AppError('BAD_REQUEST', 'betting cannot close before it opened');
      }
      const close = appliedClose(closesAtStudioMs, Date.now(), table.window);
      const reveal = revealAtClose(close, row.reveals_at_studio_ms ?? undefined, table.window);
      await client.query(
        `UPDATE rounds SET closes_at_studio_ms = $2, reveals_at_studio_ms = $3, last_acceptance_ms = $4
          WHERE id = $1`,
        [roundId, close, reveal, lastAcceptanceMs(close, reveal, table.window)],
      );
      refunded = await this.#refundLate(client, row, close, reveal);
      if (close !== closesAtStudioMs) {
        this.#log.warn(
          { tableId: row.table_id, roundId, requested: closesAtStudioMs, applied: close },
          'the close arrived later than closeMaxLagMs after its frame: moved',
        );
      }
      return {
        closesAtStudioMs: close,
        revealsAtStudioMs: reveal,
        ...(close !== closesAtStudioMs ? { requestedClosesAtStudioMs: closesAtStudioMs } : {}),
        ...(refunded.length > 0 ? { lateRefunds: refunded.length } : {}),
      };
    });
    this.#emitRefunds(dto, refunded);
    return dto;
  }

  /**
   * The first event that shows anything of the outcome happened at `studioMs` (the first card out of
   * the shoe), reported by the dealer, the simulator or vision. Only an earlier reveal than the one
   * known moves anything: the window's cap comes forward, and bets taken that arrived after the new
   * cap are refunded, in one transaction with a REVEALED entry of the round log.
   */
  async reveal(
    roundId: string,
    studioMs: number,
    source: string,
    table: Pick<TableRules, 'window'>,
  ): Promise<RoundDto> {
    let refunded: RefundedBet[] = [];
    const { dto, moved } = await this.#db.transaction(async (client): Promise<{ dto: RoundDto; moved?: Moved }> => {
      const row = await this.#lock(client, roundId);
      const unchanged = { dto: toRoundDto(row) };
      if (row.state === 'SETTLED' || row.state === 'VOIDED') return unchanged;
      if (studioMs < row.opens_at_studio_ms)
        throw new AppError('BAD_REQUEST', 'the outcome cannot show before betting opened');
      if (row.reveals_at_studio_ms !== null && row.reveals_at_studio_ms <= studioMs) return unchanged;
      const close = row.closes_at_studio_ms;
      const { rows } = await client.query<RoundRow>(
        `UPDATE rounds SET reveals_at_studio_ms = $2, last_acceptance_ms = $3, updated_at = now() WHERE id = $1 RETURNING *`,
        [roundId, studioMs, close === null ? null : lastAcceptanceMs(close, studioMs, table.window)],
      );
      refunded = await this.#refundLate(client, row, close ?? undefined, studioMs);
      const entry = await appendRoundLog(client, row.table_id, roundId, 'REVEALED', {
        studioMs,
        source,
        ...(refunded.length > 0 ? { lateRefunds: refunded.length } : {}),
      });
      const dto = toRoundDto(rows[0]!);
      return { dto, moved: { dto, seq: entry.seq, event: 'REVEALED' } };
    });
    if (moved) this.#emit(moved.seq, moved.event, moved.dto);
    this.#emitRefunds(dto, refunded);
    return dto;
  }

  /**
   * Judges the round's placed bets again against the window as it now stands (the SQL twin of
   * `windowRefusal`) and refunds the late ones, escrow → player, each once (`late:<bet id>`).
   */
  async #refundLate(
    client: pg.PoolClient,
    row: RoundRow,
    close: number | undefined,
    reveal: number | undefined,
  ): Promise<RefundedBet[]> {
    const { rows: late } = await client.query<{ id: string; player_id: string; stake: number; reason: WindowRefusal }>(
      `SELECT id, player_id, stake, reason FROM (
         SELECT id, player_id, stake,
                bet_window_refusal(frame_studio_ms, received_at_ms, allowance_ms, $2, $3, $4) AS reason
           FROM bets WHERE round_id = $1 AND status = 'placed') b
        WHERE reason IS NOT NULL ORDER BY id`,
      [row.id, close ?? null, reveal ?? null, row.min_viewer_delay_ms],
    );
    if (late.length === 0) return [];
    const currency = row.currency.trim();
    await this.#ledger.transferAll(
      late.map((bet) => ({
        id: `late:${bet.id}`,
        from: escrowAccountId(row.id),
        to: walletAccountId(bet.player_id),
        amount: bet.stake,
        currency,
        kind: 'late_refund',
        roundId: row.id,
        betId: bet.id,
      })),
      client,
    );
    await client.query(
      `UPDATE bets b SET status = 'refunded', refund_reason = l.reason, payout = b.stake, settled_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS l(id text, reason text)
        WHERE b.id = l.id AND b.status = 'placed'`,
      [JSON.stringify(late.map((b) => ({ id: b.id, reason: b.reason })))],
    );
    return late.map((bet) => ({
      betId: bet.id,
      playerId: bet.player_id,
      roundId: row.id,
      tableId: row.table_id,
      stake: bet.stake,
      currency,
      reason: bet.reason,
    }));
  }

  #emitRefunds(round: RoundDto, bets: RefundedBet[]): void {
    if (bets.length === 0) return;
    this.#log.warn({ tableId: round.tableId, roundId: round.roundId, bets: bets.length }, 'late bets refunded');
    this.emit('betsRefunded', { tableId: round.tableId, roundId: round.roundId, bets });
  }

  /**
   * The result as read by the dealer (or vision), with the studio time of the frame where it
   * happened when known: the round waits for it to be confirmed. On a vision-checked table the
   * readings already in are checked against it at once (see `crossCheck`).
   */
  async submitResult(
    roundId: string,
    input: unknown,
    source: 'dealer' | 'vision',
    studioMs: number | null = null,
    nowMs = Date.now(),
  ): Promise<RoundDto> {
    const round = await this.get(roundId);
    const result = rulesOf(round.game).parseResult(input);
    const pending = await this.#transition(roundId, 'BETTING_CLOSED', 'RESULT_PENDING', async (client) => {
      await client.query(
        'UPDATE rounds SET result = $2, result_source = $3, result_studio_ms = $4, result_at_ms = $5 WHERE id = $1',
        [roundId, JSON.stringify(result), source, studioMs, nowMs],
      );
      return { result, source, ...(studioMs !== null ? { studioMs } : {}) };
    });
    return pending.visionCheck ? this.crossCheck(roundId) : pending;
  }

  /** A dealer or pit boss confirms the pending result; a vision-checked round is confirmed by vision only. */
  async confirmResult(roundId: string, by: string): Promise<RoundDto> {
    return this.#transition(roundId, 'RESULT_PENDING', 'RESULT_CONFIRMED', async (client, row) => {
      if (row.vision_check && row.hold_reason !== null) {
        throw new AppError('ROUND_HELD', `round is held (${row.hold_reason}): the pit boss resolves or voids it`);
      }
      if (row.vision_check) {
        throw new AppError('ROUND_AWAITING_VISION', 'a vision-checked result is confirmed by an agreeing reading');
      }
      await client.query('UPDATE rounds SET confirmed_by = $2 WHERE id = $1', [roundId, by]);
      return { by };
    });
  }

  /**
   * Checks a vision-checked round's pending result against its readings (see `judgeResult`) and
   * acts on the verdict in one transaction under the round's row lock: confirm (by vision, with the
   * reading id in the log), hold (the hold on the row, an alert, a RESULT_HELD log entry), or
   * nothing yet. Runs when the dealer's result comes, when a reading comes, and on the table
   * owner's timer; whichever runs last sees everything the others committed. Anything else (not
   * pending, not checked, already held) is left alone.
   */
  async crossCheck(roundId: string, nowMs = Date.now()): Promise<RoundDto> {
    const { dto, moved, alert } = await this.#db.transaction(
      async (client): Promise<{ dto: RoundDto; moved?: Moved; alert?: Alert }> => {
        const row = await this.#lock(client, roundId);
        if (row.state !== 'RESULT_PENDING' || !row.vision_check || row.hold_reason !== null) {
          return { dto: toRoundDto(row) };
        }
        const { rows } = await client.query<ReadingRow>(
          'SELECT id, studio_ms, received_at_ms, confidence, result FROM vision_readings WHERE round_id = $1',
          [roundId],
        );
        const readings: CheckedReading[] = rows.map((r) => ({
          readingId: r.id,
          studioMs: r.studio_ms,
          receivedAtMs: r.received_at_ms,
          confidence: r.confidence,
          result: r.result,
        }));
        const verdict = judgeResult(row.game, row.result, readings, this.vision, {
          resultAtMs: row.result_at_ms ?? 0,
          nowMs,
        });
        switch (verdict.kind) {
          case 'wait':
            return { dto: toRoundDto(row) };
          case 'confirm': {
            await client.query("UPDATE rounds SET confirmed_by = 'vision', confirmed_reading_id = $2 WHERE id = $1", [
              roundId,
              verdict.readingId,
            ]);
            const moved = await this.#move(client, row, 'RESULT_CONFIRMED', {
              by: 'vision',
              readingId: verdict.readingId,
            });
            return { dto: moved.dto, moved };
          }
          case 'hold': {
            const reading = readings.find((r) => r.readingId === verdict.readingId);
            const alert = await insertAlert(client, {
              tableId: row.table_id,
              roundId,
              kind: 'round_held',
              message: `round ${row.number} at ${row.table_id} held: ${verdict.message}`,
              details: {
                reason: verdict.reason,
                dealerResult: row.result,
                resultSource: row.result_source,
                reading: reading ?? null,
                readings: readings.length,
              },
            });
            const { rows: held } = await client.query<RoundRow>(
              `UPDATE rounds SET hold_reason = $2, hold_alert_id = $3, held_at_ms = $4, updated_at = now()
                WHERE id = $1 RETURNING *`,
              [roundId, verdict.reason, alert.alertId, nowMs],
            );
            const entry = await appendRoundLog(client, row.table_id, roundId, 'RESULT_HELD', {
              reason: verdict.reason,
              alertId: alert.alertId,
              readingId: verdict.readingId,
            });
            const dto = toRoundDto(held[0]!);
            return { dto, moved: { dto, seq: entry.seq, event: 'RESULT_HELD' }, alert };
          }
          default: {
            const unknown: never = verdict;
            throw new Error(`unknown verdict ${JSON.stringify(unknown)}`);
          }
        }
      },
    );
    if (moved) {
      this.#log.info({ tableId: dto.tableId, roundId, event: moved.event, hold: dto.hold }, 'vision cross-check');
      this.#emit(moved.seq, moved.event, moved.dto);
    }
    if (alert) {
      this.#log.warn({ tableId: dto.tableId, roundId, alertId: alert.alertId }, alert.message);
      this.emit('alert', alert);
    }
    return dto;
  }

  /**
   * The pit boss decides a pending result (a held one, typically): `input` becomes the result, from
   * source 'pitboss', confirmed at once; the round's open alerts are resolved with it.
   */
  async resolve(roundId: string, input: unknown, by: string): Promise<RoundDto> {
    const round = await this.get(roundId);
    const result = rulesOf(round.game).parseResult(input);
    let resolved: Alert[] = [];
    const dto = await this.#transition(roundId, 'RESULT_PENDING', 'RESULT_CONFIRMED', async (client, row) => {
      await client.query(
        "UPDATE rounds SET result = $2, result_source = 'pitboss', confirmed_by = $3, confirmed_reading_id = NULL WHERE id = $1",
        [roundId, JSON.stringify(result), by],
      );
      resolved = await resolveRoundAlerts(client, roundId, by, 'resolved');
      return {
        by,
        source: 'pitboss',
        result,
        previousResult: row.result,
        alertIds: resolved.map((a) => a.alertId),
      };
    });
    for (const alert of resolved) this.emit('alert', alert);
    return dto;
  }

  /**
   * Pays the round: escrow → player (stake) and house → player (winnings) for wins, escrow →
   * player for pushes, escrow → house for losses; every transfer id derives from its bet, and the
   * round becomes SETTLED in the same transaction, so it happens exactly once. Late bets are taken
   * until `lastAcceptanceMs`; settling first closes the escrow, which no bet can enter afterwards.
   */
  async settle(roundId: string, nowMs = Date.now()): Promise<RoundDto> {
    const before = await this.get(roundId);
    if (before.state === 'SETTLED') return before;
    if (before.lastAcceptanceMs !== null && nowMs < before.lastAcceptanceMs) {
      throw new AppError('ROUND_WRONG_STATE', `late bets are accepted until ${before.lastAcceptanceMs}; settle after`);
    }
    const rules = rulesOf(before.game);
    return this.#transition(roundId, 'RESULT_CONFIRMED', 'SETTLED', (client, row) =>
      this.#settleMoney(client, roundId, row, rules),
    ).catch(async (err: unknown) => {
      // Settled meanwhile by someone else (the owner's auto-settle, a dealer): the same answer.
      if (err instanceof AppError && err.code === 'ROUND_WRONG_STATE') {
        const now = await this.get(roundId);
        if (now.state === 'SETTLED') return now;
      }
      throw err;
    });
  }

  /** The money of a settlement, inside the transition's transaction. */
  async #settleMoney(
    client: pg.PoolClient,
    roundId: string,
    row: RoundRow,
    rules: ReturnType<typeof rulesOf>,
  ): Promise<Record<string, unknown>> {
    {
      await this.#ledger.closeAccount(escrowAccountId(roundId), client);
      const { rows: bets } = await client.query<BetRow>(
        "SELECT id, player_id, spec, stake FROM bets WHERE round_id = $1 AND status = 'placed' ORDER BY id",
        [roundId],
      );
      const currency = row.currency.trim();
      const escrow = escrowAccountId(roundId);
      const house = Ledger.houseAccountId(currency);
      const transfers: TransferRequest[] = [];
      const outcomes: { id: string; status: string; payout: number }[] = [];
      let paid = 0;
      for (const bet of bets) {
        const { outcome, payout } = rules.settle(bet.spec, bet.stake, row.result);
        const wallet = walletAccountId(bet.player_id);
        const common = { currency, roundId, betId: bet.id };
        if (outcome === 'lose') {
          transfers.push({
            ...common,
            id: `settle:loss:${bet.id}`,
            from: escrow,
            to: house,
            amount: bet.stake,
            kind: 'loss',
          });
        } else {
          transfers.push({
            ...common,
            id: `settle:stake:${bet.id}`,
            from: escrow,
            to: wallet,
            amount: bet.stake,
            kind: 'payout',
          });
          if (payout > bet.stake) {
            transfers.push({
              ...common,
              id: `settle:win:${bet.id}`,
              from: house,
              to: wallet,
              amount: payout - bet.stake,
              kind: 'payout',
            });
          }
        }
        paid += payout;
        outcomes.push({ id: bet.id, status: outcome === 'win' ? 'won' : outcome === 'lose' ? 'lost' : 'push', payout });
      }
      if (transfers.length > 0) await this.#ledger.transferAll(transfers, client);
      if (outcomes.length > 0) {
        await client.query(
          `UPDATE bets b SET status = o.status, payout = o.payout, settled_at = now()
             FROM jsonb_to_recordset($1::jsonb) AS o(id text, status text, payout bigint)
            WHERE b.id = o.id AND b.status = 'placed'`,
          [JSON.stringify(outcomes)],
        );
      }
      return { bets: bets.length, paid, staked: bets.reduce((n, b) => n + b.stake, 0) };
    }
  }

  /** Voids a round that is not settled: every bet goes back to its player, once; its alerts are resolved. */
  async void(roundId: string, reason: string, by = 'system'): Promise<RoundDto> {
    const round = await this.get(roundId);
    if (round.state === 'VOIDED') return round;
    if (round.state === 'SETTLED') throw new AppError('ROUND_WRONG_STATE', 'a settled round cannot be voided');
    let resolved: Alert[] = [];
    const dto = await this.#transition(roundId, round.state, 'VOIDED', async (client, row) => {
      await this.#ledger.closeAccount(escrowAccountId(roundId), client);
      await client.query('UPDATE rounds SET void_reason = $2 WHERE id = $1', [roundId, reason.slice(0, 500)]);
      const { rows: bets } = await client.query<BetRow>(
        "SELECT id, player_id, spec, stake FROM bets WHERE round_id = $1 AND status = 'placed' ORDER BY id",
        [roundId],
      );
      const currency = row.currency.trim();
      const refunds: TransferRequest[] = bets.map((bet) => ({
        id: `void:${bet.id}`,
        from: escrowAccountId(roundId),
        to: walletAccountId(bet.player_id),
        amount: bet.stake,
        currency,
        kind: 'void_refund',
        roundId,
        betId: bet.id,
      }));
      if (refunds.length > 0) await this.#ledger.transferAll(refunds, client);
      await client.query(
        `UPDATE bets SET status = 'refunded', refund_reason = 'void', payout = stake, settled_at = now()
          WHERE round_id = $1 AND status = 'placed'`,
        [roundId],
      );
      resolved = await resolveRoundAlerts(client, roundId, by, 'voided');
      return { reason, refunded: bets.length, by };
    });
    for (const alert of resolved) this.emit('alert', alert);
    return dto;
  }

  /**
   * One transition: lock the row, check the state, apply `effects` and the state change, log it.
   * Any other state (another node moved it, a retry after a crash) is refused with
   * ROUND_WRONG_STATE and nothing is written.
   */
  async #transition(
    roundId: string,
    from: RoundState,
    to: Exclude<RoundState, 'IDLE'>,
    effects: (client: pg.PoolClient, row: RoundRow) => Promise<Record<string, unknown>>,
  ): Promise<RoundDto> {
    const { dto, seq } = await this.#db.transaction(async (client) => {
      const row = await this.#lock(client, roundId);
      if (row.state !== from) throw new AppError('ROUND_WRONG_STATE', `round is ${row.state}, not ${from}`);
      const details = await effects(client, row);
      return this.#move(client, row, to, details);
    });
    this.#log.info({ tableId: dto.tableId, roundId, from, to }, 'round transition');
    this.#emit(seq, to, dto);
    return dto;
  }

  async #lock(client: pg.PoolClient, roundId: string): Promise<RoundRow> {
    // NO KEY UPDATE: bets' foreign keys (KEY SHARE) never wait on a transition; bet batches, which
    // lock the round FOR SHARE first, do, and that is the point.
    const { rows } = await client.query<RoundRow>('SELECT * FROM rounds WHERE id = $1 FOR NO KEY UPDATE', [roundId]);
    if (!rows[0]) throw new AppError('ROUND_NOT_FOUND', `no round ${roundId}`);
    return rows[0];
  }

  /** The state change of a locked row and its log entry, inside the caller's transaction. */
  async #move(
    client: pg.PoolClient,
    row: RoundRow,
    to: Exclude<RoundState, 'IDLE'>,
    details: Record<string, unknown>,
  ): Promise<Moved> {
    const from = row.state;
    const { rows: updated } = await client.query<RoundRow>(
      'UPDATE rounds SET state = $3, updated_at = now() WHERE id = $1 AND state = $2 RETURNING *',
      [row.id, from, to],
    );
    if (!updated[0]) throw new AppError('ROUND_WRONG_STATE', `round left ${from} meanwhile`);
    const entry = await appendRoundLog(client, row.table_id, row.id, to, { from, ...details });
    return { dto: toRoundDto(updated[0]), seq: entry.seq, event: to };
  }

  #emit(seq: number, event: RoundEventName, round: RoundDto): void {
    this.emit('event', { tableId: round.tableId, seq, event, round });
  }
}
