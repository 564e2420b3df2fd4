import {
  type StreamGrant,
  StreamGrant as StreamGrantSchema,
  type TableSummary,
  TableSummary as TableSummarySchema,
} from '@live-casino/protocol';
import { Type } from '@sinclair/typebox';
import { Check } from '@sinclair/typebox/value';
import { isErrorBody, ViewerFailure } from './viewerErrors.js';

/** table-service's HTTP API, same origin as the page. Every answer is checked before use. */

const TableList = Type.Array(TableSummarySchema, { maxItems: 1000 });
const REQUEST_TIMEOUT_MS = 8000;

async function call(path: string, init: RequestInit = {}): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(path, {
      ...init,
      headers: { accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) },
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

/** A stream token for one table; fetched again on every (re)join, tokens live minutes. */
export async function fetchStreamGrant(tableId: string): Promise<StreamGrant> {
  const body = await call('/v1/stream-grants', { method: 'POST', body: JSON.stringify({ tableId }) });
  if (!Check(StreamGrantSchema, body)) throw new ViewerFailure('INTERNAL', '/v1/stream-grants: unexpected answer');
  if (body.tableId !== tableId)
    throw new ViewerFailure('INTERNAL', `grant is for table ${body.tableId}, not ${tableId}`);
  return body;
}

export type GrantFetcher = (tableId: string) => Promise<StreamGrant>;
