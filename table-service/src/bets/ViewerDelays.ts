import { VIEWER_DELAY_MAX_AGE_MS, type ViewerDelay, ViewerDelay as ViewerDelaySchema } from '@live-casino/protocol';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Logger } from 'pino';
import type { DeliveryMode, MeasuredDelay } from '../rounds/BettingWindow.js';

/** One measurement of a player's stream session, as the sfu reports it (`GET /internal/viewer-delays`). */
export type ViewerDelaySample = ViewerDelay;

const checkSample = TypeCompiler.Compile(ViewerDelaySchema);

/**
 * Players' playout delays as the sfu measured them for their own stream sessions: what the betting
 * window honours (a client's own report only says which of its sessions it watches). The sfu is
 * polled on its internal listener; every node polls for itself, so a bet is judged by the node that
 * receives it with no shared state. Without an sfu to ask (tests, a table-service alone) nothing is
 * measured and every bet is judged on the server clock.
 */
export class ViewerDelays {
  readonly #samples = new Map<string, ViewerDelaySample>();
  readonly #sfuInternalUrl: string | undefined;
  readonly #log: Logger | undefined;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #failures = 0;
  #closed = false;

  private constructor(opts: { sfuInternalUrl?: string; log?: Logger; intervalMs?: number }) {
    this.#sfuInternalUrl = opts.sfuInternalUrl;
    this.#log = opts.log?.child({ component: 'viewer-delays' });
    this.#intervalMs = opts.intervalMs ?? 1000;
  }

  /** Polls `sfuInternalUrl` when given; otherwise only `record` feeds it. */
  static create(opts: { sfuInternalUrl?: string; log?: Logger; intervalMs?: number } = {}): ViewerDelays {
    const delays = new ViewerDelays(opts);
    if (opts.sfuInternalUrl) delays.#schedule(0);
    return delays;
  }

  record(sample: ViewerDelaySample): void {
    const key = keyOf(sample.playerId, sample.tableId, sample.mode);
    const prior = this.#samples.get(key);
    if (!prior || prior.measuredAtMs <= sample.measuredAtMs) this.#samples.set(key, sample);
  }

  /**
   * The player's measured delay at this table: the shortest of their sessions there. A second,
   * faster view beside a slow one is exactly what the window must not reward, so whatever mode the
   * player says they watch in, the fastest stream they hold bounds them.
   */
  get(playerId: string, tableId: string, nowMs = Date.now()): MeasuredDelay | undefined {
    let best: MeasuredDelay | undefined;
    for (const mode of ['webrtc', 'hls'] as const) {
      const s = this.#samples.get(keyOf(playerId, tableId, mode));
      if (!s || nowMs - s.measuredAtMs > 60_000) continue;
      if (!best || s.delayMs < best.delayMs) best = { mode: s.mode, delayMs: s.delayMs, measuredAtMs: s.measuredAtMs };
    }
    return best;
  }

  /**
   * People watching each table: the distinct subjects the sfu measured a stream session of in the
   * last `freshMs` (WebRTC and HLS alike; a player with both counts once).
   */
  watchers(nowMs = Date.now(), freshMs: number = VIEWER_DELAY_MAX_AGE_MS): Map<string, number> {
    const subjects = new Map<string, Set<string>>();
    for (const s of this.#samples.values()) {
      if (nowMs - s.measuredAtMs > freshMs) continue;
      const set = subjects.get(s.tableId) ?? new Set<string>();
      set.add(s.playerId);
      subjects.set(s.tableId, set);
    }
    return new Map([...subjects].map(([tableId, set]) => [tableId, set.size]));
  }

  #schedule(delayMs: number): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#polling = this.#poll().finally(() => {
        this.#polling = undefined;
        this.#schedule(this.#intervalMs);
      });
    }, delayMs);
    this.#timer.unref();
  }

  async #poll(): Promise<void> {
    try {
      const res = await fetch(`${this.#sfuInternalUrl}/internal/viewer-delays`, { signal: AbortSignal.timeout(2000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = (await res.json()) as { viewers?: unknown };
      for (const v of Array.isArray(body.viewers) ? body.viewers : []) {
        if (checkSample.Check(v)) this.record(v);
      }
      this.#prune(Date.now());
      this.#failures = 0;
    } catch (err) {
      // Logged once per outage: measurements then age out and bets fall back to the server clock.
      if (this.#failures++ === 0) this.#log?.warn({ err: String(err) }, 'sfu viewer delays unavailable');
    }
  }

  #prune(nowMs: number): void {
    for (const [key, s] of this.#samples) if (nowMs - s.measuredAtMs > 60_000) this.#samples.delete(key);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#polling;
  }
}

function keyOf(playerId: string, tableId: string, mode: DeliveryMode): string {
  return `${mode}\u0000${tableId}\u0000${playerId}`;
}
