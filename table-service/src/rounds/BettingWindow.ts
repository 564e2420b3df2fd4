/**
 * The betting window in video time. Pure arithmetic, no I/O: the rule players, regulators and the
 * bet intake all read from the same place. (`bet_window_refusal` in migration 0030 is the same rule
 * in SQL, re-applied under the round's row lock; a property test holds the two together.)
 *
 * Betting closes at the studio time of the frame on which the dealer closed it (`closesAtStudioMs`).
 * A player bets on the frame they see, which reaches them some time after the studio captured it. A
 * bet carries the studio time of the frame on the player's screen (`frameStudioMs`), and the server
 * knows when it arrived (`receivedAtMs`, studio clock). It is refused iff
 *
 *   1. its frame was at or after the close:           frameStudioMs ≥ closesAtStudioMs
 *   2. it arrived after the player's allowance:       receivedAtMs > closesAtStudioMs + allowanceMs
 *      (no allowance, i.e. the server clock:          receivedAtMs ≥ closesAtStudioMs)
 *   3. it arrived after anything about the outcome could be seen by anyone:
 *                                                     receivedAtMs > revealsAtStudioMs + minViewerDelayMs
 *
 * The allowance is the player's delay as the *server* measured it for their own stream session (the
 * sfu: when it sent that consumer the frames and its RTT; the HLS session: when it fetched the
 * segments), plus network slack, never the client's word. Whatever it is, (3) caps it: the reveal
 * is the studio time of the first event that shows anything of the outcome (the first card out of
 * the shoe; for roulette the close itself, the ball already in flight), and anyone can watch the
 * fastest stream beside a slow one, so nothing is taken after the reveal plus the lowest delay any
 * viewer can have. A player whose real delay is longer than their allowance sees their countdown end
 * that much earlier in their own video (UKGC RTS 4: latency handled by handicap, shown to them).
 *
 * The claimed frame needs no check against the arrival time: claiming an older frame than the one
 * on screen moves nothing, since (2) and (3) bound the arrival whatever frame is claimed.
 */

export type DeliveryMode = 'webrtc' | 'hls';

export interface WindowPolicy {
  /** Largest measured delay honoured per mode; a longer one is honoured up to this. */
  maxDelayMs: Record<DeliveryMode, number>;
  /** Network slack allowed on top of the measured delay (not on top of the reveal cap). */
  slackMs: number;
  /** A delay measured longer ago than this is not trusted: the server clock decides. */
  delayMaxAgeMs: number;
  /**
   * Earliest the game's procedure reveals anything after the close: the first card slides out of
   * the shoe (baccarat); the ball is already in flight at the close (roulette: 0). Dealer, simulator
   * and vision report the real reveal when it is earlier.
   */
  revealAfterCloseMs: number;
  /** The lowest delivery delay any viewer can have (0: a viewer could see the studio live). */
  minViewerDelayMs: number;
  /**
   * Longest a dealer's close may take to reach us after the frame it was taken on. A close that
   * arrives later is moved to (arrival − this); cancels wait this long before they commit, so that
   * no close still in flight can land before them.
   */
  closeMaxLagMs: number;
}

const COMMON_POLICY = {
  maxDelayMs: { webrtc: 1000, hls: 6000 },
  slackMs: 150,
  delayMaxAgeMs: 10_000,
  minViewerDelayMs: 0,
  closeMaxLagMs: 1500,
} as const;

/**
 * Per game. Roulette: "no more bets" comes while the ball orbits and nothing is taken after it
 * (every physical clue of the spin grows from there on, and any late time would be a gift to ball
 * tracking). Baccarat: the first card leaves the shoe 380 ms after the close in the simulator
 * (BACCARAT_TIMELINE: face up at +1.0 s after a 400 ms slide and a 220 ms turn); a studio dealer
 * draws no sooner than ~0.3 s after calling it.
 */
export const DEFAULT_WINDOW_POLICY = {
  roulette: { ...COMMON_POLICY, maxDelayMs: { ...COMMON_POLICY.maxDelayMs }, revealAfterCloseMs: 0 },
  baccarat: { ...COMMON_POLICY, maxDelayMs: { ...COMMON_POLICY.maxDelayMs }, revealAfterCloseMs: 300 },
} as const satisfies Record<string, WindowPolicy>;

/** A player's playout delay as the sfu measured it for their own stream session. */
export interface MeasuredDelay {
  mode: DeliveryMode;
  delayMs: number;
  /** Server time of the measurement. */
  measuredAtMs: number;
}

export interface RoundWindow {
  opensAtStudioMs: number;
  /** Unknown while the dealer's close is in flight: the close re-judges what was taken meanwhile. */
  closesAtStudioMs: number | undefined;
  revealsAtStudioMs: number | undefined;
}

export interface BetTiming {
  frameStudioMs: number | undefined;
  receivedAtMs: number;
  /** From `allowanceOf`: undefined when the server clock decides. */
  allowanceMs: number | undefined;
}

export type WindowRefusal =
  | 'FRAME_AT_OR_AFTER_CLOSE'
  | 'ARRIVED_AFTER_DELAY'
  | 'ARRIVED_AFTER_REVEAL'
  | 'FRAME_IN_FUTURE'
  | 'CLOSED_BY_SERVER_CLOCK'
  | 'NOT_YET_OPEN';

export type WindowDecision =
  | { accepted: true; basis: 'video' | 'server-clock' }
  | { accepted: false; basis: 'video' | 'server-clock'; reason: WindowRefusal };

/**
 * How long after the close this player's bets (on frames before it) may still arrive, from their
 * measured delay; undefined (server clock) when there is no fresh measurement. Capped by the mode's
 * maximum and by the reveal: no allowance outlives what the game shows after the close.
 */
export function allowanceOf(
  measured: MeasuredDelay | undefined,
  nowMs: number,
  policy: WindowPolicy,
): number | undefined {
  if (!measured) return undefined;
  if (nowMs - measured.measuredAtMs > policy.delayMaxAgeMs) return undefined;
  if (!Number.isFinite(measured.delayMs) || measured.delayMs < 0) return undefined;
  const delay = Math.min(measured.delayMs, policy.maxDelayMs[measured.mode]);
  return Math.round(Math.min(delay + policy.slackMs, revealCapMs(policy)));
}

/** The most late time any player can get after the close, whatever their delay. */
export function revealCapMs(policy: WindowPolicy): number {
  return policy.revealAfterCloseMs + policy.minViewerDelayMs;
}

/** Latest server time at which any bet of this round can still be accepted: when to stop waiting. */
export function lastAcceptanceMs(closesAtStudioMs: number, revealsAtStudioMs: number, policy: WindowPolicy): number {
  const longest = Math.max(...Object.values(policy.maxDelayMs)) + policy.slackMs;
  return Math.min(closesAtStudioMs + longest, revealsAtStudioMs + policy.minViewerDelayMs);
}

/** The reveal as known at the close: the game's procedure, or an earlier reported one. */
export function revealAtClose(
  closesAtStudioMs: number,
  reportedRevealMs: number | undefined,
  policy: WindowPolicy,
): number {
  const procedural = closesAtStudioMs + policy.revealAfterCloseMs;
  return reportedRevealMs === undefined ? procedural : Math.min(procedural, reportedRevealMs);
}

/** The close as applied: a dealer's close that took longer than `closeMaxLagMs` to arrive is moved. */
export function appliedClose(requestedMs: number, nowMs: number, policy: WindowPolicy): number {
  return Math.max(requestedMs, nowMs - policy.closeMaxLagMs);
}

export function decideBetWindow(window: RoundWindow, bet: BetTiming, policy: WindowPolicy): WindowDecision {
  const frame = bet.frameStudioMs !== undefined && Number.isFinite(bet.frameStudioMs) ? bet.frameStudioMs : undefined;
  const basis = frame !== undefined && bet.allowanceMs !== undefined ? 'video' : 'server-clock';
  const refuse = (reason: WindowRefusal): WindowDecision => ({ accepted: false, basis, reason });
  if (frame !== undefined && frame > bet.receivedAtMs + policy.slackMs) return refuse('FRAME_IN_FUTURE');
  if ((frame ?? bet.receivedAtMs) < window.opensAtStudioMs) return refuse('NOT_YET_OPEN');
  const refusal = windowRefusal(
    frame,
    bet.receivedAtMs,
    basis === 'video' ? bet.allowanceMs : undefined,
    window.closesAtStudioMs,
    window.revealsAtStudioMs,
    policy.minViewerDelayMs,
  );
  return refusal ? refuse(refusal) : { accepted: true, basis };
}

/**
 * Rules 1–3 alone, as the close and the reveal apply them again to bets already taken (and as
 * `bet_window_refusal` does in SQL). `allowanceMs` undefined: the server clock.
 */
export function windowRefusal(
  frameStudioMs: number | undefined,
  receivedAtMs: number,
  allowanceMs: number | undefined,
  closesAtStudioMs: number | undefined,
  revealsAtStudioMs: number | undefined,
  minViewerDelayMs: number,
): WindowRefusal | undefined {
  if (closesAtStudioMs !== undefined) {
    if (frameStudioMs !== undefined && frameStudioMs >= closesAtStudioMs) return 'FRAME_AT_OR_AFTER_CLOSE';
    if (allowanceMs === undefined) {
      if (receivedAtMs >= closesAtStudioMs) return 'CLOSED_BY_SERVER_CLOCK';
    } else if (receivedAtMs > closesAtStudioMs + allowanceMs) return 'ARRIVED_AFTER_DELAY';
  }
  if (revealsAtStudioMs !== undefined && receivedAtMs > revealsAtStudioMs + minViewerDelayMs) {
    return 'ARRIVED_AFTER_REVEAL';
  }
  return undefined;
}
