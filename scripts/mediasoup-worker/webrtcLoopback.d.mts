export interface WebRtcLoopbackResult {
  workerPid: number;
  /** Server-side WebRtcTransport ICE state once media flowed ('connected' | 'completed'). */
  iceState: string;
  /** Server-side WebRtcTransport DTLS state ('connected'). */
  dtlsState: string;
  /** werift RTCPeerConnection connectionState ('connected'). */
  clientConnectionState: string;
  /** VP8 RTP packets werift received from mediasoup (SRTP encrypted by the worker). */
  rtpServerToClient: number;
  /** VP8 RTP packets mediasoup received from werift (SRTP decrypted by the worker). */
  rtpClientToServer: number;
}

export function runWebRtcLoopback(options: {
  workerBin: string;
  timeoutMs?: number;
  log?: (msg: string) => void;
}): Promise<WebRtcLoopbackResult>;

export const SRTP_CRYPTO_SUITES: readonly string[];

/** RTP through SRTP PlainTransport pairs, one per crypto suite. Resolves to packets received per suite. */
export function runSrtpSuites(options: {
  workerBin: string;
  timeoutMs?: number;
  log?: (msg: string) => void;
}): Promise<Record<string, number>>;
