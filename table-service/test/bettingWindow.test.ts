import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allowanceOf,
  appliedClose,
  DEFAULT_WINDOW_POLICY,
  type DeliveryMode,
  decideBetWindow,
  lastAcceptanceMs,
  revealAtClose,
  revealCapMs,
  type WindowPolicy,
} from '../src/rounds/BettingWindow.js';

const OPEN = 1_700_000_000_000;
const CLOSE = OPEN + 12_000;
const BACCARAT = DEFAULT_WINDOW_POLICY.baccarat;
const ROULETTE = DEFAULT_WINDOW_POLICY.roulette;

const arbPolicy: fc.Arbitrary<WindowPolicy> = fc.record({
  maxDelayMs: fc.record({ webrtc: fc.integer({ min: 0, max: 2000 }), hls: fc.integer({ min: 0, max: 8000 }) }),
  slackMs: fc.integer({ min: 0, max: 300 }),
  delayMaxAgeMs: fc.constant(10_000),
  revealAfterCloseMs: fc.integer({ min: 0, max: 5000 }),
  minViewerDelayMs: fc.integer({ min: 0, max: 500 }),
  closeMaxLagMs: fc.constant(1500),
});

describe('betting window in video time', () => {
  it('property: whatever a player claims, no bet is accepted after the reveal plus the least viewer delay', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        arbPolicy,
        fc.constantFrom<DeliveryMode>('webrtc', 'hls'),
        fc.integer({ min: 0, max: 20_000 }), // measured delay of the player's own session (a cheat inflates it)
        fc.integer({ min: -3000, max: 3000 }), // reported reveal relative to the procedural one
        fc.integer({ min: -15_000, max: 15_000 }), // claimed frame relative to the close
        fc.integer({ min: -15_000, max: 15_000 }), // arrival relative to the close
        fc.boolean(), // close known yet (or still in flight)
        (policy, mode, delayMs, revealShift, frameRel, arrivalRel, closeKnown) => {
          const receivedAtMs = CLOSE + arrivalRel;
          const reveal = revealAtClose(CLOSE, CLOSE + policy.revealAfterCloseMs + revealShift, policy);
          const allowanceMs = allowanceOf({ mode, delayMs, measuredAtMs: receivedAtMs - 100 }, receivedAtMs, policy);
          const decision = decideBetWindow(
            {
              opensAtStudioMs: OPEN,
              closesAtStudioMs: closeKnown ? CLOSE : undefined,
              revealsAtStudioMs: closeKnown ? reveal : undefined,
            },
            { frameStudioMs: CLOSE + frameRel, receivedAtMs, allowanceMs },
            policy,
          );
          if (decision.accepted && closeKnown) {
            expect(receivedAtMs).toBeLessThanOrEqual(reveal + policy.minViewerDelayMs);
            expect(receivedAtMs).toBeLessThanOrEqual(CLOSE + revealCapMs(policy));
            expect(CLOSE + frameRel).toBeLessThan(CLOSE);
            accepted++;
          }
        },
      ),
      { numRuns: 20_000 },
    );
    // The property only looks at accepted bets with the close known: some must have been (about 5 %
    // of the runs are), else it passes on nothing.
    expect(accepted).toBeGreaterThan(200);
  });

  it('property: no honest bet inside the allowance is refused (real delay measured, frame before the close)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        arbPolicy,
        fc.constantFrom<DeliveryMode>('webrtc', 'hls'),
        fc.integer({ min: 0, max: 8000 }), // real delay, which the sfu measured
        fc.integer({ min: 1, max: 11_000 }), // frame on screen, ms before the close
        fc.integer({ min: 0, max: 300 }), // network
        (policy, mode, realDelayMs, beforeCloseMs, networkMs) => {
          const frame = CLOSE - beforeCloseMs;
          const receivedAtMs = frame + realDelayMs + networkMs;
          const allowanceMs = allowanceOf(
            { mode, delayMs: realDelayMs, measuredAtMs: receivedAtMs - 500 },
            receivedAtMs,
            policy,
          );
          const reveal = revealAtClose(CLOSE, undefined, policy);
          const decision = decideBetWindow(
            { opensAtStudioMs: OPEN, closesAtStudioMs: CLOSE, revealsAtStudioMs: reveal },
            { frameStudioMs: frame, receivedAtMs, allowanceMs },
            policy,
          );
          // Inside the allowance: arrived before the close, or within the late time the server granted.
          const inside =
            receivedAtMs <= CLOSE + (allowanceMs ?? 0) && (allowanceMs !== undefined || receivedAtMs < CLOSE);
          if (inside) {
            expect(decision).toEqual({ accepted: true, basis: 'video' });
            accepted++;
          }
        },
      ),
      { numRuns: 20_000 },
    );
    // The property looked at accepted bets at all: not a vacuous pass.
    expect(accepted).toBeGreaterThan(5000);
  });

  it('point 1 of the attack: a claimed 5.8 s HLS delay buys nothing after the first card is out', () => {
    // The sfu measured 5.8 s (a cheat can fetch the playlist late); the reveal caps it all the same.
    const allowanceMs = allowanceOf({ mode: 'hls', delayMs: 5800, measuredAtMs: CLOSE }, CLOSE + 100, BACCARAT);
    expect(allowanceMs).toBe(revealCapMs(BACCARAT));
    const window = { opensAtStudioMs: OPEN, closesAtStudioMs: CLOSE, revealsAtStudioMs: CLOSE + 380 };
    for (const after of [301, 1000, 2000, 6000]) {
      const decision = decideBetWindow(
        window,
        { frameStudioMs: CLOSE - 1, receivedAtMs: CLOSE + after, allowanceMs },
        BACCARAT,
      );
      expect(decision.accepted).toBe(false);
    }
    // Roulette: the ball is in flight at the close, nothing is taken after it.
    const roulette = allowanceOf({ mode: 'hls', delayMs: 5800, measuredAtMs: CLOSE }, CLOSE, ROULETTE);
    expect(roulette).toBe(0);
    const r = { opensAtStudioMs: OPEN, closesAtStudioMs: CLOSE, revealsAtStudioMs: CLOSE };
    expect(
      decideBetWindow(r, { frameStudioMs: CLOSE - 1, receivedAtMs: CLOSE + 1, allowanceMs: roulette }, ROULETTE),
    ).toMatchObject({
      accepted: false,
      reason: 'ARRIVED_AFTER_DELAY',
    });
  });

  it('a reported reveal earlier than the procedure cuts late bets at once, even before the close is known', () => {
    const window = { opensAtStudioMs: OPEN, closesAtStudioMs: undefined, revealsAtStudioMs: CLOSE + 100 };
    expect(
      decideBetWindow(window, { frameStudioMs: CLOSE - 5, receivedAtMs: CLOSE + 101, allowanceMs: 300 }, BACCARAT),
    ).toMatchObject({
      accepted: false,
      reason: 'ARRIVED_AFTER_REVEAL',
    });
    expect(revealAtClose(CLOSE, CLOSE + 100, BACCARAT)).toBe(CLOSE + 100);
    expect(revealAtClose(CLOSE, CLOSE + 900, BACCARAT)).toBe(CLOSE + BACCARAT.revealAfterCloseMs);
  });

  it('without a fresh measurement the server clock decides, whatever frame is claimed', () => {
    const stale = allowanceOf({ mode: 'webrtc', delayMs: 80, measuredAtMs: CLOSE - 20_000 }, CLOSE, BACCARAT);
    expect(stale).toBeUndefined();
    const window = { opensAtStudioMs: OPEN, closesAtStudioMs: CLOSE, revealsAtStudioMs: CLOSE + 300 };
    expect(
      decideBetWindow(window, { frameStudioMs: CLOSE - 10, receivedAtMs: CLOSE - 1, allowanceMs: undefined }, BACCARAT),
    ).toEqual({
      accepted: true,
      basis: 'server-clock',
    });
    expect(
      decideBetWindow(window, { frameStudioMs: CLOSE - 10, receivedAtMs: CLOSE, allowanceMs: undefined }, BACCARAT),
    ).toMatchObject({
      accepted: false,
      reason: 'CLOSED_BY_SERVER_CLOCK',
    });
    // A measured delay with no frame is the server clock too: nothing says what was on screen.
    expect(
      decideBetWindow(window, { frameStudioMs: undefined, receivedAtMs: CLOSE + 50, allowanceMs: 200 }, BACCARAT),
    ).toMatchObject({
      accepted: false,
      basis: 'server-clock',
    });
  });

  it('refuses frames from the future, before the open, and at or after the close', () => {
    const window = { opensAtStudioMs: OPEN, closesAtStudioMs: CLOSE, revealsAtStudioMs: CLOSE + 300 };
    const bet = (frame: number, received: number) => ({
      frameStudioMs: frame,
      receivedAtMs: received,
      allowanceMs: 200,
    });
    expect(decideBetWindow(window, bet(CLOSE - 500, CLOSE - 500 - BACCARAT.slackMs - 1), BACCARAT)).toMatchObject({
      reason: 'FRAME_IN_FUTURE',
    });
    expect(decideBetWindow(window, bet(OPEN - 1, OPEN + 100), BACCARAT)).toMatchObject({ reason: 'NOT_YET_OPEN' });
    expect(decideBetWindow(window, bet(CLOSE, CLOSE + 10), BACCARAT)).toMatchObject({
      reason: 'FRAME_AT_OR_AFTER_CLOSE',
    });
  });

  it('an open window (no close yet) accepts current frames', () => {
    const window = { opensAtStudioMs: OPEN, closesAtStudioMs: undefined, revealsAtStudioMs: undefined };
    expect(
      decideBetWindow(window, { frameStudioMs: OPEN + 5000, receivedAtMs: OPEN + 7000, allowanceMs: 300 }, BACCARAT),
    ).toEqual({
      accepted: true,
      basis: 'video',
    });
  });

  it('the allowance is the measured delay plus slack, capped by the mode and the reveal', () => {
    const wide: WindowPolicy = { ...BACCARAT, revealAfterCloseMs: 10_000 };
    expect(allowanceOf({ mode: 'webrtc', delayMs: 60, measuredAtMs: 0 }, 1, wide)).toBe(60 + wide.slackMs);
    expect(allowanceOf({ mode: 'webrtc', delayMs: 5000, measuredAtMs: 0 }, 1, wide)).toBe(
      wide.maxDelayMs.webrtc + wide.slackMs,
    );
    expect(allowanceOf({ mode: 'hls', delayMs: 5000, measuredAtMs: 0 }, 1, BACCARAT)).toBe(revealCapMs(BACCARAT));
    expect(allowanceOf({ mode: 'hls', delayMs: -1, measuredAtMs: 0 }, 1, wide)).toBeUndefined();
  });

  it('the last acceptance time is the reveal cap when it comes first', () => {
    expect(lastAcceptanceMs(CLOSE, CLOSE + 300, BACCARAT)).toBe(CLOSE + 300);
    const wide: WindowPolicy = { ...BACCARAT, revealAfterCloseMs: 60_000 };
    expect(lastAcceptanceMs(CLOSE, CLOSE + 60_000, wide)).toBe(CLOSE + wide.maxDelayMs.hls + wide.slackMs);
  });

  it('a close that took longer than closeMaxLagMs to arrive is moved to (arrival − lag)', () => {
    expect(appliedClose(CLOSE, CLOSE + 500, BACCARAT)).toBe(CLOSE);
    expect(appliedClose(CLOSE, CLOSE + BACCARAT.closeMaxLagMs + 700, BACCARAT)).toBe(CLOSE + 700);
  });
});
