import dgram from 'node:dgram';
import {
  decodeAbsCaptureTime,
  isRtcp,
  isVp8KeyFrame,
  parseRtcpCompound,
  parseRtpPacket,
  parseVp8PayloadDescriptor,
  type RtcpPacket,
  type SenderReport,
} from '@live-casino/media';

export interface ReceivedFrame {
  readonly rtpTimestamp: number;
  readonly pictureId: number | null;
  readonly absCaptureTimeMs: number | null;
  readonly data: Buffer;
  readonly keyFrame: boolean;
  readonly firstSequence: number;
  readonly packets: number;
  /** The last SR received before this frame's first packet. */
  readonly senderReport: SenderReport | null;
}

/**
 * A minimal RTP/RTCP endpoint for tests: reassembles VP8 frames per RFC 7741 (frame boundary =
 * RTP marker, S bit on the first packet) and collects sender reports; anything inconsistent goes
 * into `problems` instead of throwing inside a socket callback.
 */
export class RtpTestReceiver {
  readonly socket: dgram.Socket;
  readonly frames: ReceivedFrame[] = [];
  readonly senderReports: SenderReport[] = [];
  readonly rtcp: RtcpPacket[] = [];
  readonly problems: string[] = [];
  readonly sequenceNumbers: number[] = [];
  #current: {
    ts: number;
    parts: Buffer[];
    pictureId: number | null;
    abs: number | null;
    first: number;
    count: number;
    sr: SenderReport | null;
  } | null = null;

  static async create(absCaptureTimeExtId = 1): Promise<RtpTestReceiver> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new RtpTestReceiver(socket, absCaptureTimeExtId);
  }

  private constructor(
    socket: dgram.Socket,
    readonly absCaptureTimeExtId: number,
  ) {
    this.socket = socket;
    socket.on('message', (message) => {
      try {
        this.#onMessage(message);
      } catch (error) {
        this.problems.push(String(error));
      }
    });
  }

  get port(): number {
    return this.socket.address().port;
  }

  close(): void {
    this.socket.close();
  }

  #onMessage(message: Buffer): void {
    if (isRtcp(message)) {
      for (const packet of parseRtcpCompound(message)) {
        this.rtcp.push(packet);
        if (packet.type === 'sr') this.senderReports.push(packet.report);
      }
      return;
    }
    const rtp = parseRtpPacket(message);
    this.sequenceNumbers.push(rtp.sequenceNumber);
    const descriptor = parseVp8PayloadDescriptor(rtp.payload);
    if (!descriptor) {
      this.problems.push(`packet ${rtp.sequenceNumber} has no VP8 payload descriptor`);
      return;
    }
    const extension = rtp.extensions.get(this.absCaptureTimeExtId);
    const abs = extension ? decodeAbsCaptureTime(extension) : null;
    if (descriptor.startOfPartition) {
      if (this.#current) this.problems.push(`frame at ts ${this.#current.ts} never got its marker`);
      this.#current = {
        ts: rtp.timestamp,
        parts: [],
        pictureId: descriptor.pictureId,
        abs,
        first: rtp.sequenceNumber,
        count: 0,
        sr: this.senderReports.at(-1) ?? null,
      };
    }
    const current = this.#current;
    if (!current) {
      this.problems.push(`packet ${rtp.sequenceNumber} continues a frame whose start was not seen`);
      return;
    }
    if (rtp.timestamp !== current.ts) this.problems.push(`timestamp changed inside frame ${current.ts}`);
    if (descriptor.pictureId !== current.pictureId) this.problems.push(`PictureID changed inside frame ${current.ts}`);
    if (abs !== current.abs) this.problems.push(`abs-capture-time changed inside frame ${current.ts}`);
    if (((current.first + current.count) & 0xffff) !== rtp.sequenceNumber) {
      this.problems.push(`sequence gap in frame ${current.ts}`);
    }
    current.parts.push(Buffer.from(rtp.payload.subarray(descriptor.size)));
    current.count++;
    if (rtp.marker) {
      const data = Buffer.concat(current.parts);
      this.frames.push({
        rtpTimestamp: current.ts,
        pictureId: current.pictureId,
        absCaptureTimeMs: current.abs,
        data,
        keyFrame: isVp8KeyFrame(data),
        firstSequence: current.first,
        packets: current.count,
        senderReport: current.sr,
      });
      this.#current = null;
    }
  }
}
