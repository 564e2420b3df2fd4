import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countdownEnd } from '../src/countdown.js';

const CLOSE = 1_700_000_012_000;

describe('the countdown a player sees', () => {
  it('property: a click on or before the last safe frame arrives within what the server allows', () => {
    let checked = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 8000 }), // the player's real delay
        fc.integer({ min: 0, max: 400 }), // network to table-service
        fc.option(fc.integer({ min: 0, max: 6000 }), { nil: null }), // the server's allowance
        fc.integer({ min: 0, max: 10_000 }), // how far before the end they click
        (delay, network, allowance, before) => {
          const { endsAtStudioMs } = countdownEnd(CLOSE, delay, network, allowance);
          const frame = endsAtStudioMs - before;
          const arrival = frame + delay + network;
          if (allowance === null) expect(arrival).toBeLessThan(CLOSE);
          else expect(arrival).toBeLessThanOrEqual(CLOSE + allowance);
          expect(frame).toBeLessThan(CLOSE + 1);
          checked++;
        },
      ),
      { numRuns: 10_000 },
    );
    expect(checked).toBe(10_000);
  });

  it('ends at the close when the allowance covers the delay, earlier by the rest when it does not', () => {
    expect(countdownEnd(CLOSE, 80, 20, 250)).toEqual({ endsAtStudioMs: CLOSE, handicapMs: 0 });
    expect(countdownEnd(CLOSE, 2100, 30, 300)).toEqual({ endsAtStudioMs: CLOSE - 1830, handicapMs: 1830 });
    expect(countdownEnd(CLOSE, 50, 10, null)).toEqual({ endsAtStudioMs: CLOSE - 61, handicapMs: 61 });
  });
});
