import type { RoundDto } from '@live-casino/protocol';
import { roundDto } from '@live-casino/testing';
import { describe, expect, it } from 'vitest';
import { overlayPhase, PhaseLatch, type VideoTimeInputs } from '../src/bets/videoTime.js';

const T0 = 1_800_000_000_000;
const round = (patch: Partial<RoundDto>): RoundDto => roundDto({ opensAtStudioMs: T0, ...patch });
const inputs = (patch: Partial<VideoTimeInputs>): VideoTimeInputs => ({
  round: round({}),
  frameStudioMs: T0 + 1_000,
  bettingWindowS: 15,
  playoutDelayMs: 50,
  networkMs: 20,
  allowanceMs: 250,
  ...patch,
});

describe('overlayPhase: the overlay follows the video, not the socket', () => {
  it('counts down against the frame on screen, to the scheduled close while the close is unknown', () => {
    expect(overlayPhase(inputs({}))).toMatchObject({ kind: 'open', msLeft: 14_000, handicapMs: 0 });
    expect(overlayPhase(inputs({ frameStudioMs: T0 + 14_999 }))).toMatchObject({ kind: 'open', msLeft: 1 });
    expect(overlayPhase(inputs({ frameStudioMs: T0 + 15_000 }))).toEqual({ kind: 'closed' });
  });

  it('the close the socket announced is shown when the video reaches it, not when the message arrives', () => {
    const closed = round({ state: 'BETTING_CLOSED', closesAtStudioMs: T0 + 12_000 });
    // The message is here, the video is 3 s before the close: still open, 3 s left.
    expect(overlayPhase(inputs({ round: closed, frameStudioMs: T0 + 9_000 }))).toMatchObject({
      kind: 'open',
      msLeft: 3_000,
    });
    expect(overlayPhase(inputs({ round: closed, frameStudioMs: T0 + 12_000 }))).toEqual({ kind: 'closed' });
  });

  it('a player whose delay exceeds the allowance sees the countdown end that much earlier', () => {
    const phase = overlayPhase(inputs({ playoutDelayMs: 2_000, networkMs: 30, allowanceMs: 800 }));
    expect(phase).toMatchObject({ kind: 'open', handicapMs: 1_230, endsAtStudioMs: T0 + 15_000 - 1_230 });
    // No allowance: the server clock decides; the whole delay is the handicap (and one ms).
    expect(overlayPhase(inputs({ allowanceMs: null }))).toMatchObject({ handicapMs: 71 });
  });

  it('waits for the video to reach the open, and shows the result only from its frame', () => {
    expect(overlayPhase(inputs({ frameStudioMs: T0 - 500 }))).toEqual({ kind: 'waiting' });
    const settled = round({
      state: 'SETTLED',
      closesAtStudioMs: T0 + 15_000,
      result: { pocket: 17 },
      resultStudioMs: T0 + 30_000,
    });
    expect(overlayPhase(inputs({ round: settled, frameStudioMs: T0 + 29_999 }))).toEqual({ kind: 'closed' });
    expect(overlayPhase(inputs({ round: settled, frameStudioMs: T0 + 30_000 }))).toEqual({
      kind: 'result',
      result: { pocket: 17 },
    });
    // A result entered but not confirmed (vision check pending) is not shown.
    const pending = round({ ...settled, state: 'RESULT_PENDING' });
    expect(overlayPhase(inputs({ round: pending, frameStudioMs: T0 + 31_000 }))).toEqual({ kind: 'closed' });
  });

  it('no round, no frame, a voided round', () => {
    expect(overlayPhase(inputs({ round: null }))).toEqual({ kind: 'waiting' });
    expect(overlayPhase(inputs({ frameStudioMs: null }))).toEqual({ kind: 'waiting' });
    expect(overlayPhase(inputs({ round: round({ state: 'VOIDED', voidReason: 'wheel fault' }) }))).toEqual({
      kind: 'voided',
      reason: 'wheel fault',
    });
  });
});

describe('PhaseLatch', () => {
  const open = { kind: 'open', endsAtStudioMs: 10, msLeft: 5, windowMs: 10, handicapMs: 0 } as const;
  it('never reopens a round the overlay has shown closed, and starts afresh with the next round', () => {
    const latch = new PhaseLatch();
    expect(latch.apply('r1', open)).toBe(open);
    expect(latch.apply('r1', { kind: 'closed' })).toEqual({ kind: 'closed' });
    // The dealer's close came later than the estimate: the round still reads as open.
    expect(latch.apply('r1', open)).toEqual({ kind: 'closed' });
    expect(latch.apply('r1', { kind: 'result', result: { pocket: 3 } }).kind).toBe('result');
    expect(latch.apply('r2', open)).toBe(open);
  });
});
