import { msToNtp, ntpToMs } from './RtpClock.js';

/** abs-capture-time: the capture time of the frame, on the sender's NTP clock, in every packet. */
export const ABS_CAPTURE_TIME_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time';

const RTP_HEADER_SIZE = 12;
/** RFC 8285 one-byte header form: profile 0xBEDE, ids 1-14, up to 16 data bytes each. */
const ONE_BYTE_PROFILE = 0xbede;
const ABS_CAPTURE_TIME_SIZE = 8;

export interface RtpHeader {
  readonly payloadType: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly marker: boolean;
}

/** The abs-capture-time element in the 8-byte form: just the 64-bit NTP (UQ32.32) capture time. */
export function encodeAbsCaptureTime(captureTimeMs: number): Buffer {
  const ntp = msToNtp(captureTimeMs);
  const data = Buffer.allocUnsafe(ABS_CAPTURE_TIME_SIZE);
  data.writeUInt32BE(ntp.seconds, 0);
  data.writeUInt32BE(ntp.fraction, 4);
  return data;
}

/** Studio ms from an abs-capture-time element (8- or 16-byte form; the clock offset is ignored). */
export function decodeAbsCaptureTime(data: Uint8Array): number {
  if (data.length !== 8 && data.length !== 16) throw new RangeError(`abs-capture-time of ${data.length} bytes`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return ntpToMs({ seconds: view.getUint32(0), fraction: view.getUint32(4) });
}

/**
 * Serialises one RTP packet into a single buffer (one allocation per packet; it is also what the
 * retransmission history keeps). With `absCaptureTime` the packet carries a one-byte-header
 * extension block holding that element.
 */
export function serializeRtpPacket(
  header: RtpHeader,
  payload: readonly Uint8Array[],
  absCaptureTime?: { readonly id: number; readonly captureTimeMs: number },
): Buffer {
  // 1 id/len byte + 8 data bytes, padded to 32-bit words: 12 bytes including the block header.
  const extensionSize = absCaptureTime ? 4 + 12 : 0;
  let payloadSize = 0;
  for (const part of payload) payloadSize += part.length;
  const packet = Buffer.allocUnsafe(RTP_HEADER_SIZE + extensionSize + payloadSize);
  packet[0] = 0x80 | (absCaptureTime ? 0x10 : 0);
  packet[1] = (header.marker ? 0x80 : 0) | (header.payloadType & 0x7f);
  packet.writeUInt16BE(header.sequenceNumber & 0xffff, 2);
  packet.writeUInt32BE(header.timestamp >>> 0, 4);
  packet.writeUInt32BE(header.ssrc >>> 0, 8);
  let offset = RTP_HEADER_SIZE;
  if (absCaptureTime) {
    const { id, captureTimeMs } = absCaptureTime;
    if (!Number.isInteger(id) || id < 1 || id > 14) throw new RangeError(`one-byte extension id ${id} not in 1-14`);
    packet.writeUInt16BE(ONE_BYTE_PROFILE, offset);
    packet.writeUInt16BE(3, offset + 2);
    packet[offset + 4] = (id << 4) | (ABS_CAPTURE_TIME_SIZE - 1);
    encodeAbsCaptureTime(captureTimeMs).copy(packet, offset + 5);
    packet.fill(0, offset + 13, offset + 16);
    offset += extensionSize;
  }
  for (const part of payload) {
    packet.set(part, offset);
    offset += part.length;
  }
  return packet;
}

export interface ParsedRtpPacket extends RtpHeader {
  readonly csrcs: readonly number[];
  /** Header extension elements by id (one- or two-byte form). */
  readonly extensions: ReadonlyMap<number, Uint8Array>;
  readonly payload: Uint8Array;
  readonly headerSize: number;
  readonly paddingSize: number;
}

/** Parses an RTP packet (RFC 3550 + RFC 8285 extensions); throws on anything malformed. */
export function parseRtpPacket(packet: Uint8Array): ParsedRtpPacket {
  if (packet.length < RTP_HEADER_SIZE) throw new RangeError('RTP packet shorter than its header');
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const first = packet[0] as number;
  if (first >> 6 !== 2) throw new RangeError(`RTP version ${first >> 6}`);
  const csrcCount = first & 0x0f;
  let offset = RTP_HEADER_SIZE + 4 * csrcCount;
  if (packet.length < offset) throw new RangeError('RTP packet truncated in its CSRC list');
  const csrcs: number[] = [];
  for (let i = 0; i < csrcCount; i++) csrcs.push(view.getUint32(RTP_HEADER_SIZE + 4 * i));

  const extensions = new Map<number, Uint8Array>();
  if (first & 0x10) {
    if (packet.length < offset + 4) throw new RangeError('RTP packet truncated in its extension header');
    const profile = view.getUint16(offset);
    const length = view.getUint16(offset + 2) * 4;
    const start = offset + 4;
    const end = start + length;
    if (packet.length < end) throw new RangeError('RTP packet truncated in its extensions');
    if (profile === ONE_BYTE_PROFILE) {
      for (let i = start; i < end; ) {
        const byte = packet[i] as number;
        if (byte === 0) {
          i++;
          continue;
        }
        const id = byte >> 4;
        if (id === 15) break;
        const size = (byte & 0x0f) + 1;
        if (i + 1 + size > end) throw new RangeError('RTP one-byte extension overruns its block');
        extensions.set(id, packet.subarray(i + 1, i + 1 + size));
        i += 1 + size;
      }
    } else if ((profile & 0xfff0) === 0x1000) {
      for (let i = start; i < end; ) {
        const id = packet[i] as number;
        if (id === 0) {
          i++;
          continue;
        }
        const size = packet[i + 1] ?? 0;
        if (i + 2 + size > end) throw new RangeError('RTP two-byte extension overruns its block');
        extensions.set(id, packet.subarray(i + 2, i + 2 + size));
        i += 2 + size;
      }
    }
    offset = end;
  }

  let paddingSize = 0;
  if (first & 0x20) {
    paddingSize = packet[packet.length - 1] as number;
    if (paddingSize === 0 || offset + paddingSize > packet.length) throw new RangeError('bad RTP padding');
  }
  return {
    marker: ((packet[1] as number) & 0x80) !== 0,
    payloadType: (packet[1] as number) & 0x7f,
    sequenceNumber: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    csrcs,
    extensions,
    payload: packet.subarray(offset, packet.length - paddingSize),
    headerSize: offset,
    paddingSize,
  };
}

/** RFC 5761: on a muxed port, second-byte values 192-223 are RTCP packet types, not RTP. */
export function isRtcpPacket(packet: Uint8Array): boolean {
  const type = packet[1] ?? 0;
  return packet.length >= 4 && (packet[0] ?? 0) >> 6 === 2 && type >= 192 && type <= 223;
}
