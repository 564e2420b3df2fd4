import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW_POLICY as P, decideBetWindow, lastAcceptanceMs } from '../src/rounds/BettingWindow.js';

const OPEN = 1_000_000;
const CLOSE = OPEN + 15_000;
const window = { opensAtStudioMs: OPEN, closesAtStudioMs: CLOSE };

/**
 * A simulated honest player: sees frames `delayMs` after capture, clicks at `clickAtMs` (their wall
 * clock = studio clock), the bet reaches the server `networkMs` later. They report their delay
 * continuously (last report 1 s before the bet).
 */
function honestBet(delayMs: number, clickAtMs: number, networkMs: number, mode: 'webrtc' | 'hls') {
  return {
    frameStudioMs: clickAtMs - delayMs,
    receivedAtMs: clickAtMs + networkMs,
    delay: { mode, playoutDelayMs: delayMs, reportedAtMs: clickAtMs - 1000 },
  };
}

describe('betting window in video time', () => {
  it('property: no accepted bet was made on a frame at or after the close; no honest bet before it is refused', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3000 }), // playout delay: 0 to 3 s
        fc.integer({ min: -4000, max: 4000 }), // frame on screen relative to the close
        fc.integer({ min: 0, max: P.slackMs }), // network + clock slack within the policy
        fc.constantFrom('webrtc' as const, 'hls' as const),
        (delayMs, frameRelToClose, networkMs, mode) => {
          const frame = CLOSE + frameRelToClose;
          const bet = honestBet(delayMs, frame + delayMs, networkMs, mode);
          const decision = decideBetWindow(window, bet);
          const delayHonoured = delayMs <= P.maxDelayMs[mode];
          if (decision.accepted && decision.basis === 'video') expect(bet.frameStudioMs).toBeLessThan(CLOSE);
          if (decision.accepted && decision.basis === 'server-clock') expect(bet.receivedAtMs).toBeLessThan(CLOSE);
          if (delayHonoured && frame < CLOSE && frame >= OPEN)
            expect(decision).toEqual({ accepted: true, basis: 'video' });
          if (frame >= CLOSE) expect(decision.accepted).toBe(false);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('property: lying about the frame gains nothing beyond the measured delay', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 10_000 }), // how far after the close the cheat sends
        fc.integer({ min: 1, max: 20_000 }), // how much older a frame they claim
        (delayMs, afterCloseMs, claimOlderMs) => {
          const receivedAtMs = CLOSE + afterCloseMs;
          const realFrame = receivedAtMs - delayMs;
          const decision = decideBetWindow(window, {
            frameStudioMs: realFrame - claimOlderMs,
            receivedAtMs,
            delay: { mode: 'webrtc', playoutDelayMs: delayMs, reportedAtMs: receivedAtMs - 500 },
          });
          // Accepted only if the claimed frame is within delay+slack of arrival and before close:
          // so arrival ≤ close + delay + slack — the same as an honest player with that delay.
          if (decision.accepted) expect(receivedAtMs).toBeLessThanOrEqual(CLOSE + delayMs + P.slackMs);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('claiming a larger delay than the mode allows falls back to the server clock', () => {
    const bet = honestBet(P.maxDelayMs.webrtc + 1, CLOSE + 500, 10, 'webrtc');
    expect(decideBetWindow(window, bet)).toEqual({
      accepted: false,
      basis: 'server-clock',
      reason: 'CLOSED_BY_SERVER_CLOCK',
    });
  });

  it('stale or missing delay reports fall back to the server clock', () => {
    const stale = { ...honestBet(800, CLOSE - 100, 10, 'webrtc') };
    stale.delay.reportedAtMs -= P.delayReportMaxAgeMs + 1;
    expect(decideBetWindow(window, stale).basis).toBe('server-clock');
    expect(decideBetWindow(window, { frameStudioMs: undefined, receivedAtMs: CLOSE - 1, delay: undefined })).toEqual({
      accepted: true,
      basis: 'server-clock',
    });
    expect(decideBetWindow(window, { frameStudioMs: undefined, receivedAtMs: CLOSE, delay: undefined }).accepted).toBe(
      false,
    );
  });

  it('refuses frames from the future, before the open, and bets while the window is not yet open', () => {
    const future = honestBet(100, CLOSE - 2000, 10, 'webrtc');
    future.frameStudioMs = future.receivedAtMs + P.slackMs + 1;
    expect(decideBetWindow(window, future)).toMatchObject({ accepted: false, reason: 'FRAME_IN_FUTURE' });
    expect(decideBetWindow(window, honestBet(100, OPEN - 50, 10, 'webrtc'))).toMatchObject({
      accepted: false,
      reason: 'NOT_YET_OPEN',
    });
  });

  it('an open window (no close yet) accepts current frames', () => {
    expect(
      decideBetWindow({ opensAtStudioMs: OPEN, closesAtStudioMs: undefined }, honestBet(300, OPEN + 5000, 20, 'hls')),
    ).toEqual({
      accepted: true,
      basis: 'video',
    });
  });

  it('the last acceptance time covers the largest delay bound', () => {
    expect(lastAcceptanceMs(CLOSE, P)).toBe(CLOSE + P.maxDelayMs.hls + P.slackMs);
  });
});
