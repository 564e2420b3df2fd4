import { randomUUID } from 'node:crypto';
import type { Alert } from '@live-casino/protocol';
import type { Queryable } from '../LedgerTypes.js';

interface AlertRow {
  id: string;
  table_id: string;
  round_id: string | null;
  kind: string;
  message: string;
  details: unknown;
  created_at: Date;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution: string | null;
}

export type AlertResolution = 'resolved' | 'voided';

function toAlert(row: AlertRow): Alert {
  return {
    alertId: row.id,
    tableId: row.table_id,
    roundId: row.round_id,
    kind: row.kind,
    message: row.message,
    details: row.details,
    createdAtMs: row.created_at.getTime(),
    resolvedAtMs: row.resolved_at ? row.resolved_at.getTime() : null,
    resolvedBy: row.resolved_by,
    resolution: row.resolution,
  };
}

/** Writes an alert inside the caller's transaction (the one that holds the round). */
export async function insertAlert(
  client: Queryable,
  alert: { tableId: string; roundId: string | null; kind: string; message: string; details: Record<string, unknown> },
): Promise<Alert> {
  const { rows } = await client.query<AlertRow>(
    `INSERT INTO alerts (id, table_id, round_id, kind, message, details) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
    [`a_${randomUUID()}`, alert.tableId, alert.roundId, alert.kind, alert.message.slice(0, 1000), alert.details],
  );
  return toAlert(rows[0]!);
}

/** Resolves the round's open alerts inside the caller's transaction; returns them as resolved. */
export async function resolveRoundAlerts(
  client: Queryable,
  roundId: string,
  by: string,
  resolution: AlertResolution,
): Promise<Alert[]> {
  const { rows } = await client.query<AlertRow>(
    `UPDATE alerts SET resolved_at = now(), resolved_by = $2, resolution = $3
      WHERE round_id = $1 AND resolved_at IS NULL RETURNING *`,
    [roundId, by, resolution],
  );
  return rows.map(toAlert);
}

/** Alerts, newest first: the open ones only, or all of them. */
export async function listAlerts(db: Queryable, opts: { open: boolean; limit: number }): Promise<Alert[]> {
  const { rows } = await db.query<AlertRow>(
    `SELECT * FROM alerts ${opts.open ? 'WHERE resolved_at IS NULL' : ''} ORDER BY created_at DESC, id LIMIT $1`,
    [opts.limit],
  );
  return rows.map(toAlert);
}
