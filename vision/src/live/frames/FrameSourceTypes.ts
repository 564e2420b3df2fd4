import type { TableServiceClient } from '@live-casino/clients';
import type { Logger } from 'pino';

/** One decoded picture of a table's video, with the studio capture time of its frame. */
export interface DecodedFrame {
  tableId: string;
  /** Studio clock (ms since the Unix epoch) of the frame's capture, from the sfu's RTP mapping. */
  studioMs: number;
  rtpTimestamp: number;
  width: number;
  height: number;
  /** RGB24, row-major, height × width × 3 (HWC). Owned by the listener: a fresh buffer per frame. */
  rgb: Uint8Array;
}

export type FrameSourceState = 'connecting' | 'live' | 'stalled' | 'error';

export interface FrameSourceStatus {
  state: FrameSourceState;
  reason?: string;
}

export interface FrameSourceEvents {
  frame: [DecodedFrame];
  status: [FrameSourceStatus];
}

export interface SfuFrameSourceOptions {
  tableId: string;
  /** The sfu's signalling URL (socket.io), e.g. http://127.0.0.1:4443. */
  sfuUrl: string;
  /**
   * table-service, signed in as the vision service: egress grants come from it. One client for
   * every table, so the worker logs in once however many tables it reads.
   */
  tableService: TableServiceClient;
  /** Emit at most this many frames per second (all are decoded; VP8 inter frames need their references). */
  maxFps?: number;
  /** No frame for this long → 'stalled' (default 2000 ms). */
  stallMs?: number;
  log?: Logger;
  /** Default /usr/bin/ffmpeg. */
  ffmpegPath?: string;
  /**
   * A mapped studio time further than this from the local clock means the mapping belongs to an
   * earlier stream (the studio restarted with a new RTP clock and its sender report is on its
   * way): such frames are dropped rather than stamped wrong. Default 60 s.
   */
  maxClockSkewMs?: number;
}

export interface FrameSourceStats {
  framesEmitted: number;
  framesDecoded: number;
  /** Decoded but not emitted: `maxFps` decimation. */
  framesDecimated: number;
  /** Decoded but not emitted: no plausible studio clock mapping yet. */
  framesWithoutClock: number;
  /** Whole frames not decoded: incomplete after loss, or waiting for a keyframe. */
  framesDropped: number;
  packets: number;
  losses: number;
  keyFramesRequested: number;
  decoderRestarts: number;
  sessions: number;
}
