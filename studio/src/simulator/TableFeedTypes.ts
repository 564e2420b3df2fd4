import type { FeedLogger } from './FeedLogger.js';
import type { UdpTarget } from './RtpVideoSender.js';
import type { SceneEvent, SceneState, TableScene } from './SceneTypes.js';

export type { UdpTarget };

export interface TableFeedOptions {
  tableId: string;
  scene: TableScene;
  width?: number;
  height?: number;
  fps?: number;
  gopFrames?: number;
  bitrateKbps?: number;
  /** Where RTP (and RTCP, muxed) goes: the SFU PlainTransport's tuple. */
  target: UdpTarget;
  ssrc: number;
  payloadType?: number;
  /** One-byte header extension id (1-14) for abs-capture-time; null to leave it out. */
  absCaptureTimeExtId?: number | null;
  /** RTCP CNAME; defaults to `studio-<tableId>`. */
  cname?: string;
  maxPacketSize?: number;
  ffmpegPath?: string;
  localAddress?: string;
  /** Studio clock, ms since the Unix epoch; every capture time and SR comes from it. */
  clock?: () => number;
  log?: FeedLogger;
}

/**
 * What a mediasoup PlainTransport `produce({ kind: 'video', rtpParameters })` needs to accept this
 * stream, in mediasoup's RtpParameters shape (no dependency on mediasoup here).
 */
export interface FeedRtpParameters {
  codecs: {
    mimeType: 'video/VP8';
    payloadType: number;
    clockRate: 90000;
    rtcpFeedback: { type: string; parameter?: string }[];
  }[];
  headerExtensions: { uri: string; id: number }[];
  encodings: { ssrc: number }[];
  rtcp: { cname: string; reducedSize: boolean };
}

export interface TableFeedStats {
  readonly tableId: string;
  readonly fps: number;
  readonly framesRendered: number;
  /** Frame slots missed because the loop ran late (the clock is never stretched to make up). */
  readonly framesSkipped: number;
  /** Rendered but not encoded: ffmpeg busy or restarting. */
  readonly framesDropped: number;
  readonly framesEncoded: number;
  readonly framesSent: number;
  readonly keyFramesSent: number;
  readonly packetsSent: number;
  readonly bytesSent: number;
  readonly lastCaptureTimeMs: number | null;
  /** Scene + overlay drawing, and the pixel readback, per frame (mean and max since the last reset). */
  readonly renderMs: { mean: number; max: number };
  readonly readbackMs: { mean: number; max: number };
  /** Capture to the frame's last packet on the wire (encode latency). */
  readonly captureToSendMs: { mean: number; max: number };
  readonly encoder: { pid: number | null; restarts: number; cpuMs: number | null };
  readonly rtcp: {
    senderReportsSent: number;
    nacksReceived: number;
    retransmittedPackets: number;
    plisReceived: number;
    firsReceived: number;
    receiverReport: { fractionLost: number; cumulativeLost: number; jitterMs: number; rttMs: number | null } | null;
  };
}

export type TableFeedEvents = {
  /** A table event (betting opened, card dealt, ball settled...) stamped with its frame's capture time. */
  sceneevent: [SceneEvent];
  /** The encoder died and will be restarted. */
  encoderdied: [{ code: number | null; signal: string | null; restartInMs: number }];
  closed: [];
};

export interface TableFeedSnapshot {
  readonly tableId: string;
  readonly target: { address: string; port: number };
  readonly localAddress: { address: string; port: number };
  readonly scene: SceneState;
  readonly stats: TableFeedStats;
}
