import type pg from 'pg';
import type { Queryable } from '../LedgerTypes.js';
import { chainHash, GENESIS_HASH } from './RoundStates.js';

export interface RoundLogEntry {
  tableId: string;
  seq: number;
  roundId: string;
  event: string;
  entry: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/**
 * The append-only, hash-chained log of every round transition, per table. Appends happen inside the
 * transaction that makes the transition, under a per-table advisory lock, so the chain has no gaps
 * and no forks even if two nodes briefly both act for a table.
 */
export async function appendRoundLog(
  client: pg.ClientBase,
  tableId: string,
  roundId: string,
  event: string,
  data: Record<string, unknown>,
): Promise<RoundLogEntry> {
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`round_log:${tableId}`]);
  const { rows } = await client.query<{ seq: number; hash: string }>(
    'SELECT seq, hash FROM round_log WHERE table_id = $1 ORDER BY seq DESC LIMIT 1',
    [tableId],
  );
  const seq = (rows[0]?.seq ?? 0) + 1;
  const prevHash = rows[0]?.hash ?? GENESIS_HASH;
  const entry = { ...data, tableId, roundId, event, seq };
  const hash = chainHash(prevHash, entry);
  await client.query(
    'INSERT INTO round_log (table_id, seq, round_id, event, entry, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [tableId, seq, roundId, event, JSON.stringify(entry), prevHash, hash],
  );
  return { tableId, seq, roundId, event, entry, prevHash, hash };
}

export interface ChainReport {
  tables: number;
  entries: number;
  problems: string[];
}

/** Recomputes every table's chain from its first entry: a changed, missing or reordered entry shows. */
export async function verifyRoundLog(db: Queryable): Promise<ChainReport> {
  const { rows } = await db.query<{
    table_id: string;
    seq: number;
    entry: Record<string, unknown>;
    prev_hash: string;
    hash: string;
  }>('SELECT table_id, seq, entry, prev_hash, hash FROM round_log ORDER BY table_id, seq');
  const problems: string[] = [];
  let table: string | undefined;
  let expectedSeq = 1;
  let prev = GENESIS_HASH;
  const tables = new Set<string>();
  for (const row of rows) {
    if (row.table_id !== table) {
      table = row.table_id;
      tables.add(table);
      expectedSeq = 1;
      prev = GENESIS_HASH;
    }
    const where = `round_log ${row.table_id}#${row.seq}`;
    if (row.seq !== expectedSeq) problems.push(`${where}: expected seq ${expectedSeq} (an entry is missing)`);
    if (row.prev_hash !== prev) problems.push(`${where}: prev_hash does not match the previous entry`);
    const recomputed = chainHash(row.prev_hash, row.entry);
    if (recomputed !== row.hash) problems.push(`${where}: hash does not match its entry (changed after the fact)`);
    if (row.entry.seq !== row.seq || row.entry.tableId !== row.table_id)
      problems.push(`${where}: entry names another place`);
    prev = row.hash;
    expectedSeq = row.seq + 1;
  }
  return { tables: tables.size, entries: rows.length, problems };
}
