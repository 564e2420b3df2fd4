import {
  PlayerSession as PlayerSessionSchema,
  type StreamGrant,
  StreamGrant as StreamGrantSchema,
  type TableSummary,
  TableSummary as TableSummarySchema,
} from '@live-casino/protocol';
import { type Static, Type } from '@sinclair/typebox';
import { Check } from '@sinclair/typebox/value';
import { isErrorBody, ViewerFailure } from './viewerErrors.js';

/** table-service's HTTP API, same origin as the page. Every answer is checked before use. */

const TableList = Type.Array(TableSummarySchema, { maxItems: 1000 });
const REQUEST_TIMEOUT_MS = 8000;

async function call(path: string, init: RequestInit = {}, sessionToken?: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(path, {
      ...init,
      headers: {
        accept: 'application/json',
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...(sessionToken ? { authorization: `Bearer ${sessionToken}` } : {}),
      },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      credentials: 'same-origin',
    });
  } catch (err) {
    throw new ViewerFailure('NETWORK_UNREACHABLE', `${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (res.ok) return body;
  if (isErrorBody(body)) throw new ViewerFailure(body.code, body.message);
  // A proxy or gateway page (502/503/504) means table-service itself is not there.
  if (res.status >= 500) throw new ViewerFailure('NETWORK_UNREACHABLE', `${path}: HTTP ${res.status}`);
  if (res.status === 404) throw new ViewerFailure('TABLE_NOT_FOUND', `${path}: HTTP 404`);
  throw new ViewerFailure('INTERNAL', `${path}: HTTP ${res.status}`);
}

export async function fetchTables(): Promise<TableSummary[]> {
  const body = await call('/v1/tables');
  if (!Check(TableList, body)) throw new ViewerFailure('INTERNAL', '/v1/tables: unexpected answer');
  return body;
}

/** `POST /v1/auth/login`: a player's session (a short-lived bearer token). */
export async function logIn(username: string, password: string): Promise<Static<typeof PlayerSessionSchema>> {
  const body = await call('/v1/auth/login', { method: 'POST', body: JSON.stringify({ username, password }) });
  if (!Check(PlayerSessionSchema, body)) throw new ViewerFailure('INTERNAL', '/v1/auth/login: unexpected answer');
  return body;
}

/**
 * A stream token for one table, for the signed-in player (none without a session: 401
 * AUTH_TOKEN_MISSING); fetched on every (re)join and again before it expires.
 */
export async function fetchStreamGrant(tableId: string, sessionToken: string): Promise<StreamGrant> {
  const body = await call('/v1/stream-grants', { method: 'POST', body: JSON.stringify({ tableId }) }, sessionToken);
  if (!Check(StreamGrantSchema, body)) throw new ViewerFailure('INTERNAL', '/v1/stream-grants: unexpected answer');
  if (body.tableId !== tableId)
    throw new ViewerFailure('INTERNAL', `grant is for table ${body.tableId}, not ${tableId}`);
  return body;
}

export type GrantFetcher = (tableId: string) => Promise<StreamGrant>;

/** A grant is refreshed at most this long before it expires. */
const GRANT_REFRESH_MARGIN_MS = 30_000;

/**
 * When to fetch the next grant: a third of this one's life before it ends, at most
 * GRANT_REFRESH_MARGIN_MS before (the sfu closes a WebRTC peer's media when its token expires
 * unrefreshed, and HLS segments need a session of an unexpired token).
 */
export function grantRefreshDelayMs(grant: { expiresAt: number }, fetchedAt: number, now = Date.now()): number {
  const margin = Math.min(GRANT_REFRESH_MARGIN_MS, (grant.expiresAt - fetchedAt) / 3);
  return Math.max(1000, grant.expiresAt - margin - now);
}
