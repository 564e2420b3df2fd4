/** IPC between the bets bench and its player processes (`playerSwarm.ts`). */

export interface SwarmPlayer {
  playerId: string;
  token: string;
}

export type ToSwarm =
  | { type: 'connect'; url: string; tableId: string; players: SwarmPlayer[]; concurrency: number; seed: number }
  /** One bet per player, at `startAt + offset` (epoch ms); answers when every bet is acked or timed out. */
  | { type: 'round'; tag: string; roundId: string; startAt: number; offsetsMs: number[] }
  /** Closed loop: each player bets again as soon as its last bet is acked, until `until` (epoch ms). */
  | { type: 'saturate'; tag: string; roundId: string; until: number }
  | { type: 'close' };

export interface PhaseResult {
  tag: string;
  sent: number;
  /** Acked OK: `playerId:clientBetId`, the bet's id in the database. */
  acceptedIds: string[];
  /** Ack latency of every acked bet (OK or refused), in send order. */
  ackMs: number[];
  sentAtMs: number[];
  acceptedAckMs: number[];
  /** Accepted bets acked at or before the phase's end (saturation). */
  acceptedByDeadline: number;
  rejected: Record<string, number>;
  /** CPU time of this process over the phase, ms. */
  cpuMs: number;
  /** Largest delay of this process's event loop timers over the phase, ms. */
  maxLagMs: number;
}

export type FromSwarm =
  | { type: 'connected'; connected: number; failed: number; errors: Record<string, number>; ms: number }
  | ({ type: 'phase' } & PhaseResult)
  | { type: 'error'; message: string };
