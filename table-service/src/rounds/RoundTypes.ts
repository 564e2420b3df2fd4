import type { GameKind, HoldReason, RoundDto, RoundEventName, RoundResult } from '@live-casino/protocol';
import type { StakeLimits } from '../games/index.js';
import type { WindowPolicy } from './BettingWindow.js';
import type { RoundState } from './RoundStates.js';

/** What the round machinery needs to know of a table. */
export interface TableRules {
  tableId: string;
  game: GameKind;
  currency: string;
  /** Min/max stake per bet type. */
  limits: StakeLimits<string>;
  /** Most one player may have on one round, all bets together (minor units). */
  maxPlayerStakePerRound: number;
  /** How long betting stays open when the dealer or the simulator opens it. */
  bettingWindowMs?: number;
  window: WindowPolicy;
  /** Results are cross-checked with vision readings (see VisionCheck). */
  visionCheck?: boolean;
}

export type { RoundDto } from '@live-casino/protocol';

/** Pushed after commit to realtime clients, with the table's round-log sequence number. */
export interface RoundEvent {
  tableId: string;
  seq: number;
  event: RoundEventName;
  round: RoundDto;
}

export interface RoundRow {
  id: string;
  table_id: string;
  number: number;
  game: GameKind;
  currency: string;
  state: RoundState;
  opens_at_studio_ms: number;
  closes_at_studio_ms: number | null;
  reveals_at_studio_ms: number | null;
  reveal_after_close_ms: number;
  min_viewer_delay_ms: number;
  last_acceptance_ms: number | null;
  result: RoundResult | null;
  result_source: string | null;
  void_reason: string | null;
  vision_check: boolean;
  result_studio_ms: number | null;
  result_at_ms: number | null;
  confirmed_by: string | null;
  confirmed_reading_id: string | null;
  hold_reason: HoldReason | null;
  hold_alert_id: string | null;
  held_at_ms: number | null;
}

export function toRoundDto(row: RoundRow): RoundDto {
  return {
    roundId: row.id,
    tableId: row.table_id,
    number: row.number,
    game: row.game,
    currency: row.currency.trim(),
    state: row.state,
    opensAtStudioMs: row.opens_at_studio_ms,
    closesAtStudioMs: row.closes_at_studio_ms,
    revealsAtStudioMs: row.reveals_at_studio_ms,
    lastAcceptanceMs: row.last_acceptance_ms,
    result: row.result,
    resultSource: row.result_source,
    resultStudioMs: row.result_studio_ms,
    confirmedBy: row.confirmed_by,
    confirmedReadingId: row.confirmed_reading_id,
    voidReason: row.void_reason,
    visionCheck: row.vision_check,
    hold:
      row.hold_reason !== null && row.hold_alert_id !== null && row.held_at_ms !== null
        ? { reason: row.hold_reason, alertId: row.hold_alert_id, heldAtMs: row.held_at_ms }
        : null,
  };
}
