import { SfuStats } from '@live-casino/protocol';
import { checker } from './checker.js';
import { ClientError } from './ClientError.js';

const isSfuStats = checker(SfuStats);

/**
 * `GET /stats` on the sfu's operations listener (loopback, operators and services only): its
 * workers and every table's media, checked against the protocol before use.
 */
export async function fetchSfuStats(internalUrl: string, timeoutMs = 5000): Promise<SfuStats> {
  const url = `${internalUrl.replace(/\/+$/, '')}/stats`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new ClientError('NETWORK_UNREACHABLE', `GET ${url}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!res.ok) throw new ClientError('BAD_RESPONSE', `GET ${url}: HTTP ${res.status}`, { status: res.status });
  const body: unknown = await res.json().catch(() => undefined);
  if (!isSfuStats(body)) throw new ClientError('BAD_RESPONSE', `GET ${url}: an answer outside the contract`);
  return body;
}

/** The tables whose studio feed is on the sfu now (a producer of theirs exists). */
export async function sfuLiveTables(internalUrl: string, timeoutMs = 1000): Promise<Set<string>> {
  const stats = await fetchSfuStats(internalUrl, timeoutMs);
  return new Set(stats.tables.filter((t) => t.producers.length > 0).map((t) => t.tableId));
}
