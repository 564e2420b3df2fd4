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

/** A worker of the sfu's mediasoup pool. */
export const SfuWorkerStats = Type.Object({
  index: Type.Integer({ minimum: 0 }),
  pid: Type.Integer({ minimum: 0 }),
  cpuPercent: Type.Number({ minimum: 0 }),
  routers: Type.Integer({ minimum: 0 }),
  alive: Type.Boolean(),
});

/** A router carrying a table: the origin (where the studio publishes) or a viewer router. */
export const SfuRouterStats = Type.Object({
  routerId: Type.String(),
  workerIndex: Type.Integer({ minimum: 0 }),
  role: Type.Union([Type.Literal('origin'), Type.Literal('viewer')]),
  peers: Type.Integer({ minimum: 0 }),
  consumers: Type.Integer({ minimum: 0 }),
});
export type SfuRouterStats = Static<typeof SfuRouterStats>;

/** A producer of a table's media, with its ingest health. */
export const SfuProducerStats = Type.Object({
  producerId: Type.String(),
  kind: Type.Union([Type.Literal('audio'), Type.Literal('video')]),
  source: Type.String(),
  type: Type.Union([Type.Literal('rtp'), Type.Literal('webrtc')]),
  bitrateBps: Type.Number({ minimum: 0 }),
  packetsLost: Type.Number({ minimum: 0 }),
  fractionLost: Type.Number({ minimum: 0 }),
  score: Type.Number(),
});
export type SfuProducerStats = Static<typeof SfuProducerStats>;

/** What dashboards see of a table's media; internals never go on the wire. */
export const SfuTableStats = Type.Object({
  tableId: TableId,
  producers: Type.Array(SfuProducerStats),
  viewers: Type.Integer({ minimum: 0 }),
  consumers: Type.Integer({ minimum: 0 }),
  routers: Type.Array(SfuRouterStats),
  /** Plain RTP egresses (vision workers) fed by the table. */
  egresses: Type.Integer({ minimum: 0 }),
  hls: Type.Union([
    Type.Object({
      running: Type.Boolean(),
      segments: Type.Integer({ minimum: 0 }),
      restarts: Type.Integer({ minimum: 0 }),
    }),
    Type.Null(),
  ]),
});
export type SfuTableStats = Static<typeof SfuTableStats>;

/** `GET /stats` on the sfu's operations listener. */
export const SfuStats = Type.Object({ workers: Type.Array(SfuWorkerStats), tables: Type.Array(SfuTableStats) });
export type SfuStats = Static<typeof SfuStats>;

/**
 * The sfu's lobby still of a table, on its players' port (not this listener), without a token:
 * `GET` answers a JPEG of the newest HLS segment's first frame, refreshed every few seconds, with
 * the studio time of that frame in THUMBNAIL_STUDIO_TIME_HEADER; TABLE_NOT_LIVE while the table
 * has no HLS video. table-service links it from the lobby (`TableSummary.thumbnailUrl`).
 */
export function sfuThumbnailPath(tableId: string): string {
  return `/thumbs/${tableId}.jpg`;
}

/** Studio time (ms) of the frame a lobby still shows. */
export const THUMBNAIL_STUDIO_TIME_HEADER = 'x-studio-time-ms';
