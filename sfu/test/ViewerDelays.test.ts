import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HLS_DELAY_WINDOW, ViewerDelays } from '../src/ViewerDelays.js';

describe('ViewerDelays', () => {
  it('keeps one entry per (player, table, mode), the latest, and forgets those older than 10 s', () => {
    const d = new ViewerDelays();
    d.recordWebRtc('p1', 'roulette-1', 180.4, 1_000);
    d.recordWebRtc('p1', 'roulette-1', 210.6, 3_000);
    d.recordWebRtc('p1', 'baccarat-1', 170, 3_000);
    d.recordHlsFetch('p1', 'roulette-1', 500, 3_000);
    expect(d.list(4_000)).toEqual([
      { playerId: 'p1', tableId: 'roulette-1', mode: 'webrtc', delayMs: 211, measuredAtMs: 3_000 },
      { playerId: 'p1', tableId: 'baccarat-1', mode: 'webrtc', delayMs: 170, measuredAtMs: 3_000 },
      { playerId: 'p1', tableId: 'roulette-1', mode: 'hls', delayMs: 2_500, measuredAtMs: 3_000 },
    ]);
    expect(d.list(13_000)).toHaveLength(3);
    expect(d.list(13_001)).toEqual([]);
  });

  it('an HLS session is the largest delay of its last few fetches; a session idle for 10 s starts afresh', () => {
    const d = new ViewerDelays();
    const hls = (now: number) => d.list(now).find((v) => v.mode === 'hls')?.delayMs;
    d.recordHlsFetch('p', 't', 1_000, 3_000); // 2000
    d.recordHlsFetch('p', 't', 2_500, 4_000); // 1500
    expect(hls(4_000)).toBe(2_000);
    for (let i = 0; i < HLS_DELAY_WINDOW; i++) d.recordHlsFetch('p', 't', 4_000 + i * 500, 5_000 + i * 500); // 1000 each
    expect(hls(7_000)).toBe(1_000);
    d.recordHlsFetch('p', 't', 20_000, 20_100); // idle > 10 s: only this fetch counts
    expect(hls(20_100)).toBe(100);
  });

  it('never lists a negative or fractional delay, whatever the clocks say', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), fc.integer({ min: -1e6, max: 1e6 }), (a, b) => {
        const d = new ViewerDelays();
        d.recordWebRtc('p', 't', a, 1_000);
        d.recordHlsFetch('p', 't', b, 1_000);
        return d.list(1_000).every((v) => Number.isInteger(v.delayMs) && v.delayMs >= 0);
      }),
    );
  });
});
