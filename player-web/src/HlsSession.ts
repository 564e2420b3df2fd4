import type { StreamGrant } from '@live-casino/protocol';
import type Hls from 'hls.js';
import type { ErrorData, HlsConfig } from 'hls.js';
import { type GrantFetcher, GrantKeeper } from './GrantKeeper.js';
import { playVideo } from './playback.js';
import type { Trouble } from './recovery.js';
import { FragmentTimeline } from './studioTime.js';
import type { MediaSession, SessionHooks } from './TableClientTypes.js';
import { toViewerError, ViewerFailure } from './viewerErrors.js';

export interface HlsSessionOptions {
  tableId: string;
  video: HTMLVideoElement;
  fetchGrant: GrantFetcher;
  hooks: SessionHooks;
}

const retry = (maxNumRetry: number) => ({ maxNumRetry, retryDelayMs: 250, maxRetryDelayMs: 1000 });

/**
 * Low latency over plain HLS with ~0.5 s segments: sit ~1.2 s behind the playlist's live edge
 * (two to three segments, enough to ride out one late playlist refresh), speed up slightly when
 * behind, and jump when more than 3 s behind. Small forward and back buffers: this is live, there
 * is nothing to buffer ahead of the edge. hls.js gives up early and TableClient's own backoff
 * (with a fresh grant) takes over; a 4xx (table not live) is never retried by hls.js.
 */
export const HLS_CONFIG: Partial<HlsConfig> = {
  lowLatencyMode: true,
  liveSyncDuration: 1.2,
  liveMaxLatencyDuration: 3,
  maxLiveSyncPlaybackRate: 1.15,
  initialLiveManifestSize: 1,
  maxBufferLength: 3,
  maxMaxBufferLength: 6,
  backBufferLength: 4,
  startFragPrefetch: true,
  enableWorker: true,
  manifestLoadPolicy: {
    default: { maxTimeToFirstByteMs: 4000, maxLoadTimeMs: 8000, timeoutRetry: retry(1), errorRetry: retry(1) },
  },
  playlistLoadPolicy: {
    default: { maxTimeToFirstByteMs: 4000, maxLoadTimeMs: 8000, timeoutRetry: retry(2), errorRetry: retry(2) },
  },
  fragLoadPolicy: {
    default: { maxTimeToFirstByteMs: 4000, maxLoadTimeMs: 8000, timeoutRetry: retry(2), errorRetry: retry(3) },
  },
};

/** recoverMediaError is tried this many times per window before the session is rebuilt. */
const MEDIA_RECOVERIES = { max: 2, windowMs: 10_000 };

/**
 * One HLS playback of a table through hls.js (native HLS where MSE is missing, e.g. iPhone
 * Safari). Studio time comes from EXT-X-PROGRAM-DATE-TIME, which the sfu writes on every segment
 * as the studio time of its first frame.
 */
export class HlsSession implements MediaSession {
  readonly #opts: HlsSessionOptions;
  readonly #timeline = new FragmentTimeline();
  #hls: Hls | null = null;
  /** Refreshed before it runs out; the next playlist request carries the fresh token. */
  readonly #grants: GrantKeeper;
  #native = false;
  #closed = false;
  #attachedAt: number | null = null;
  #mediaRecoveries: number[] = [];
  #loadedBytes = 0;

  constructor(opts: HlsSessionOptions) {
    this.#opts = opts;
    this.#grants = new GrantKeeper({
      tableId: opts.tableId,
      fetchGrant: opts.fetchGrant,
      onRefresh: () => this.#opts.hooks.grantRefreshed(),
      onError: (err) => this.#report({ kind: 'error', error: toViewerError(err) }),
    });
  }

  get attachedAt(): number | null {
    return this.#attachedAt;
  }

  start(): void {
    void this.#start().catch((err: unknown) => this.#report({ kind: 'error', error: toViewerError(err) }));
  }

  async receivedBytes(): Promise<number | null> {
    return this.#native ? null : this.#loadedBytes;
  }

  studioTimeOf(metadata: VideoFrameCallbackMetadata): number | null {
    if (this.#native) {
      // Safari maps EXT-X-PROGRAM-DATE-TIME onto the media timeline itself.
      const start = (this.#opts.video as HTMLVideoElement & { getStartDate?: () => Date }).getStartDate?.().getTime();
      return start !== undefined && Number.isFinite(start) ? start + metadata.mediaTime * 1000 : null;
    }
    return this.#timeline.studioTimeAt(metadata.mediaTime);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#grants.close();
    if (this.#hls) {
      this.#hls.destroy();
      this.#hls = null;
    }
    if (this.#native) {
      this.#opts.video.removeAttribute('src');
      this.#opts.video.load();
    }
    this.#timeline.clear();
  }

  async #start(): Promise<void> {
    const [grant, { default: HlsClass }] = await Promise.all([this.#grants.fetch(), import('hls.js/light')]);
    if (this.#closed) return;
    const { video } = this.#opts;
    if (!HlsClass.isSupported()) {
      if (video.canPlayType('application/vnd.apple.mpegurl') === '') {
        throw new ViewerFailure('MEDIA_UNSUPPORTED', 'this browser has neither Media Source Extensions nor native HLS');
      }
      this.#startNative(grant);
      return;
    }
    const hls = new HlsClass({
      ...HLS_CONFIG,
      // Every playlist reload carries the newest token: the sfu signs the segment URIs of that
      // answer with it, so a refreshed grant keeps playback going past the old token's expiry.
      xhrSetup: (xhr, url) => {
        const current = this.#withCurrentToken(url);
        if (current !== url) xhr.open('GET', current, true);
      },
    });
    this.#hls = hls;
    this.#grants.keepFresh();
    const { Events } = HlsClass;
    hls.on(Events.FRAG_BUFFERED, (_event, { frag }) => {
      if (frag.type !== 'main' || typeof frag.sn !== 'number') return;
      this.#timeline.add({
        sn: frag.sn,
        cc: frag.cc,
        start: frag.start,
        duration: frag.duration,
        programDateTime: frag.programDateTime ?? null,
      });
    });
    hls.on(Events.FRAG_LOADED, (_event, { frag }) => {
      this.#loadedBytes += frag.stats.loaded;
    });
    hls.on(Events.MANIFEST_PARSED, () => playVideo(video, this.#opts.hooks));
    hls.on(Events.ERROR, (_event, data) => this.#onError(HlsClass, data));
    hls.attachMedia(video);
    hls.loadSource(grant.hlsUrl);
    this.#attachedAt = performance.now();
  }

  /** A playlist URL (the one with `t=`) with the current grant's token; other URLs unchanged. */
  #withCurrentToken(url: string): string {
    const grant = this.#grants.current;
    if (!grant) return url;
    const parsed = new URL(url, location.href);
    if (!parsed.searchParams.has('t')) return url;
    parsed.searchParams.set('t', grant.token);
    return parsed.toString();
  }

  #startNative(grant: StreamGrant): void {
    const { video } = this.#opts;
    this.#native = true;
    video.src = grant.hlsUrl;
    video.addEventListener(
      'error',
      () =>
        this.#report({
          kind: 'error',
          error: { code: 'HLS_NETWORK', message: video.error?.message || 'native HLS error' },
        }),
      { once: true },
    );
    this.#attachedAt = performance.now();
    playVideo(video, this.#opts.hooks);
  }

  #onError(HlsClass: typeof Hls, data: ErrorData): void {
    if (this.#closed || !data.fatal) return;
    const { ErrorTypes, ErrorDetails } = HlsClass;
    if (data.type === ErrorTypes.MEDIA_ERROR) {
      const now = performance.now();
      this.#mediaRecoveries = this.#mediaRecoveries.filter((t) => now - t < MEDIA_RECOVERIES.windowMs);
      if (this.#mediaRecoveries.length < MEDIA_RECOVERIES.max) {
        this.#mediaRecoveries.push(now);
        this.#hls?.recoverMediaError();
        return;
      }
      this.#report({
        kind: 'error',
        error: { code: 'MEDIA_DECODE', message: `${data.details}: ${data.error?.message ?? ''}`.trim() },
      });
      return;
    }
    if (data.type === ErrorTypes.NETWORK_ERROR) {
      const status = data.response?.code ?? 0;
      const playlist =
        data.details === ErrorDetails.MANIFEST_LOAD_ERROR ||
        data.details === ErrorDetails.LEVEL_LOAD_ERROR ||
        data.details === ErrorDetails.MANIFEST_PARSING_ERROR;
      // The sfu answers 409 TABLE_NOT_LIVE (404 from a CDN) while the table has no stream.
      if (playlist && (status === 404 || status === 409)) {
        this.#report({ kind: 'error', error: { code: 'TABLE_NOT_LIVE', message: 'the table has no HLS stream yet' } });
        return;
      }
      this.#report({
        kind: 'error',
        error: { code: 'HLS_NETWORK', message: `${data.details}${status ? ` (HTTP ${status})` : ''}` },
      });
      return;
    }
    this.#report({ kind: 'error', error: { code: 'MEDIA_DECODE', message: data.details } });
  }

  #report(trouble: Trouble): void {
    if (this.#closed) return;
    this.#opts.hooks.trouble(trouble);
  }
}
