import type { SfuProducerStats, SfuRouterStats, SfuTableStats, StudioClockMapping } from '@live-casino/protocol';
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

export type RouterStats = SfuRouterStats;
export type ProducerStatsDto = SfuProducerStats;

/** What dashboards and `/stats` show of a table's media (protocol's SfuTableStats). */
export type TableMediaStats = SfuTableStats;
