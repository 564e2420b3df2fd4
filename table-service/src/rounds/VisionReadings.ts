import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  AppError,
  type GameKind,
  type VisionReading,
  type VisionReadingBody,
  visionReadingProblem,
} from '@live-casino/protocol';
import type { Logger } from 'pino';
import type { Database } from '../db/Database.js';
import { canonicalJson } from './RoundStates.js';
import type { WindowPolicy } from './BettingWindow.js';
import type { Rounds } from './Rounds.js';
import type { RoundDto } from './RoundTypes.js';

/** attributed: checked against a round; ignored: no round waiting for it; replayed: seen before. */
export type ReadingOutcome = 'attributed' | 'ignored' | 'replayed';

export type VisionReadingsEvents = { reading: [{ tableId: string; outcome: ReadingOutcome }] };

interface ReadingRow {
  id: string;
  table_id: string;
  round_id: string | null;
  studio_ms: number;
  received_at_ms: number;
  confidence: number;
  result: unknown;
  body_hash: string;
}

function toReading(row: ReadingRow): VisionReading {
  return {
    readingId: row.id,
    tableId: row.table_id,
    roundId: row.round_id,
    studioMs: row.studio_ms,
    receivedAtMs: row.received_at_ms,
    confidence: row.confidence,
    result: row.result,
  };
}

export interface IngestedReading {
  reading: VisionReading;
  replayed: boolean;
  /** The round it was attributed to, after the cross-check; null when ignored. */
  round: RoundDto | null;
}

/**
 * Readings of the vision worker. Each is stored (whatever it says, for the audit of what vision
 * saw) and attributed to the table's round whose betting had closed by the reading's frame and
 * which waits for its result (BETTING_CLOSED or RESULT_PENDING): an older frame, or the previous
 * round's ball or cards still on the table, match no such round and are only stored. An attributed
 * reading is then cross-checked with the dealer's result (Rounds.crossCheck). State is all in
 * Postgres, so any node takes readings for any table.
 */
export class VisionReadings extends EventEmitter<VisionReadingsEvents> {
  readonly #db: Database;
  readonly #rounds: Rounds;
  readonly #log: Logger;

  constructor(opts: { db: Database; rounds: Rounds; log: Logger }) {
    super();
    this.#db = opts.db;
    this.#rounds = opts.rounds;
    this.#log = opts.log.child({ component: 'vision-readings' });
  }

  async ingest(
    table: { tableId: string; game: GameKind; window: WindowPolicy },
    body: VisionReadingBody,
    receivedAtMs = Date.now(),
  ): Promise<IngestedReading> {
    const isRoulette = 'pocket' in body.result;
    if (isRoulette !== (table.game === 'roulette')) {
      throw new AppError(
        'RESULT_INVALID',
        `a ${table.game} table reads ${table.game === 'roulette' ? '{ pocket }' : '{ cards, positions }'}`,
      );
    }
    const problem = visionReadingProblem(body);
    if (problem) throw new AppError('RESULT_INVALID', problem);
    const bodyHash = createHash('sha256')
      .update(
        canonicalJson({
          v: 1,
          tableId: table.tableId,
          studioMs: body.studioMs,
          confidence: body.confidence,
          result: body.result,
        }),
      )
      .digest('hex');

    const prior = await this.#find(body.readingId);
    if (prior) return this.#replay(prior, bodyHash);

    const { rows } = await this.#db.query<ReadingRow>(
      `INSERT INTO vision_readings (id, table_id, round_id, studio_ms, received_at_ms, confidence, result, body_hash)
       SELECT $1, $2,
              (SELECT id FROM rounds
                WHERE table_id = $2 AND state IN ('BETTING_CLOSED', 'RESULT_PENDING') AND closes_at_studio_ms <= $3),
              $3, $4, $5, $6, $7
       ON CONFLICT (id) DO NOTHING
       RETURNING *`,
      [body.readingId, table.tableId, body.studioMs, receivedAtMs, body.confidence, body.result, bodyHash],
    );
    if (!rows[0]) {
      // The same id inserted meanwhile by a concurrent retry: answer as it was answered.
      const raced = await this.#find(body.readingId);
      if (!raced) throw new AppError('SERVICE_UNAVAILABLE', 'reading not stored; retry with the same id');
      return this.#replay(raced, bodyHash);
    }
    const reading = toReading(rows[0]);
    this.emit('reading', { tableId: table.tableId, outcome: reading.roundId ? 'attributed' : 'ignored' });
    this.#log.debug({ tableId: table.tableId, readingId: reading.readingId, roundId: reading.roundId }, 'reading');
    if (reading.roundId && 'cards' in body.result && body.result.cards.length > 0) {
      // A card seen face up shows the outcome: no late bet may outlive it (BettingWindow, rule 3).
      await this.#rounds.reveal(reading.roundId, body.studioMs, 'vision', table);
    }
    const round = reading.roundId ? await this.#rounds.crossCheck(reading.roundId) : null;
    return { reading, replayed: false, round };
  }

  /** A round's readings in studio time order. */
  async ofRound(roundId: string): Promise<VisionReading[]> {
    const { rows } = await this.#db.query<ReadingRow>(
      'SELECT * FROM vision_readings WHERE round_id = $1 ORDER BY studio_ms, received_at_ms, id',
      [roundId],
    );
    return rows.map(toReading);
  }

  async #find(readingId: string): Promise<ReadingRow | undefined> {
    const { rows } = await this.#db.query<ReadingRow>('SELECT * FROM vision_readings WHERE id = $1', [readingId]);
    return rows[0];
  }

  /**
   * A retry of a stored reading answers as the first time and checks its round again (a node that
   * died between storing and checking leaves the check to the retry, or to the owner's timer).
   */
  async #replay(prior: ReadingRow, bodyHash: string): Promise<IngestedReading> {
    if (prior.body_hash !== bodyHash) {
      throw new AppError('READING_IDEMPOTENCY_CONFLICT', `reading ${prior.id} was sent before with another body`);
    }
    this.emit('reading', { tableId: prior.table_id, outcome: 'replayed' });
    const round = prior.round_id ? await this.#rounds.crossCheck(prior.round_id) : null;
    return { reading: toReading(prior), replayed: true, round };
  }
}
