/**
 * The betting window in video time. Pure arithmetic, no I/O: the rule players, regulators and the
 * bet intake all read from the same place.
 *
 * Betting closes at the studio time of the frame on which the dealer closed it (`closesAtStudioMs`).
 * A player bets on the frame they see, which reaches them `playoutDelayMs` after the studio captured
 * it. A bet carries the studio time of the frame on the player's screen (`frameStudioMs`), and the
 * server knows when it arrived (`receivedAtMs`, studio clock). It is accepted iff
 *
 *   1. the frame was shown before the close:            frameStudioMs < closesAtStudioMs
 *   2. the frame is as recent as the player's delay says: frameStudioMs ≥ receivedAtMs − delay − slack
 *   3. it arrived within the player's delay after close: receivedAtMs ≤ closesAtStudioMs + delay + slack
 *
 * where delay is the player's measured playout delay, which must lie within the bound of their
 * delivery mode (WebRTC or HLS) and be fresh. (2) is what stops a player from claiming an older
 * frame than they really saw: whatever they claim, they get at most their measured delay. When the
 * delay is unknown, stale or out of bounds, the server clock decides: receivedAtMs < closesAtStudioMs.
 */

export type DeliveryMode = 'webrtc' | 'hls';

export interface WindowPolicy {
  /** Largest playout delay honoured per mode; beyond it the player falls back to the server clock. */
  maxDelayMs: Record<DeliveryMode, number>;
  /** Network and clock slack allowed on top of the measured delay. */
  slackMs: number;
  /** A delay report older than this is not trusted. */
  delayReportMaxAgeMs: number;
}

export const DEFAULT_WINDOW_POLICY: WindowPolicy = {
  maxDelayMs: { webrtc: 1000, hls: 6000 },
  slackMs: 150,
  delayReportMaxAgeMs: 10_000,
};

export interface DelayReport {
  mode: DeliveryMode;
  playoutDelayMs: number;
  /** Server (studio) time at which the report was received. */
  reportedAtMs: number;
}

export interface BetTiming {
  frameStudioMs: number | undefined;
  receivedAtMs: number;
  delay: DelayReport | undefined;
}

export type WindowDecision =
  | { accepted: true; basis: 'video' | 'server-clock' }
  | { accepted: false; basis: 'video' | 'server-clock'; reason: WindowRefusal };

export type WindowRefusal =
  | 'FRAME_AT_OR_AFTER_CLOSE'
  | 'FRAME_OLDER_THAN_DELAY'
  | 'ARRIVED_AFTER_DELAY'
  | 'FRAME_IN_FUTURE'
  | 'CLOSED_BY_SERVER_CLOCK'
  | 'NOT_YET_OPEN';

/** The delay the window honours for this player right now, or undefined (server clock). */
export function trustedDelay(delay: DelayReport | undefined, nowMs: number, policy: WindowPolicy): number | undefined {
  if (!delay) return undefined;
  if (nowMs - delay.reportedAtMs > policy.delayReportMaxAgeMs) return undefined;
  if (!Number.isFinite(delay.playoutDelayMs) || delay.playoutDelayMs < 0) return undefined;
  if (delay.playoutDelayMs > policy.maxDelayMs[delay.mode]) return undefined;
  return delay.playoutDelayMs;
}

/** Latest server time at which any bet of this round can still be accepted: when to stop waiting. */
export function lastAcceptanceMs(closesAtStudioMs: number, policy: WindowPolicy): number {
  return closesAtStudioMs + Math.max(...Object.values(policy.maxDelayMs)) + policy.slackMs;
}

export function decideBetWindow(
  window: { opensAtStudioMs: number; closesAtStudioMs: number | undefined },
  bet: BetTiming,
  policy: WindowPolicy = DEFAULT_WINDOW_POLICY,
): WindowDecision {
  const delay = trustedDelay(bet.delay, bet.receivedAtMs, policy);
  const close = window.closesAtStudioMs;
  if (delay === undefined || bet.frameStudioMs === undefined || !Number.isFinite(bet.frameStudioMs)) {
    if (bet.receivedAtMs < window.opensAtStudioMs)
      return { accepted: false, basis: 'server-clock', reason: 'NOT_YET_OPEN' };
    if (close !== undefined && bet.receivedAtMs >= close) {
      return { accepted: false, basis: 'server-clock', reason: 'CLOSED_BY_SERVER_CLOCK' };
    }
    return { accepted: true, basis: 'server-clock' };
  }
  const frame = bet.frameStudioMs;
  if (frame > bet.receivedAtMs + policy.slackMs) return { accepted: false, basis: 'video', reason: 'FRAME_IN_FUTURE' };
  if (frame < window.opensAtStudioMs) return { accepted: false, basis: 'video', reason: 'NOT_YET_OPEN' };
  if (close !== undefined && frame >= close)
    return { accepted: false, basis: 'video', reason: 'FRAME_AT_OR_AFTER_CLOSE' };
  if (frame < bet.receivedAtMs - delay - policy.slackMs)
    return { accepted: false, basis: 'video', reason: 'FRAME_OLDER_THAN_DELAY' };
  if (close !== undefined && bet.receivedAtMs > close + delay + policy.slackMs) {
    return { accepted: false, basis: 'video', reason: 'ARRIVED_AFTER_DELAY' };
  }
  return { accepted: true, basis: 'video' };
}
