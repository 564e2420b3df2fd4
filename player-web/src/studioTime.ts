import { rtpTimestampDelta, rtpToStudioTime } from '@live-casino/media';
import type { StudioClockMapping } from '@live-casino/protocol';

/**
 * Studio time of the frame on screen, from what the browser tells about it: the RTP timestamp of a
 * WebRTC frame (the sfu forwards them unchanged) or the media time of an HLS frame. Pure: no DOM.
 */

type Anchor = Pick<StudioClockMapping, 'rtpTimestamp' | 'studioTimeMs' | 'clockRate'>;

/**
 * A signed 32-bit delta is only unambiguous within half the RTP circle (6.6 h at 90 kHz). Past a
 * quarter of it the anchor is moved up to the current frame, so a viewer can watch for days.
 */
const REANCHOR_TICKS = 2 ** 30;
/** Sender-report mappings kept per producer: the newest and the one before (frames in flight). */
const MAX_ANCHORS = 2;

export function isStudioClockMapping(value: unknown): value is StudioClockMapping {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.producerId === 'string' &&
    typeof v.rtpTimestamp === 'number' &&
    Number.isInteger(v.rtpTimestamp) &&
    v.rtpTimestamp >= 0 &&
    v.rtpTimestamp < 2 ** 32 &&
    typeof v.studioTimeMs === 'number' &&
    Number.isFinite(v.studioTimeMs) &&
    typeof v.clockRate === 'number' &&
    Number.isFinite(v.clockRate) &&
    v.clockRate > 0
  );
}

/**
 * One producer's RTP clock placed on the studio clock. A new sender-report mapping (the publisher
 * restarted or its clock jumped) takes over for frames captured after it; frames already in the
 * jitter buffer, captured before it, keep the previous mapping so the studio time does not jump
 * backwards or by hours for the few hundred milliseconds the switch takes to reach the screen.
 */
export class RtpStudioClock {
  /** Newest first. */
  #anchors: Anchor[] = [];
  #lastStudioTimeMs: number | null = null;

  update(mapping: Anchor): void {
    const anchor = {
      rtpTimestamp: mapping.rtpTimestamp >>> 0,
      studioTimeMs: mapping.studioTimeMs,
      clockRate: mapping.clockRate,
    };
    this.#anchors = [anchor, ...this.#anchors].slice(0, MAX_ANCHORS);
  }

  get known(): boolean {
    return this.#anchors.length > 0;
  }

  studioTimeOf(rtpTimestamp: number): number | null {
    const newest = this.#anchors[0];
    if (!newest) return null;
    const rtp = rtpTimestamp >>> 0;
    let index = 0;
    const previous = this.#anchors[1];
    if (previous && rtpTimestampDelta(newest.rtpTimestamp, rtp) < 0 && this.#lastStudioTimeMs !== null) {
      // Captured before the newest sender report: the older mapping may still be the right one.
      const last = this.#lastStudioTimeMs;
      const viaNewest = rtpToStudioTime(newest, rtp);
      const viaPrevious = rtpToStudioTime(previous, rtp);
      if (Math.abs(viaPrevious - last) < Math.abs(viaNewest - last)) index = 1;
    }
    if (index === 0 && previous) this.#anchors = [newest];
    const anchor = this.#anchors[index] as Anchor;
    const studioTimeMs = rtpToStudioTime(anchor, rtp);
    if (Math.abs(rtpTimestampDelta(anchor.rtpTimestamp, rtp)) > REANCHOR_TICKS) {
      this.#anchors[index] = { rtpTimestamp: rtp, studioTimeMs, clockRate: anchor.clockRate };
    }
    this.#lastStudioTimeMs = studioTimeMs;
    return studioTimeMs;
  }
}

/** The RTP→studio clocks of every producer a viewer consumes. */
export class StudioClockBook {
  readonly #clocks = new Map<string, RtpStudioClock>();

  update(mapping: StudioClockMapping): void {
    let clock = this.#clocks.get(mapping.producerId);
    if (!clock) {
      clock = new RtpStudioClock();
      this.#clocks.set(mapping.producerId, clock);
    }
    clock.update(mapping);
  }

  has(producerId: string): boolean {
    return this.#clocks.get(producerId)?.known ?? false;
  }

  studioTimeOf(producerId: string, rtpTimestamp: number | undefined): number | null {
    if (rtpTimestamp === undefined) return null;
    return this.#clocks.get(producerId)?.studioTimeOf(rtpTimestamp) ?? null;
  }

  delete(producerId: string): void {
    this.#clocks.delete(producerId);
  }

  clear(): void {
    this.#clocks.clear();
  }
}

/** What the player keeps of an HLS fragment once its media is in the buffer. */
export interface FragmentTiming {
  sn: number;
  /** Discontinuity counter (EXT-X-DISCONTINUITY): a new packager run, a new time origin. */
  cc: number;
  /** Media-timeline seconds of the fragment's first frame (hls.js sets it from the parsed PTS). */
  start: number;
  duration: number;
  /** EXT-X-PROGRAM-DATE-TIME: studio time of the fragment's first frame, epoch ms. */
  programDateTime: number | null;
}

/** Slack for float noise between a frame's media time and its fragment's start. */
const FRAGMENT_EDGE_S = 0.002;
/** A frame this far past the end of the nearest fragment belongs to one we have not seen. */
const FRAGMENT_GAP_S = 0.25;

/** Offsets closer than this (ms) are the same offset, up to the rounding of dates and PTS. */
const OFFSET_SLACK_MS = 2;

/**
 * Studio time minus media time (ms) of the fragments of one packager run: a single number, since
 * each program date time is its fragment's first frame and media time follows the PTS. But hls.js
 * moves a fragment's first frame (and so its `start`) back to close a hole before it (frames the
 * studio skipped at a segment boundary), or forward over a small overlap; only that fragment's
 * offset is then off, by the hole. So the offset most fragments of the run agree on is taken (the
 * earliest of equals: the first fragment of a run is never moved).
 */
function runOffset(fragments: readonly FragmentTiming[], cc: number): number | null {
  let best: number | null = null;
  let bestVotes = 0;
  const offsets = fragments
    .filter((f) => f.cc === cc && f.programDateTime !== null)
    .map((f) => (f.programDateTime as number) - f.start * 1000);
  for (const candidate of offsets) {
    let votes = 0;
    for (const other of offsets) if (Math.abs(other - candidate) <= OFFSET_SLACK_MS) votes++;
    if (votes > bestVotes) {
      best = candidate;
      bestVotes = votes;
    }
  }
  return best;
}

/**
 * Studio time of the frame at `mediaTime`: media time plus the studio offset of its fragment's
 * packager run (see `runOffset`). `fragments` sorted by start. Null when no known fragment holds
 * that time.
 */
export function hlsStudioTime(
  fragments: readonly FragmentTiming[],
  mediaTime: number,
  /** A packager run's offset known better than by the fragments' vote (FragmentTimeline's anchors). */
  anchorOf?: (cc: number) => number | undefined,
): number | null {
  let lo = 0;
  let hi = fragments.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((fragments[mid] as FragmentTiming).start <= mediaTime + FRAGMENT_EDGE_S) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  const frag = fragments[found];
  if (!frag || frag.programDateTime === null) return null;
  if (mediaTime > frag.start + frag.duration + FRAGMENT_GAP_S) return null;
  // A fragment's first frame is its program date time, wherever hls.js moved it.
  if (Math.abs(mediaTime - frag.start) <= FRAGMENT_EDGE_S) return frag.programDateTime;
  const offset = anchorOf?.(frag.cc) ?? runOffset(fragments, frag.cc);
  return offset === null ? null : offset + Math.max(frag.start, mediaTime) * 1000;
}

/** The fragments recently buffered, in media-timeline order, for `hlsStudioTime`. */
export class FragmentTimeline {
  readonly #capacity: number;
  #fragments: FragmentTiming[] = [];
  /**
   * Studio offset of each packager run, from the earliest fragment this player buffered of it
   * (refined when hls.js buffers it again): hls.js has nothing before that fragment to align it
   * with, so it never moves it over a hole. Kept after the
   * fragment itself leaves the window; a loaded studio skips frames at many segment boundaries, and
   * a vote among the moved fragments that remain can then pick a wrong offset (hundreds of ms).
   */
  readonly #anchors = new Map<number, { sn: number; offset: number }>();

  constructor(capacity = 64) {
    this.#capacity = capacity;
  }

  add(frag: FragmentTiming): void {
    const anchor = this.#anchors.get(frag.cc);
    if (frag.programDateTime !== null && (!anchor || frag.sn <= anchor.sn)) {
      this.#anchors.set(frag.cc, { sn: frag.sn, offset: frag.programDateTime - frag.start * 1000 });
    }
    const kept = this.#fragments.filter((f) => f.sn !== frag.sn && Math.abs(f.start - frag.start) > FRAGMENT_EDGE_S);
    kept.push({ ...frag });
    kept.sort((a, b) => a.start - b.start);
    this.#fragments = kept.slice(-this.#capacity);
  }

  studioTimeAt(mediaTime: number): number | null {
    return hlsStudioTime(this.#fragments, mediaTime, (cc) => this.#anchors.get(cc)?.offset);
  }

  get fragments(): readonly FragmentTiming[] {
    return this.#fragments;
  }

  clear(): void {
    this.#fragments = [];
    this.#anchors.clear();
  }
}

/** `HH:MM:SS.mmm` of a studio time, in UTC (the studio clock is UTC wall time). */
export function formatStudioTime(studioTimeMs: number | null): string {
  if (studioTimeMs === null || !Number.isFinite(studioTimeMs)) return '--:--:--.---';
  const ms = Math.floor(studioTimeMs);
  const d = new Date(ms);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}
