import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import {
  isRtcp,
  isVp8KeyFrame,
  ntpMiddle32,
  PICTURE_ID_MODULO,
  packetizeVp8,
  parseRtcpCompound,
  type RtcpPacket,
  RtpTimeline,
  serializeRtpPacket,
  serializeSenderReportCompound,
  unixMsToNtp,
  VIDEO_CLOCK_RATE,
} from '@live-casino/media';
import type { FeedLogger } from './FeedLogger.js';

export interface UdpTarget {
  readonly host: string;
  readonly port: number;
}

export interface RtpVideoSenderOptions {
  target: UdpTarget;
  ssrc: number;
  payloadType: number;
  /** One-byte header extension id (1-14) for abs-capture-time, or null to send none. */
  absCaptureTimeExtId: number | null;
  cname: string;
  /** Largest RTP packet (header, extension and payload); 1200 fits every common path MTU with room for SRTP/TURN. */
  maxPacketSize?: number;
  senderReportIntervalMs?: number;
  /** Local address to bind; defaults to the wildcard address of the target's family. */
  localAddress?: string;
  /** Studio clock (ms). Capture times passed to sendFrame must come from the same clock. */
  clock?: () => number;
  log: FeedLogger;
}

export interface RtpVideoSenderStats {
  readonly framesSent: number;
  readonly keyFramesSent: number;
  readonly packetsSent: number;
  /** RTP payload octets, as counted in sender reports. */
  readonly payloadBytesSent: number;
  /** Everything on the wire (RTP headers included, RTCP excluded). */
  readonly bytesSent: number;
  readonly senderReportsSent: number;
  readonly retransmittedPackets: number;
  readonly sendErrors: number;
  readonly nacksReceived: number;
  readonly plisReceived: number;
  readonly firsReceived: number;
  readonly lastCaptureTimeMs: number | null;
  /** From the receiver's last report about this stream (the SFU's view of the link). */
  readonly receiverReport: {
    fractionLost: number;
    cumulativeLost: number;
    jitterMs: number;
    rttMs: number | null;
  } | null;
}

export type RtpVideoSenderEvents = {
  /** RTCP received on the muxed socket (PLI, FIR, NACK, RR, ...), after the sender handled it. */
  rtcp: [RtcpPacket];
  closed: [];
};

/** ~1.5 s of packets at 1.2 Mbit/s: older losses are not worth repairing on a live feed. */
const HISTORY_SIZE = 256;
const RTP_HEADER_WITH_EXT = 12 + 16;

/**
 * Sends VP8 frames as RTP over one UDP socket, with RTCP muxed on the same socket: sender reports
 * every interval, NACKed packets retransmitted from a short history, PLI/FIR counted (the encoder
 * keeps a short fixed GOP, so they need no action). RTP timestamps, SRs and abs-capture-time all
 * derive from the frames' studio capture times through one RtpTimeline.
 */
export class RtpVideoSender extends EventEmitter<RtpVideoSenderEvents> {
  readonly #opts: Required<Omit<RtpVideoSenderOptions, 'localAddress'>> & { localAddress: string | undefined };
  readonly #socket: dgram.Socket;
  readonly #family: 4 | 6;
  readonly #timeline: RtpTimeline;
  #target: { address: string; port: number };
  #sequenceNumber: number;
  #pictureId: number;
  readonly #history: (Buffer | undefined)[] = new Array(HISTORY_SIZE);
  #srTimer: NodeJS.Timeout | null = null;
  #srDue = true;
  #closed = false;
  #lastSendErrorLogAt = 0;
  #stats = {
    framesSent: 0,
    keyFramesSent: 0,
    packetsSent: 0,
    payloadBytesSent: 0,
    bytesSent: 0,
    senderReportsSent: 0,
    retransmittedPackets: 0,
    sendErrors: 0,
    nacksReceived: 0,
    plisReceived: 0,
    firsReceived: 0,
    lastCaptureTimeMs: null as number | null,
    receiverReport: null as RtpVideoSenderStats['receiverReport'],
  };

  static async create(opts: RtpVideoSenderOptions): Promise<RtpVideoSender> {
    const target = await resolveTarget(opts.target);
    const socket = dgram.createSocket({ type: target.family === 6 ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ port: 0, address: opts.localAddress ?? (target.family === 6 ? '::' : '0.0.0.0') }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new RtpVideoSender(opts, socket, target);
  }

  private constructor(
    opts: RtpVideoSenderOptions,
    socket: dgram.Socket,
    target: { address: string; port: number; family: 4 | 6 },
  ) {
    super();
    this.#opts = {
      maxPacketSize: 1200,
      senderReportIntervalMs: 500,
      clock: Date.now,
      ...opts,
      localAddress: opts.localAddress,
    };
    this.#socket = socket;
    this.#family = target.family;
    this.#target = { address: target.address, port: target.port };
    // Random initial sequence number, RTP timestamp and PictureID (RFC 3550 5.1, RFC 7741 4.2).
    this.#sequenceNumber = randomInt(0x10000);
    this.#pictureId = randomInt(PICTURE_ID_MODULO);
    this.#timeline = new RtpTimeline(randomInt(0x1_0000_0000), this.#opts.clock(), VIDEO_CLOCK_RATE);

    socket.on('message', (message) => this.#onMessage(message));
    socket.on('error', (error) => this.#opts.log.warn({ err: error }, 'RTP socket error'));
    this.#srTimer = setInterval(() => this.#sendSenderReport(), this.#opts.senderReportIntervalMs);
    this.#srTimer.unref();
  }

  get closed(): boolean {
    return this.#closed;
  }

  get timeline(): RtpTimeline {
    return this.#timeline;
  }

  get target(): { address: string; port: number } {
    return { ...this.#target };
  }

  /** The socket's own address: where the SFU's PlainTransport sends RTCP (comedia or connect()). */
  get localAddress(): { address: string; port: number } {
    const { address, port } = this.#socket.address();
    return { address, port };
  }

  get stats(): RtpVideoSenderStats {
    return { ...this.#stats };
  }

  /** Repoints the stream (e.g. to a restarted SFU worker's new PlainTransport); same SSRC and clocks. */
  async setTarget(target: UdpTarget): Promise<void> {
    const resolved = await resolveTarget(target, this.#family);
    if (this.#closed) return;
    this.#target = { address: resolved.address, port: resolved.port };
    // The new receiver needs an SR to map timestamps: send one with the next frame.
    this.#srDue = true;
    this.#opts.log.info({ target: this.#target }, 'RTP target changed');
  }

  sendFrame(frame: Uint8Array, captureTimeMs: number): void {
    if (this.#closed) return;
    const { payloadType, ssrc, absCaptureTimeExtId, maxPacketSize } = this.#opts;
    const headerSize = absCaptureTimeExtId === null ? 12 : RTP_HEADER_WITH_EXT;
    const payloads = packetizeVp8(frame, this.#pictureId, maxPacketSize - headerSize);
    this.#pictureId = (this.#pictureId + 1) % PICTURE_ID_MODULO;
    const timestamp = this.#timeline.rtpAt(captureTimeMs);
    const ext = absCaptureTimeExtId === null ? undefined : { id: absCaptureTimeExtId, captureTimeMs };
    payloads.forEach((payload, i) => {
      const sequenceNumber = this.#sequenceNumber;
      this.#sequenceNumber = (this.#sequenceNumber + 1) & 0xffff;
      const marker = i === payloads.length - 1;
      const packet = serializeRtpPacket({ payloadType, sequenceNumber, timestamp, ssrc, marker }, payload, ext);
      this.#history[sequenceNumber % HISTORY_SIZE] = packet;
      this.#send(packet);
      this.#stats.packetsSent++;
      this.#stats.bytesSent += packet.length;
      this.#stats.payloadBytesSent += packet.length - headerSize;
    });
    this.#stats.framesSent++;
    if (isVp8KeyFrame(frame)) this.#stats.keyFramesSent++;
    this.#stats.lastCaptureTimeMs = captureTimeMs;
    if (this.#srDue) this.#sendSenderReport();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#srTimer) clearInterval(this.#srTimer);
    this.#srTimer = null;
    this.#socket.close();
    this.emit('closed');
  }

  #send(packet: Buffer): void {
    this.#socket.send(packet, this.#target.port, this.#target.address, (error) => {
      if (!error) return;
      this.#stats.sendErrors++;
      const now = Date.now();
      if (now - this.#lastSendErrorLogAt > 5_000) {
        this.#lastSendErrorLogAt = now;
        this.#opts.log.warn({ err: error, target: this.#target }, 'RTP send failed');
      }
    });
  }

  #sendSenderReport(): void {
    if (this.#closed || this.#stats.packetsSent === 0) return;
    this.#srDue = false;
    // NTP "now" and the RTP timestamp of that same instant on the capture clock (RFC 3550 6.4.1).
    const ntpMs = this.#opts.clock();
    const report = {
      ssrc: this.#opts.ssrc,
      ntpMs,
      rtpTimestamp: this.#timeline.rtpAt(ntpMs),
      packetCount: this.#stats.packetsSent,
      octetCount: this.#stats.payloadBytesSent,
    };
    this.#send(serializeSenderReportCompound(report, this.#opts.cname));
    this.#stats.senderReportsSent++;
  }

  #onMessage(message: Buffer): void {
    if (!isRtcp(message)) return;
    for (const packet of parseRtcpCompound(message)) {
      switch (packet.type) {
        case 'nack':
          if (packet.mediaSsrc !== this.#opts.ssrc) break;
          this.#stats.nacksReceived++;
          for (const seq of packet.lost) {
            const stored = this.#history[seq % HISTORY_SIZE];
            if (stored && stored.readUInt16BE(2) === seq) {
              this.#send(stored);
              this.#stats.retransmittedPackets++;
            }
          }
          break;
        case 'pli':
          if (packet.mediaSsrc !== this.#opts.ssrc) break;
          this.#stats.plisReceived++;
          this.#opts.log.debug({}, 'PLI received (fixed GOP, next key frame is at most one GOP away)');
          break;
        case 'fir':
          if (!packet.requests.some((r) => r.ssrc === this.#opts.ssrc)) break;
          this.#stats.firsReceived++;
          this.#opts.log.debug({}, 'FIR received (fixed GOP, next key frame is at most one GOP away)');
          break;
        case 'rr':
        case 'sr':
          for (const block of packet.blocks) {
            if (block.ssrc !== this.#opts.ssrc) continue;
            let rttMs: number | null = null;
            if (block.lastSr !== 0) {
              // RFC 3550 6.4.1: RTT = arrival - LSR - DLSR, all in 1/65536 s.
              const arrival = ntpMiddle32(unixMsToNtp(this.#opts.clock()));
              rttMs = (((arrival - block.lastSr - block.delaySinceLastSr) >>> 0) / 65536) * 1000;
              if (rttMs > 60_000) rttMs = null;
            }
            this.#stats.receiverReport = {
              fractionLost: block.fractionLost,
              cumulativeLost: block.cumulativeLost,
              jitterMs: (block.jitter * 1000) / VIDEO_CLOCK_RATE,
              rttMs,
            };
          }
          break;
        case 'sdes':
        case 'bye':
        case 'other':
          break;
        default: {
          const unexpected: never = packet;
          throw new Error(`unhandled RTCP packet ${JSON.stringify(unexpected)}`);
        }
      }
      this.emit('rtcp', packet);
    }
  }
}

async function resolveTarget(
  target: UdpTarget,
  family?: 4 | 6,
): Promise<{ address: string; port: number; family: 4 | 6 }> {
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
    throw new RangeError(`bad RTP target port: ${target.port}`);
  }
  const literal = isIP(target.host);
  if (literal !== 0) {
    if (family !== undefined && literal !== family) {
      throw new RangeError(`target ${target.host} is IPv${literal}; this feed's socket is IPv${family}`);
    }
    return { address: target.host, port: target.port, family: literal as 4 | 6 };
  }
  // Resolved once here: dgram would otherwise do a DNS lookup for every packet.
  const resolved = await lookup(target.host, family === undefined ? {} : { family });
  return { address: resolved.address, port: target.port, family: resolved.family as 4 | 6 };
}
