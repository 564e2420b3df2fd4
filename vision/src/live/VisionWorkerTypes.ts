import type { TableServiceClient } from '@live-casino/clients';
import type { Logger } from 'pino';
import type { ModelKind, ModelState } from './InferenceTypes.js';
import type { GameKind } from './Regions.js';

/** A decoded frame of a table's video (vision/src/live/frames emits these). */
export interface DecodedFrameLike {
  readonly tableId: string;
  /** Studio time of the frame (capture time on the studio clock, ms). */
  readonly studioMs: number;
  readonly width: number;
  readonly height: number;
  /** RGB, HWC. */
  readonly rgb: Uint8Array;
}

/** What the worker needs of a frame source (SfuFrameSource): frames, and its status as it changes. */
export interface FrameSourceLike {
  on(event: 'frame', listener: (frame: DecodedFrameLike) => void): unknown;
  on(event: 'status', listener: (status: unknown) => void): unknown;
  start(): unknown;
  close(): unknown;
}

export interface FrameSourceOptions {
  tableId: string;
  sfuUrl: string;
  /** The worker's one table-service client, shared by every table. */
  tableService: TableServiceClient;
  maxFps?: number;
  stallMs?: number;
  log?: Logger;
}

export type FrameSourceFactory = (opts: FrameSourceOptions) => FrameSourceLike;

export interface TableHealth {
  readonly tableId: string;
  readonly game: GameKind;
  /** `reading`: frames arrive and are read; otherwise why not. */
  readonly state: 'reading' | 'waiting-for-model' | 'no-frames' | 'stalled';
  /** The frame source's last status event, as it sent it. */
  readonly feed: unknown;
  readonly framesReceived: number;
  readonly framesRead: number;
  /** Frames not read: over the read rate, dropped by the pool as stale, or with no model loaded. */
  readonly framesSkipped: { rate: number; stale: number; noModel: number; failed: number };
  readonly lastFrameStudioMs: number | null;
  readonly lastFrameAgeMs: number | null;
  readonly readings: { sent: number; refused: number; failed: number };
  /**
   * When the last reading was taken and how table-service answered it; never the result itself:
   * /health is for operators, and the live card or pocket is worth money to anyone who sees it
   * before the players' video does (issue 10, point 7).
   */
  readonly lastReading: {
    readonly readingId: string;
    readonly studioMs: number;
    readonly confidence: number;
    readonly status: number | null;
    readonly code: string | null;
  } | null;
}

export interface VisionHealth {
  readonly status: 'ok' | 'degraded';
  readonly uptimeMs: number;
  readonly models: Partial<Record<ModelKind, ModelState | null>>;
  readonly inference: {
    readonly threads: number;
    readonly reads: number;
    readonly dropped: number;
    readonly failed: number;
    readonly threadRestarts: number;
    /** Over the last 1000 reads. */
    readonly inferMs: { p50: number | null; p95: number | null };
    readonly cropMs: { p50: number | null; p95: number | null };
  };
  readonly tables: readonly TableHealth[];
}
