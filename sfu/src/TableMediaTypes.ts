import type { StudioClockMapping } from '@live-casino/protocol';
import type { types as ms } from 'mediasoup';

export type PeerRole = 'view' | 'publish';

export type TableMediaEvents = {
  /** A producer's RTP clock was (re)mapped onto the studio clock from its sender reports. */
  clock: [StudioClockMapping];
  /** These peers lost their media (router or worker gone, table rebuilt) and must join again. */
  mediareset: [peerIds: string[], reason: string];
  produceradded: [{ producerId: string; kind: ms.MediaKind }];
  /** An RTP egress closed by itself (producer gone, table rebuilt): its owner should open another. */
  egressclosed: [{ ownerId: string; egressId: string; reason: string }];
  closed: [];
};

export interface RouterStats {
  routerId: string;
  workerIndex: number;
  role: 'origin' | 'viewer';
  peers: number;
  consumers: number;
}

export interface ProducerStatsDto {
  producerId: string;
  kind: ms.MediaKind;
  source: string;
  type: 'rtp' | 'webrtc';
  bitrateBps: number;
  packetsLost: number;
  fractionLost: number;
  score: number;
}

/** What dashboards and `/stats` show of a table's media; internals never go on the wire. */
export interface TableMediaStats {
  tableId: string;
  producers: ProducerStatsDto[];
  viewers: number;
  consumers: number;
  routers: RouterStats[];
  /** Plain RTP egresses (vision workers) fed by the table. */
  egresses: number;
  hls: { running: boolean; segments: number; restarts: number } | null;
}
