import type { GrantFetcher } from './GrantKeeper.js';
import type { Trouble } from './recovery.js';
import type { ViewerError } from './viewerErrors.js';

export type PlaybackMode = 'webrtc' | 'hls';

/** idle: no table open (lobby). */
export type ViewerStatus = 'idle' | 'connecting' | 'playing' | 'reconnecting' | 'error';

export interface ViewerState {
  tableId: string;
  mode: PlaybackMode;
  status: ViewerStatus;
  framesPresented: number;
  /** Studio time of the frame on screen, epoch ms. */
  lastStudioTimeMs: number | null;
  /** Glass time minus studio time of the frame on screen. */
  playoutDelayMs: number | null;
  /** Media received over the last few seconds, bits per second; null until measured. */
  bitrateBps: number | null;
  /** Sessions torn down and joined again after a trouble. */
  reconnects: number;
  /** Stream grants refreshed in place (no rejoin): the sfu and HLS took a fresh token. */
  grantRefreshes: number;
  /** The most recent trouble, kept after recovery for tests and dashboards. */
  lastError: ViewerError | null;
  /** The problem the player is shown right now. */
  problem: ViewerError | null;
  muted: boolean;
}

export interface TableClientOptions {
  tableId: string;
  mode: PlaybackMode;
  videoElement: HTMLVideoElement;
  /** Also read the burned-in timecode of frames (`?measure=1`). */
  measure?: boolean;
  /** Where stream grants come from: the signed-in player's (`PlayerSession.streamGrant`). */
  fetchGrant: GrantFetcher;
}

export type TableClientEvents = {
  statuschange: [ViewerStatus];
  trouble: [ViewerError];
  closed: [];
};

/** What a media session (one join, WebRTC or HLS) tells the client that owns it. */
export interface SessionHooks {
  trouble(trouble: Trouble): void;
  autoplayBlocked(): void;
  /** A fresh grant is in use by the live session (nothing was torn down). */
  grantRefreshed(): void;
}

/** One attempt at playing a table: created per (re)join, closed on any trouble. */
export interface MediaSession {
  start(): void;
  /** Media bytes received so far (video and audio), for the connection indicator; null when not known. */
  receivedBytes(): Promise<number | null>;
  /** Studio time of a frame this session put on the video element. */
  studioTimeOf(metadata: VideoFrameCallbackMetadata): number | null;
  /** performance.now() when media was attached to the element; null before. */
  readonly attachedAt: number | null;
  /** WebRTC only: the table has no video yet; stay joined and consume when a producer appears. */
  awaitProducer?(delayMs: number): void;
  close(): void;
}
