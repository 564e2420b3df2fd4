import type { StreamGrant } from '@live-casino/protocol';

/**
 * A view grant from table-service, as a player's page gets one: a short-lived stream token for
 * the table and where the sfu is. Retries briefly on 429/5xx so a swarm rides out a busy moment.
 */
export async function fetchStreamGrant(
  tableServiceUrl: string,
  tableId: string,
  forWhom = 'a viewer',
): Promise<StreamGrant> {
  let lastError = '';
  for (let tries = 0; tries < 3; tries++) {
    try {
      const res = await fetch(`${tableServiceUrl}/v1/stream-grants`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tableId }),
        signal: AbortSignal.timeout(5000),
      });
      if (res.ok) return (await res.json()) as StreamGrant;
      lastError = `HTTP ${res.status} ${(await res.text()).slice(0, 200)}`;
      if (res.status !== 429 && res.status < 500) break;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200 * (tries + 1)));
  }
  throw new Error(`stream grant for ${tableId} (${forWhom}): ${lastError}`);
}
