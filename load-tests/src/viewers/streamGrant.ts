import type { StreamGrant } from '@live-casino/protocol';

/** A player's session with table-service (`POST /v1/auth/login`). */
export interface PlayerLogin {
  token: string;
  expiresAt: number;
  playerId: string;
}

/** Logs a player in, as the player's page does before it may watch a table. */
export async function logInPlayer(tableServiceUrl: string, username: string, password: string): Promise<PlayerLogin> {
  const res = await fetch(`${tableServiceUrl}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new Error(`login of ${username}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
  const body = (await res.json()) as { token: string; expiresAt: number; player: { id: string } };
  return { token: body.token, expiresAt: body.expiresAt, playerId: body.player.id };
}

/**
 * A view grant from table-service, as a player's page gets one: a short-lived stream token for
 * the table, bound to the signed-in player (table-service gives none without a session), and
 * where the sfu is. Retries briefly on 429/5xx so a swarm rides out a busy moment.
 */
export async function fetchStreamGrant(
  tableServiceUrl: string,
  tableId: string,
  sessionToken: string,
  forWhom = 'a viewer',
): Promise<StreamGrant> {
  let lastError = '';
  for (let tries = 0; tries < 3; tries++) {
    try {
      const res = await fetch(`${tableServiceUrl}/v1/stream-grants`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${sessionToken}` },
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
