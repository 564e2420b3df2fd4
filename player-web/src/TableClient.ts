import { Emitter } from './Emitter.js';
import type { GrantFetcher } from './GrantKeeper.js';
import { backoffDelay, planRecovery, RetryCounter, STALL_MS, type Trouble } from './recovery.js';
import { type FrameSample, StudioClockReader } from './StudioClockReader.js';
import { createStore, type Store } from './store.js';
import type {
  MediaSession,
  PlaybackMode,
  TableClientEvents,
  TableClientOptions,
  ViewerState,
  ViewerStatus,
} from './TableClientTypes.js';
import { assertUnreachable, type ViewerError } from './viewerErrors.js';

/** Frame-rate values reach the store at most this often; `snapshot()` is always current. */
const PUBLISH_INTERVAL_MS = 100;
const WATCHDOG_INTERVAL_MS = 500;
const BITRATE_INTERVAL_MS = 2_000;
/** A fresh session that shows no frame for this long is as dead as a stalled one. */
const FIRST_FRAME_TIMEOUT_MS = 10_000;

/**
 * The player's view of one table: owns the media session (WebRTC through the sfu, or HLS), keeps
 * it alive through every failure it can recover from, and follows the studio time of the frame on
 * screen. Components only read `store`.
 */
export class TableClient {
  readonly tableId: string;
  readonly mode: PlaybackMode;
  readonly store: Store<ViewerState>;
  readonly observer = new Emitter<TableClientEvents>();
  readonly #video: HTMLVideoElement;
  readonly #reader: StudioClockReader;
  readonly #fetchGrant: GrantFetcher;
  readonly #retries = new RetryCounter();
  #session: MediaSession | null = null;
  /** Bumped per session start, so a session that loads late after a retry or close is dropped. */
  #generation = 0;
  #sessionPlayed = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #meter: ReturnType<typeof setInterval> | undefined;
  /** The last byte count read, of which session: a new session starts its count again. */
  #metered: { session: MediaSession; bytes: number; at: number } | null = null;
  /** performance.now() of the last sign of life the stall watchdog measures from. */
  #progressAt = 0;
  #lastPublishAt = 0;
  #live = { framesPresented: 0, lastStudioTimeMs: null as number | null, playoutDelayMs: null as number | null };
  #closed = false;

  private constructor(opts: TableClientOptions) {
    this.tableId = opts.tableId;
    this.mode = opts.mode;
    this.#video = opts.videoElement;
    this.#fetchGrant = opts.fetchGrant;
    // Autoplay without a gesture is only allowed muted; inline so phones do not go fullscreen.
    this.#video.muted = true;
    this.#video.playsInline = true;
    this.#video.autoplay = true;
    this.store = createStore<ViewerState>({
      tableId: opts.tableId,
      mode: opts.mode,
      status: 'connecting',
      framesPresented: 0,
      lastStudioTimeMs: null,
      playoutDelayMs: null,
      bitrateBps: null,
      reconnects: 0,
      grantRefreshes: 0,
      lastError: null,
      problem: null,
      muted: true,
    });
    this.#reader = new StudioClockReader(this.#video, {
      timeSource: (metadata) => this.#session?.studioTimeOf(metadata) ?? null,
      measure: opts.measure ?? false,
      onFrame: (sample) => this.#onFrame(sample),
    });
  }

  static create(opts: TableClientOptions): TableClient {
    const client = new TableClient(opts);
    client.#reader.start();
    client.#watchdog = setInterval(() => client.#checkStall(), WATCHDOG_INTERVAL_MS);
    client.#meter = setInterval(() => void client.#meterBitrate(), BITRATE_INTERVAL_MS);
    document.addEventListener('visibilitychange', client.#onVisibility);
    client.#startSession();
    return client;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The state with per-frame values as of now (the store lags them by up to 100 ms). */
  snapshot(): ViewerState {
    return { ...this.store.getState(), ...this.#live };
  }

  samples(): FrameSample[] {
    return this.#reader.samples();
  }

  clearSamples(): void {
    this.#reader.clear();
  }

  /** Starts playback from a user gesture, after the browser blocked autoplay. */
  play(): void {
    this.#progressAt = performance.now();
    this.#video.play().then(
      () => {
        if (this.store.getState().problem?.code === 'AUTOPLAY_BLOCKED') this.store.setState({ problem: null });
      },
      () => undefined,
    );
  }

  setMuted(muted: boolean): void {
    this.#video.muted = muted;
    this.store.setState({ muted });
    if (!muted) this.play();
  }

  /** The user asked to try again now: forget the backoff. */
  retry(): void {
    if (this.#closed) return;
    this.#retries.reset();
    this.#teardown();
    this.#startSession();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    clearInterval(this.#watchdog);
    clearInterval(this.#meter);
    document.removeEventListener('visibilitychange', this.#onVisibility);
    this.#teardown();
    this.#reader.stop();
    this.#setStatus('idle');
    this.observer.emit('closed');
    this.observer.removeAllListeners();
  }

  #startSession(): void {
    if (this.#closed) return;
    clearTimeout(this.#retryTimer);
    const generation = ++this.#generation;
    this.#sessionPlayed = false;
    this.#progressAt = performance.now();
    // Media stacks load on demand: the lobby never pays for mediasoup-client or hls.js.
    void this.#createSession().then(
      (session) => {
        if (this.#closed || generation !== this.#generation) return;
        this.#session = session;
        this.#progressAt = performance.now();
        session.start();
      },
      (err: unknown) => {
        if (this.#closed || generation !== this.#generation) return;
        this.#report({ code: 'NETWORK_UNREACHABLE', message: `cannot load the player: ${String(err)}` }, true);
        this.#setStatus('reconnecting');
        this.#retries.failed();
        this.#retryTimer = setTimeout(() => this.#startSession(), backoffDelay(this.#retries.attempt));
      },
    );
  }

  async #createSession(): Promise<MediaSession> {
    let session: MediaSession | null = null;
    const hooks = {
      trouble: (trouble: Trouble) => session && this.#onTrouble(session, trouble),
      autoplayBlocked: () => session && this.#onAutoplayBlocked(session),
      grantRefreshed: () => {
        if (session && session === this.#session && !this.#closed) {
          this.store.setState({ grantRefreshes: this.store.getState().grantRefreshes + 1 });
        }
      },
    };
    const opts = { tableId: this.tableId, video: this.#video, fetchGrant: this.#fetchGrant, hooks };
    if (this.mode === 'webrtc') {
      const { WebRtcSession } = await import('./WebRtcSession.js');
      session = new WebRtcSession(opts);
    } else {
      const { HlsSession } = await import('./HlsSession.js');
      session = new HlsSession(opts);
    }
    return session;
  }

  #teardown(): void {
    this.#generation++;
    this.#session?.close();
    this.#session = null;
  }

  #onTrouble(session: MediaSession, trouble: Trouble): void {
    if (this.#closed || session !== this.#session) return;
    const plan = planRecovery(trouble, this.#retries.attempt, this.mode);
    this.#retries.failed();
    this.#report(plan.error, plan.showToUser);
    switch (plan.action) {
      case 'giveUp':
        this.#teardown();
        this.#setStatus('error');
        return;
      case 'awaitProducer':
        if (session.awaitProducer) {
          this.#setStatus('reconnecting');
          session.awaitProducer(plan.delayMs);
          return;
        }
        break;
      case 'rejoin':
        break;
      default:
        assertUnreachable(plan.action);
    }
    this.#teardown();
    this.store.setState({ reconnects: this.store.getState().reconnects + 1 });
    this.#setStatus('reconnecting');
    this.#retryTimer = setTimeout(() => this.#startSession(), plan.delayMs);
  }

  #onAutoplayBlocked(session: MediaSession): void {
    if (this.#closed || session !== this.#session) return;
    this.#report({ code: 'AUTOPLAY_BLOCKED', message: 'the browser blocked autoplay; a tap starts the video' }, true);
  }

  #report(error: ViewerError, showToUser: boolean): void {
    this.store.setState({ lastError: error, ...(showToUser ? { problem: error } : {}) });
    this.observer.emit('trouble', error);
  }

  #onFrame(sample: FrameSample): void {
    const now = performance.now();
    this.#progressAt = now;
    this.#live = {
      framesPresented: this.#reader.framesPresented,
      lastStudioTimeMs: sample.studioTimeMs,
      playoutDelayMs: sample.playoutDelayMs,
    };
    const session = this.#session;
    // Chromium keeps presenting WebRTC frames on a paused element (autoplay refused): not playing.
    if (!session || session.attachedAt === null || this.#video.paused) return;
    this.#retries.frame(now);
    this.#sessionPlayed = true;
    if (this.store.getState().status !== 'playing') {
      this.store.setState({ problem: null });
      this.#setStatus('playing');
    }
    if (now - this.#lastPublishAt >= PUBLISH_INTERVAL_MS) {
      this.#lastPublishAt = now;
      this.store.setState(this.#live);
    }
  }

  /** Bits per second received since the last reading of the same session. */
  async #meterBitrate(): Promise<void> {
    const session = this.#session;
    if (this.#closed || !session) return;
    const bytes = await session.receivedBytes();
    const at = performance.now();
    if (bytes === null || session !== this.#session) return;
    const prior = this.#metered;
    this.#metered = { session, bytes, at };
    if (prior?.session === session && at > prior.at) {
      this.store.setState({
        bitrateBps: Math.max(0, Math.round(((bytes - prior.bytes) * 8 * 1000) / (at - prior.at))),
      });
    }
  }

  /** Streams can die silently (a producer closed, a CDN froze): no frames means no stream. */
  #checkStall(): void {
    const session = this.#session;
    if (this.#closed || !session || session.attachedAt === null) return;
    if (document.visibilityState !== 'visible' || this.#video.paused) {
      this.#progressAt = performance.now();
      return;
    }
    const limit = this.#sessionPlayed ? STALL_MS[this.mode] : FIRST_FRAME_TIMEOUT_MS;
    const since = performance.now() - Math.max(this.#progressAt, session.attachedAt);
    if (since > limit) this.#onTrouble(session, { kind: 'stalled', forMs: since });
  }

  /** Hidden tabs present no frames; that is not a stall. */
  readonly #onVisibility = (): void => {
    this.#progressAt = performance.now();
  };

  #setStatus(status: ViewerStatus): void {
    if (this.store.getState().status === status) return;
    this.store.setState({ status });
    this.observer.emit('statuschange', status);
  }
}
