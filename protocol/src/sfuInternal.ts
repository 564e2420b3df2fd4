import { type Static, Type } from '@sinclair/typebox';
import { TableId } from './sfuSignalling.js';

/**
 * The sfu's internal (operations) listener: loopback by default, never the players' port.
 * table-service reads the viewer delays from here to size each player's late-bet allowance.
 */

/**
 * The sfu's own measurement of one player's stream session, never the client's word:
 * WebRTC: the producer's ingest delay (studio capture → sfu) + the consumer's RTT/2 + a playout
 * margin the server cannot see (jitter buffer, decode, render). HLS: the largest (fetch time −
 * studio time of the segment's first frame) over the session's last few segment fetches, a lower
 * bound of the real delay since no frame is seen before its segment is fetched.
 */
export const ViewerDelay = Type.Object({
  /** The stream token's subject: a player id (or a dealer/pit boss/service id). */
  playerId: Type.String({ minLength: 1, maxLength: 128 }),
  tableId: TableId,
  mode: Type.Union([Type.Literal('webrtc'), Type.Literal('hls')]),
  /** Server-measured delay of this session. */
  delayMs: Type.Integer({ minimum: 0 }),
  /** Date.now() at measurement. */
  measuredAtMs: Type.Integer({ minimum: 0 }),
});
export type ViewerDelay = Static<typeof ViewerDelay>;

/** `GET /internal/viewer-delays`: sessions measured in the last 10 s, one per (player, table, mode), the latest. */
export const ViewerDelaysResponse = Type.Object({ viewers: Type.Array(ViewerDelay) });
export type ViewerDelaysResponse = Static<typeof ViewerDelaysResponse>;

/** Entries older than this are left out: the session is gone or no longer measured. */
export const VIEWER_DELAY_MAX_AGE_MS = 10_000;
