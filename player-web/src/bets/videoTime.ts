import { countdownEnd, type RoundDto, type RoundResult } from '@live-casino/protocol';

/**
 * What the overlay shows, decided by the studio time of the frame on screen, never by when a
 * socket message arrived: the socket runs ahead of the video (by the player's playout delay), and
 * a countdown, "no more bets" or a win drawn from the socket would tell the player what their video
 * has not shown yet, and make them click on a past they cannot see.
 */
export type OverlayPhase =
  | { readonly kind: 'waiting' }
  | {
      readonly kind: 'open';
      /** Studio time of the last frame on which a click still stands. */
      readonly endsAtStudioMs: number;
      readonly msLeft: number;
      /** The whole window, for a progress ring. */
      readonly windowMs: number;
      /** How much earlier than the table's close the countdown ends for this player (their delay). */
      readonly handicapMs: number;
    }
  | { readonly kind: 'closed' }
  | { readonly kind: 'result'; readonly result: RoundResult }
  | { readonly kind: 'voided'; readonly reason: string | null };

export interface VideoTimeInputs {
  /** The table's current round as the events and snapshots tell it (null: none yet). */
  readonly round: RoundDto | null;
  /** Studio time of the frame on screen (null: no frame yet). */
  readonly frameStudioMs: number | null;
  /** The table's betting window, for the close while it is not known yet. */
  readonly bettingWindowS: number;
  /** Glass minus studio time of the frame on screen. */
  readonly playoutDelayMs: number;
  /** One way to table-service, about half the socket's round trip. */
  readonly networkMs: number;
  /** Late time the server allows this player after the close (`reportDelay`'s answer; null: none). */
  readonly allowanceMs: number | null;
}

export function overlayPhase(i: VideoTimeInputs): OverlayPhase {
  const { round, frameStudioMs: frame } = i;
  if (!round || round.state === 'IDLE' || frame === null) return { kind: 'waiting' };
  if (round.state === 'VOIDED') return { kind: 'voided', reason: round.voidReason };
  // The video has not reached this round's open yet (the previous round's end may still be on screen).
  if (frame < round.opensAtStudioMs) return { kind: 'waiting' };
  const closes = round.closesAtStudioMs ?? round.opensAtStudioMs + i.bettingWindowS * 1000;
  const end = countdownEnd(closes, i.playoutDelayMs, i.networkMs, i.allowanceMs);
  const shownAt = resultShownAt(round);
  if (round.result && shownAt !== null && frame >= shownAt) return { kind: 'result', result: round.result };
  const bettable = round.state === 'BETTING_OPEN' || round.state === 'BETTING_CLOSED';
  if (bettable && frame < end.endsAtStudioMs) {
    return {
      kind: 'open',
      endsAtStudioMs: end.endsAtStudioMs,
      msLeft: end.endsAtStudioMs - frame,
      windowMs: Math.max(1, end.endsAtStudioMs - round.opensAtStudioMs),
      handicapMs: end.handicapMs,
    };
  }
  return { kind: 'closed' };
}

/**
 * The studio time from which the video shows the result: the frame the dealer stamped it on, or
 * the reveal (the first frame that shows anything of the outcome). A result confirmed without
 * either (a pit boss resolving a held round) is shown as soon as it is known: the video showed it
 * long ago.
 */
function resultShownAt(round: RoundDto): number | null {
  if (round.state !== 'RESULT_CONFIRMED' && round.state !== 'SETTLED') return null;
  return round.resultStudioMs ?? round.revealsAtStudioMs ?? Number.NEGATIVE_INFINITY;
}

/**
 * Keeps a round's phases in order on screen: once the overlay has shown "no more bets" (or the
 * result) for a round, it never shows that round open again. The close the overlay counts down to
 * is an estimate until the dealer's close arrives, and a close that comes later than the estimate
 * must not reopen betting under the player's eyes.
 */
export class PhaseLatch {
  #roundId: string | null = null;
  #over = false;

  apply(roundId: string | null, phase: OverlayPhase): OverlayPhase {
    if (roundId !== this.#roundId) {
      this.#roundId = roundId;
      this.#over = false;
    }
    if (phase.kind === 'closed' || phase.kind === 'result' || phase.kind === 'voided') this.#over = true;
    else if (phase.kind === 'open' && this.#over) return { kind: 'closed' };
    return phase;
  }
}
