/**
 * RTCP (RFC 3550 6, feedback per RFC 4585): the sender report and SDES CNAME a sender emits, and
 * the reports and feedback (NACK, PLI, FIR) it receives. Pure, no I/O.
 */
import { type NtpTimestamp, ntpToUnixMs, unixMsToNtp } from './ntp.js';

/** RTCP packet types (RFC 3550, RFC 4585). */
const PT = { SR: 200, RR: 201, SDES: 202, BYE: 203, RTPFB: 205, PSFB: 206 } as const;

export interface SenderReport {
  readonly ssrc: number;
  /** Studio time the report was taken at (its NTP timestamp). */
  readonly ntpMs: number;
  /** The RTP timestamp corresponding to the same instant (not the last packet's timestamp). */
  readonly rtpTimestamp: number;
  readonly packetCount: number;
  /** Payload octets sent, excluding RTP headers and padding (RFC 3550 6.4.1). */
  readonly octetCount: number;
}

export interface ReportBlock {
  readonly ssrc: number;
  /** Fraction of packets lost since the previous report, 0-1. */
  readonly fractionLost: number;
  readonly cumulativeLost: number;
  readonly highestSequence: number;
  /** Interarrival jitter in RTP timestamp units. */
  readonly jitter: number;
  /** Middle 32 bits of the NTP time of the last SR received, 0 if none. */
  readonly lastSr: number;
  /** Delay since that SR, in units of 1/65536 s. */
  readonly delaySinceLastSr: number;
}

export type RtcpPacket =
  | {
      readonly type: 'sr';
      readonly report: SenderReport;
      readonly ntp: NtpTimestamp;
      readonly blocks: readonly ReportBlock[];
    }
  | { readonly type: 'rr'; readonly ssrc: number; readonly blocks: readonly ReportBlock[] }
  | { readonly type: 'sdes'; readonly chunks: readonly { ssrc: number; cname: string | null }[] }
  | { readonly type: 'bye'; readonly ssrcs: readonly number[] }
  | { readonly type: 'nack'; readonly senderSsrc: number; readonly mediaSsrc: number; readonly lost: readonly number[] }
  | { readonly type: 'pli'; readonly senderSsrc: number; readonly mediaSsrc: number }
  | { readonly type: 'fir'; readonly senderSsrc: number; readonly requests: readonly { ssrc: number; seq: number }[] }
  | { readonly type: 'other'; readonly packetType: number; readonly format: number };

/** A 28-byte SR with no report blocks (this sender receives no media). */
export function serializeSenderReport(sr: SenderReport): Buffer {
  const packet = Buffer.alloc(28);
  packet[0] = 0x80;
  packet[1] = PT.SR;
  packet.writeUInt16BE(28 / 4 - 1, 2);
  packet.writeUInt32BE(sr.ssrc >>> 0, 4);
  const ntp = unixMsToNtp(sr.ntpMs);
  packet.writeUInt32BE(ntp.seconds, 8);
  packet.writeUInt32BE(ntp.fraction, 12);
  packet.writeUInt32BE(sr.rtpTimestamp >>> 0, 16);
  packet.writeUInt32BE(sr.packetCount >>> 0, 20);
  packet.writeUInt32BE(sr.octetCount >>> 0, 24);
  return packet;
}

/** SDES with one chunk holding the CNAME, null-terminated and padded to a 32-bit boundary. */
export function serializeSdesCname(ssrc: number, cname: string): Buffer {
  const text = Buffer.from(cname, 'utf8');
  if (text.length > 255) throw new RangeError('CNAME longer than 255 bytes');
  // ssrc + (type, length, text) + at least one null octet, rounded up to a whole word.
  const chunkSize = Math.ceil((4 + 2 + text.length + 1) / 4) * 4;
  const packet = Buffer.alloc(4 + chunkSize);
  packet[0] = 0x81;
  packet[1] = PT.SDES;
  packet.writeUInt16BE(packet.length / 4 - 1, 2);
  packet.writeUInt32BE(ssrc >>> 0, 4);
  packet[8] = 1;
  packet[9] = text.length;
  text.copy(packet, 10);
  return packet;
}

/** The compound packet a sender emits each interval: SR first (RFC 3550 6.1), then SDES CNAME. */
export function serializeSenderReportCompound(sr: SenderReport, cname: string): Buffer {
  return Buffer.concat([serializeSenderReport(sr), serializeSdesCname(sr.ssrc, cname)]);
}

/**
 * Parses a compound RTCP packet into the parts a video sender cares about. A malformed packet
 * ends parsing (what was read before it is returned); unknown types are reported as 'other'.
 */
export function parseRtcpCompound(data: Uint8Array): RtcpPacket[] {
  const packets: RtcpPacket[] = [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  while (offset + 4 <= data.length) {
    const first = data[offset] as number;
    if (first >> 6 !== 2) break;
    const count = first & 0x1f;
    const type = data[offset + 1] as number;
    const size = (view.getUint16(offset + 2) + 1) * 4;
    if (offset + size > data.length) break;
    const body = (i: number): number => offset + i;
    const u32 = (i: number): number => view.getUint32(body(i));
    const blocks = (start: number): ReportBlock[] => {
      const out: ReportBlock[] = [];
      for (let i = 0; i < count && start + 24 * (i + 1) <= size; i++) {
        const b = start + 24 * i;
        const lostWord = u32(b + 4);
        const cumulative = lostWord & 0xffffff;
        out.push({
          ssrc: u32(b),
          fractionLost: (lostWord >>> 24) / 256,
          cumulativeLost: cumulative & 0x800000 ? cumulative - 0x1000000 : cumulative,
          highestSequence: u32(b + 8),
          jitter: u32(b + 12),
          lastSr: u32(b + 16),
          delaySinceLastSr: u32(b + 20),
        });
      }
      return out;
    };
    switch (type) {
      case PT.SR: {
        if (size < 28) break;
        const ntp = { seconds: u32(8), fraction: u32(12) };
        packets.push({
          type: 'sr',
          ntp,
          report: {
            ssrc: u32(4),
            ntpMs: ntpToUnixMs(ntp),
            rtpTimestamp: u32(16),
            packetCount: u32(20),
            octetCount: u32(24),
          },
          blocks: blocks(28),
        });
        break;
      }
      case PT.RR:
        if (size >= 8) packets.push({ type: 'rr', ssrc: u32(4), blocks: blocks(8) });
        break;
      case PT.SDES: {
        const chunks: { ssrc: number; cname: string | null }[] = [];
        let i = 4;
        for (let c = 0; c < count && i + 4 <= size; c++) {
          const ssrc = u32(i);
          i += 4;
          let cname: string | null = null;
          while (i < size && data[body(i)] !== 0) {
            const itemType = data[body(i)] as number;
            const length = data[body(i + 1)] ?? 0;
            if (itemType === 1) cname = Buffer.from(data.subarray(body(i + 2), body(i + 2 + length))).toString('utf8');
            i += 2 + length;
          }
          i = (Math.floor(i / 4) + 1) * 4;
          chunks.push({ ssrc, cname });
        }
        packets.push({ type: 'sdes', chunks });
        break;
      }
      case PT.BYE: {
        const ssrcs: number[] = [];
        for (let i = 0; i < count && 4 + 4 * (i + 1) <= size; i++) ssrcs.push(u32(4 + 4 * i));
        packets.push({ type: 'bye', ssrcs });
        break;
      }
      case PT.RTPFB:
        if (count === 1 && size >= 12) {
          // Generic NACK (RFC 4585 6.2.1): PID plus a bitmask of the 16 following losses.
          const lost: number[] = [];
          for (let i = 12; i + 4 <= size; i += 4) {
            const pid = view.getUint16(body(i));
            const mask = view.getUint16(body(i + 2));
            lost.push(pid);
            for (let bit = 0; bit < 16; bit++) if (mask & (1 << bit)) lost.push((pid + bit + 1) & 0xffff);
          }
          packets.push({ type: 'nack', senderSsrc: u32(4), mediaSsrc: u32(8), lost });
        } else {
          packets.push({ type: 'other', packetType: type, format: count });
        }
        break;
      case PT.PSFB:
        if (count === 1 && size >= 12) {
          packets.push({ type: 'pli', senderSsrc: u32(4), mediaSsrc: u32(8) });
        } else if (count === 4 && size >= 12) {
          const requests: { ssrc: number; seq: number }[] = [];
          for (let i = 12; i + 8 <= size; i += 8) requests.push({ ssrc: u32(i), seq: data[body(i + 4)] as number });
          packets.push({ type: 'fir', senderSsrc: u32(4), requests });
        } else {
          packets.push({ type: 'other', packetType: type, format: count });
        }
        break;
      default:
        packets.push({ type: 'other', packetType: type, format: count });
    }
    offset += size;
  }
  return packets;
}
