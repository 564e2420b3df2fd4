import { ERRORS, type ErrorCode } from '@live-casino/protocol';
import { describe, expect, it } from 'vitest';
import { BACKOFF, backoffDelay, HEALTHY_AFTER_MS, planRecovery, RetryCounter, type Trouble } from '../src/recovery.js';
import { RingBuffer } from '../src/RingBuffer.js';
import { parseRoute, routeHref } from '../src/routing.js';
import { type ClientErrorCode, describeProblem, toViewerError, ViewerFailure } from '../src/viewerErrors.js';

const noJitter = () => 0;
const err = (code: ErrorCode | ClientErrorCode): Trouble => ({ kind: 'error', error: { code, message: code } });

describe('backoff', () => {
  it('doubles from 250 ms and caps at 4 s', () => {
    expect([0, 1, 2, 3, 4, 5, 20].map((a) => backoffDelay(a, noJitter))).toEqual([
      250, 500, 1000, 2000, 4000, 4000, 4000,
    ]);
  });

  it('jitters down by at most 20 %, never above the cap', () => {
    for (let attempt = 0; attempt < 8; attempt++) {
      const base = backoffDelay(attempt, noJitter);
      expect(backoffDelay(attempt, () => 0.999)).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
      expect(backoffDelay(attempt, () => 0.5)).toBeLessThanOrEqual(BACKOFF.maxMs);
    }
  });
});

describe('planRecovery', () => {
  it('rejoins at once after a media reset, then backs off if it keeps happening', () => {
    const trouble: Trouble = { kind: 'mediaReset', reason: 'origin worker died' };
    expect(planRecovery(trouble, 0, 'webrtc', noJitter)).toMatchObject({
      action: 'rejoin',
      delayMs: 0,
      showToUser: false,
    });
    expect(planRecovery(trouble, 2, 'webrtc', noJitter)).toMatchObject({ action: 'rejoin', delayMs: 1000 });
    expect(planRecovery(trouble, 0, 'webrtc', noJitter).error.code).toBe('MEDIA_RESET');
  });

  it('rejoins with backoff on transport, socket, consumer and stall troubles', () => {
    const troubles: Trouble[] = [
      { kind: 'transport', state: 'failed' },
      { kind: 'transport', state: 'disconnected' },
      { kind: 'socket', reason: 'transport close' },
      { kind: 'consumerClosed', reason: 'transportclose' },
      { kind: 'consumerClosed', reason: 'producerclose' },
      { kind: 'stalled', forMs: 3200 },
    ];
    for (const trouble of troubles) {
      expect(planRecovery(trouble, 0, 'webrtc', noJitter)).toMatchObject({ action: 'rejoin', delayMs: 250 });
      expect(planRecovery(trouble, 3, 'webrtc', noJitter)).toMatchObject({ action: 'rejoin', delayMs: 2000 });
    }
  });

  it('waits for a producer in place when a WebRTC table is not live; HLS polls by rejoining', () => {
    expect(planRecovery(err('TABLE_NOT_LIVE'), 0, 'webrtc', noJitter)).toMatchObject({
      action: 'awaitProducer',
      delayMs: 250,
      showToUser: true,
    });
    expect(planRecovery(err('TABLE_NOT_LIVE'), 6, 'webrtc', noJitter).delayMs).toBe(4000);
    expect(planRecovery(err('TABLE_NOT_LIVE'), 1, 'hls', noJitter)).toMatchObject({ action: 'rejoin', delayMs: 500 });
  });

  it('gives up on what no retry can fix', () => {
    for (const code of ['TABLE_NOT_FOUND', 'AUTH_WRONG_TABLE', 'AUTH_FORBIDDEN_ROLE', 'MEDIA_UNSUPPORTED'] as const) {
      expect(planRecovery(err(code), 0, 'webrtc').action).toBe('giveUp');
    }
  });

  it('retries "cannot consume" a few times (a router being rebuilt says it too), then gives up', () => {
    expect(planRecovery(err('MEDIA_CANNOT_CONSUME'), 0, 'webrtc', noJitter)).toMatchObject({
      action: 'rejoin',
      showToUser: false,
    });
    expect(planRecovery(err('MEDIA_CANNOT_CONSUME'), 2, 'webrtc', noJitter).action).toBe('rejoin');
    expect(planRecovery(err('MEDIA_CANNOT_CONSUME'), 3, 'webrtc', noJitter)).toMatchObject({
      action: 'giveUp',
      showToUser: true,
    });
  });

  it('fetches a fresh grant quietly when a token expired', () => {
    expect(planRecovery(err('AUTH_TOKEN_EXPIRED'), 0, 'webrtc', noJitter)).toMatchObject({
      action: 'rejoin',
      showToUser: false,
    });
    expect(planRecovery(err('AUTH_TOKEN_EXPIRED'), 2, 'webrtc', noJitter).showToUser).toBe(true);
  });

  it('tells the player about network trouble only once retries keep failing', () => {
    expect(planRecovery(err('NETWORK_UNREACHABLE'), 0, 'webrtc').showToUser).toBe(false);
    expect(planRecovery(err('NETWORK_UNREACHABLE'), 1, 'webrtc').showToUser).toBe(false);
    expect(planRecovery(err('NETWORK_UNREACHABLE'), 2, 'webrtc').showToUser).toBe(true);
  });

  it('waits at least 2 s when the server says it is overloaded', () => {
    expect(planRecovery(err('RATE_LIMITED'), 0, 'webrtc', noJitter).delayMs).toBe(2000);
    expect(planRecovery(err('SERVICE_UNAVAILABLE'), 5, 'hls', noJitter).delayMs).toBe(4000);
  });
});

describe('RetryCounter', () => {
  it('counts failures and forgives them after healthy playback', () => {
    const retries = new RetryCounter();
    retries.failed();
    retries.failed();
    expect(retries.attempt).toBe(2);
    retries.frame(1000);
    retries.frame(1000 + HEALTHY_AFTER_MS - 1);
    expect(retries.attempt).toBe(2);
    retries.frame(1000 + HEALTHY_AFTER_MS);
    expect(retries.attempt).toBe(0);
  });

  it('does not forgive a stream that dies right after its first frames', () => {
    const retries = new RetryCounter();
    retries.failed();
    retries.frame(0);
    retries.frame(500);
    retries.failed();
    retries.frame(HEALTHY_AFTER_MS + 100); // first frame of the next session
    expect(retries.attempt).toBe(2);
  });
});

describe('problems shown to the player', () => {
  const clientCodes: ClientErrorCode[] = [
    'NETWORK_UNREACHABLE',
    'SFU_UNREACHABLE',
    'ICE_FAILED',
    'SIGNALLING_TIMEOUT',
    'AUTOPLAY_BLOCKED',
    'MEDIA_UNSUPPORTED',
    'MEDIA_DECODE',
    'MEDIA_RESET',
    'STALLED',
    'HLS_NETWORK',
  ];

  it('every error code has a message for both modes', () => {
    for (const code of [...(Object.keys(ERRORS) as ErrorCode[]), ...clientCodes]) {
      for (const mode of ['webrtc', 'hls'] as const) {
        const view = describeProblem({ code, message: 'x' }, mode);
        expect(view.title.length).toBeGreaterThan(0);
        expect(view.detail.length).toBeGreaterThan(0);
      }
    }
  });

  it('offers the action that fixes it', () => {
    expect(describeProblem({ code: 'AUTOPLAY_BLOCKED', message: '' }, 'webrtc').action).toBe('tapToPlay');
    expect(describeProblem({ code: 'ICE_FAILED', message: '' }, 'webrtc').action).toBe('switchToHls');
    expect(describeProblem({ code: 'ICE_FAILED', message: '' }, 'hls').action).toBe('retry');
    expect(describeProblem({ code: 'TABLE_NOT_LIVE', message: '' }, 'hls').title).toMatch(/not live/);
  });

  it('turns anything thrown into a typed error', () => {
    expect(toViewerError(new ViewerFailure('TABLE_NOT_LIVE', 'no video'))).toEqual({
      code: 'TABLE_NOT_LIVE',
      message: 'no video',
    });
    expect(toViewerError({ code: 'AUTH_TOKEN_EXPIRED', message: 'late' }).code).toBe('AUTH_TOKEN_EXPIRED');
    const unsupported = Object.assign(new Error('no WebRTC'), { name: 'UnsupportedError' });
    expect(toViewerError(unsupported).code).toBe('MEDIA_UNSUPPORTED');
    expect(toViewerError('boom')).toEqual({ code: 'INTERNAL', message: 'boom' });
  });
});

describe('RingBuffer', () => {
  it('keeps the last N items, oldest first', () => {
    const ring = new RingBuffer<number>(3);
    expect(ring.toArray()).toEqual([]);
    expect(ring.last()).toBeUndefined();
    for (let i = 1; i <= 5; i++) ring.push(i);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.size).toBe(3);
    expect(ring.last()).toBe(5);
    ring.clear();
    expect(ring.toArray()).toEqual([]);
    ring.push(9);
    expect(ring.toArray()).toEqual([9]);
  });
});

describe('routes', () => {
  it('reads the table page from the query string and falls back to the lobby', () => {
    expect(parseRoute('')).toEqual({ page: 'lobby' });
    expect(parseRoute('?table=Bad_Id')).toEqual({ page: 'lobby' });
    expect(parseRoute('?table=roulette-1')).toEqual({
      page: 'table',
      tableId: 'roulette-1',
      mode: 'webrtc',
      measure: false,
    });
    expect(parseRoute('?table=baccarat-2&mode=hls&measure=1')).toEqual({
      page: 'table',
      tableId: 'baccarat-2',
      mode: 'hls',
      measure: true,
    });
    expect(routeHref({ page: 'table', tableId: 't1', mode: 'hls', measure: true })).toBe(
      '/?table=t1&mode=hls&measure=1',
    );
    expect(routeHref({ page: 'lobby' })).toBe('/');
  });
});
