/**
 * RTP packets (RFC 3550 5.1, header extensions per RFC 8285). `parseRtpHeader` is the receivers'
 * fast path (no allocation beyond the result, undefined for anything that is not RTP);
 * `parseRtpPacket` adds the CSRCs and extension elements for whoever needs them. Pure, no I/O.
 */
import { ntpToUnixMs, unixMsToNtp } from './ntp.js';

/** abs-capture-time: the capture time of the frame, on the sender's NTP clock, in every packet. */
export const ABS_CAPTURE_TIME_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time';

const RTP_HEADER_SIZE = 12;
/** RFC 8285 one-byte header form: profile 0xBEDE, ids 1-14, up to 16 data bytes each. */
const ONE_BYTE_PROFILE = 0xbede;
const ABS_CAPTURE_TIME_SIZE = 8;

/** The fields a sender chooses for each packet. */
export interface RtpHeaderFields {
  readonly payloadType: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly marker: boolean;
}

/** A received header and where its payload lies (CSRCs, header extension and padding skipped). */
export interface RtpHeader extends RtpHeaderFields {
  readonly payloadOffset: number;
  readonly payloadEnd: number;
}

/** RTCP packet types 192-223 share the second byte with RTP marker+payload type (RFC 5761 4). */
export function isRtcp(packet: Uint8Array): boolean {
  return packet.length >= 2 && packet[1]! >= 192 && packet[1]! <= 223;
}

/** The header of an RTP packet, or undefined for RTCP, another version, or a malformed packet. */
export function parseRtpHeader(packet: Uint8Array): RtpHeader | undefined {
  if (packet.length < RTP_HEADER_SIZE || packet[0]! >> 6 !== 2 || isRtcp(packet)) return undefined;
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  let offset = RTP_HEADER_SIZE + (packet[0]! & 0x0f) * 4;
  if (packet[0]! & 0x10) {
    if (packet.length < offset + 4) return undefined;
    offset += 4 + view.getUint16(offset + 2) * 4;
  }
  let end = packet.length;
  if (packet[0]! & 0x20) {
    // The last octet counts the padding, itself included: never 0 (RFC 3550 5.1).
    const padding = packet[packet.length - 1]!;
    if (padding === 0) return undefined;
    end -= padding;
  }
  // An empty payload is valid RTP (padding-only probes); payload readers drop it themselves.
  if (offset > end) return undefined;
  return {
    payloadType: packet[1]! & 0x7f,
    marker: (packet[1]! & 0x80) !== 0,
    sequenceNumber: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    payloadOffset: offset,
    payloadEnd: end,
  };
}

export interface ParsedRtpPacket extends RtpHeader {
  readonly csrcs: readonly number[];
  /** Header extension elements by id (one- or two-byte form). */
  readonly extensions: ReadonlyMap<number, Uint8Array>;
  readonly payload: Uint8Array;
}

/** Parses a whole RTP packet, CSRCs and extension elements included; throws on anything malformed. */
export function parseRtpPacket(packet: Uint8Array): ParsedRtpPacket {
  const header = parseRtpHeader(packet);
  if (!header) throw new RangeError('not a well-formed RTP packet');
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const csrcCount = packet[0]! & 0x0f;
  const csrcs: number[] = [];
  for (let i = 0; i < csrcCount; i++) csrcs.push(view.getUint32(RTP_HEADER_SIZE + 4 * i));
  const extensions = new Map<number, Uint8Array>();
  if (packet[0]! & 0x10) {
    const blockAt = RTP_HEADER_SIZE + 4 * csrcCount;
    const profile = view.getUint16(blockAt);
    const start = blockAt + 4;
    const end = header.payloadOffset;
    if (profile === ONE_BYTE_PROFILE) {
      for (let i = start; i < end; ) {
        const byte = packet[i]!;
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
        const id = packet[i]!;
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
  }
  return { ...header, csrcs, extensions, payload: packet.subarray(header.payloadOffset, header.payloadEnd) };
}

/** The abs-capture-time element in the 8-byte form: just the 64-bit NTP (UQ32.32) capture time. */
export function encodeAbsCaptureTime(captureTimeMs: number): Buffer {
  const ntp = unixMsToNtp(captureTimeMs);
  const data = Buffer.allocUnsafe(ABS_CAPTURE_TIME_SIZE);
  data.writeUInt32BE(ntp.seconds, 0);
  data.writeUInt32BE(ntp.fraction, 4);
  return data;
}

/** Studio ms from an abs-capture-time element (8- or 16-byte form; the clock offset is ignored). */
export function decodeAbsCaptureTime(data: Uint8Array): number {
  if (data.length !== 8 && data.length !== 16) throw new RangeError(`abs-capture-time of ${data.length} bytes`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return ntpToUnixMs({ seconds: view.getUint32(0), fraction: view.getUint32(4) });
}

/**
 * Serialises one RTP packet into a single buffer (one allocation per packet; it is also what a
 * retransmission history keeps). With `absCaptureTime` the packet carries a one-byte-header
 * extension block holding that element.
 */
export function serializeRtpPacket(
  header: RtpHeaderFields,
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
