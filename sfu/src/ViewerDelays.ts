import { VIEWER_DELAY_MAX_AGE_MS, type ViewerDelay } from '@live-casino/protocol';

export type DelayMode = ViewerDelay['mode'];

/** HLS segment fetches a session's delay is the largest of. */
export const HLS_DELAY_WINDOW = 5;

interface Entry {
  playerId: string;
  tableId: string;
  mode: DelayMode;
  delayMs: number;
  measuredAtMs: number;
  /** HLS only: the latest fetch delays, newest last. */
  recent: number[];
}

/**
 * The sfu's own measurements of each player's playout delay per table and delivery mode, as
 * table-service reads them from `GET /internal/viewer-delays`. Only what the server saw goes in:
 * for WebRTC the ingest delay plus RTT/2 plus a playout margin, for HLS how old each segment was
 * when the player fetched it. Pure: the clock is passed in.
 */
export class ViewerDelays {
  readonly #entries = new Map<string, Entry>();
  readonly #maxAgeMs: number;

  constructor(maxAgeMs = VIEWER_DELAY_MAX_AGE_MS) {
    this.#maxAgeMs = maxAgeMs;
  }

  /** A WebRTC measurement replaces the previous one (each already spans the whole path). */
  recordWebRtc(playerId: string, tableId: string, delayMs: number, nowMs: number): void {
    this.#put({ playerId, tableId, mode: 'webrtc', delayMs: clampMs(delayMs), measuredAtMs: nowMs, recent: [] });
  }

  /**
   * A segment fetch: the player cannot see a frame before fetching its segment, so its delay is at
   * least fetch time minus the studio time of the segment's first frame. The session's delay is the
   * largest over its last few fetches (one fetched early from a fresh playlist says little).
   */
  recordHlsFetch(playerId: string, tableId: string, segmentStudioStartMs: number, nowMs: number): void {
    const key = keyOf(playerId, tableId, 'hls');
    const previous = this.#entries.get(key);
    const fresh = previous && nowMs - previous.measuredAtMs <= this.#maxAgeMs ? previous.recent : [];
    const recent = [...fresh, clampMs(nowMs - segmentStudioStartMs)].slice(-HLS_DELAY_WINDOW);
    this.#put({ playerId, tableId, mode: 'hls', delayMs: Math.max(...recent), measuredAtMs: nowMs, recent });
  }

  /** Sessions measured within the last `maxAgeMs`, one per (player, table, mode); forgets older ones. */
  list(nowMs: number): ViewerDelay[] {
    const out: ViewerDelay[] = [];
    for (const [key, e] of this.#entries) {
      if (nowMs - e.measuredAtMs > this.#maxAgeMs) {
        this.#entries.delete(key);
        continue;
      }
      out.push({
        playerId: e.playerId,
        tableId: e.tableId,
        mode: e.mode,
        delayMs: e.delayMs,
        measuredAtMs: e.measuredAtMs,
      });
    }
    return out;
  }

  /** Drops what is older than `maxAgeMs` (called now and then, so departed viewers do not pile up). */
  prune(nowMs: number): void {
    for (const [key, e] of this.#entries) if (nowMs - e.measuredAtMs > this.#maxAgeMs) this.#entries.delete(key);
  }

  #put(entry: Entry): void {
    this.#entries.set(keyOf(entry.playerId, entry.tableId, entry.mode), entry);
  }
}

function keyOf(playerId: string, tableId: string, mode: DelayMode): string {
  return `${mode}\n${tableId}\n${playerId}`;
}

function clampMs(ms: number): number {
  return Number.isFinite(ms) ? Math.max(0, Math.round(ms)) : 0;
}
