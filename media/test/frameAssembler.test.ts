import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AssembledFrame,
  H264_PAYLOAD_FORMAT,
  packetizeVp8,
  parseRtpHeader,
  RtpFrameAssembler,
  serializeRtpPacket,
  VP8_DESCRIPTOR_SIZE,
  VP8_PAYLOAD_FORMAT,
} from '../src/index.js';

const SSRC = 0x1234;

/** A VP8 frame's bytes: keyframes carry the RFC 6386 start code and a 640x360 size. */
function frameBytes(index: number, keyframe: boolean, size: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (index * 31 + i) & 0xff;
  if (keyframe) {
    data.set([0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 640 & 0xff, 640 >> 8, 360 & 0xff, 360 >> 8]);
  } else {
    data[0] = 0x01;
  }
  return data;
}

/** RTP packets of one frame as the simulator sends them (RFC 7741, 4-byte descriptor), `chunk` bytes of frame at most. */
function packetize(seqStart: number, timestamp: number, frame: Uint8Array, chunk: number): Buffer[] {
  const payloads = packetizeVp8(frame, 1, chunk + VP8_DESCRIPTOR_SIZE);
  return payloads.map((payload, i) =>
    serializeRtpPacket(
      {
        payloadType: 96,
        sequenceNumber: (seqStart + i) & 0xffff,
        timestamp,
        ssrc: SSRC,
        marker: i === payloads.length - 1,
      },
      payload,
    ),
  );
}

interface Stream {
  packets: Buffer[];
  frames: { timestamp: number; data: Uint8Array; keyframe: boolean; firstSeq: number; lastSeq: number }[];
}

function stream(count: number, opts: { seqStart?: number; gop?: number; chunk?: number } = {}): Stream {
  const gop = opts.gop ?? 5;
  let seq = opts.seqStart ?? 1000;
  const packets: Buffer[] = [];
  const frames: Stream['frames'] = [];
  for (let i = 0; i < count; i++) {
    const keyframe = i % gop === 0;
    const data = frameBytes(i, keyframe, keyframe ? 3000 : 200 + ((i * 97) % 1500));
    const timestamp = (4_294_000_000 + i * 3000) >>> 0; // wraps the 32-bit RTP clock mid-stream
    const p = packetize(seq, timestamp, data, opts.chunk ?? 700);
    frames.push({ timestamp, data, keyframe, firstSeq: seq, lastSeq: seq + p.length - 1 });
    seq += p.length;
    packets.push(...p);
  }
  return { packets, frames };
}

function feed(d: RtpFrameAssembler, packets: Buffer[], now = () => 0): { frames: AssembledFrame[]; losses: number } {
  const frames: AssembledFrame[] = [];
  let losses = 0;
  for (const p of packets) {
    const rtp = parseRtpHeader(p);
    if (!rtp) throw new Error('bad test packet');
    const res = d.push(rtp, p, now());
    frames.push(...res.frames);
    if (res.lost) losses++;
  }
  return { frames, losses };
}

const vp8 = (opts?: { reorderWindowMs?: number }) => new RtpFrameAssembler(VP8_PAYLOAD_FORMAT, opts);

describe('RTP frame assembler, VP8', () => {
  it('reassembles every frame of an in-order stream, across a sequence-number wrap', () => {
    const s = stream(23, { seqStart: 65_500 });
    const { frames, losses } = feed(vp8(), s.packets);
    expect(losses).toBe(0);
    expect(frames.map((f) => f.rtpTimestamp)).toEqual(s.frames.map((f) => f.timestamp));
    frames.forEach((f, i) => {
      expect(Buffer.from(f.data).equals(Buffer.from(s.frames[i]!.data))).toBe(true);
      expect(f.keyframe).toBe(s.frames[i]!.keyframe);
    });
    expect(frames[0]).toMatchObject({ keyframe: true, width: 640, height: 360 });
  });

  it('property: any reordering within the window and any duplicates give the same frames', () => {
    const s = stream(12);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: s.packets.length, maxLength: s.packets.length }),
        fc.array(fc.nat(s.packets.length - 1), { maxLength: 10 }),
        (jitter, duplicates) => {
          // Each packet is delayed by up to 3 slots; the clock stays inside the reorder window.
          const order = s.packets
            .map((p, i) => ({ p, at: i + jitter[i]! + (i === 0 ? 0 : 0.5) }))
            .sort((a, b) => a.at - b.at)
            .map((x) => x.p);
          for (const d of duplicates) order.splice(d + 1, 0, s.packets[d]!);
          // The first packet must be the keyframe's first for an exact comparison from frame 0.
          order.splice(order.indexOf(s.packets[0]!), 1);
          order.unshift(s.packets[0]!);
          const { frames, losses } = feed(vp8({ reorderWindowMs: 1000 }), order);
          expect(losses).toBe(0);
          expect(frames.map((f) => f.rtpTimestamp)).toEqual(s.frames.map((f) => f.timestamp));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('drops the damaged frame and every inter frame after it until a keyframe, and reports the loss', () => {
    const s = stream(16, { gop: 5 });
    // Lose the second packet of frame 6 (an inter frame with 1+ packets: pick a multi-packet one).
    const victim = s.frames.findIndex((f, i) => i > 5 && i < 10 && f.lastSeq > f.firstSeq);
    expect(victim).toBeGreaterThan(0);
    const lostSeq = s.frames[victim]!.firstSeq + 1;
    const packets = s.packets.filter((p) => p.readUInt16BE(2) !== (lostSeq & 0xffff));
    let clock = 0;
    const { frames, losses } = feed(vp8({ reorderWindowMs: 50 }), packets, () => (clock += 10));
    expect(losses).toBe(1);
    const got = frames.map((f) => f.rtpTimestamp);
    const expected = s.frames.filter((_, i) => i < victim || i >= 10).map((f) => f.timestamp);
    expect(got).toEqual(expected);
  });

  it('starts at the first keyframe when joining mid-stream', () => {
    const s = stream(12, { gop: 5 });
    const fromFrame2 = s.packets.slice(
      s.packets.indexOf(s.packets.find((p) => p.readUInt16BE(2) === s.frames[2]!.firstSeq)!),
    );
    const { frames } = feed(vp8(), fromFrame2);
    expect(frames[0]!.rtpTimestamp).toBe(s.frames[5]!.timestamp);
    expect(frames.map((f) => f.rtpTimestamp)).toEqual(s.frames.slice(5).map((f) => f.timestamp));
  });

  it('ignores packets whose payload is not VP8', () => {
    const d = vp8();
    // A descriptor that claims more bytes than there are: nothing comes out, nothing throws.
    const bad = Buffer.concat([Buffer.from([0x80, 0xe0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]), Buffer.from([0x90, 0x80])]);
    expect(d.push(parseRtpHeader(bad)!, bad, 0)).toEqual({ frames: [], lost: false });
  });
});

/** One NAL unit: header byte (nal_ref_idc 3) and a body; slices start with first_mb_in_slice. */
function nal(type: number, size: number, seed: number, firstMb0 = true): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 1; i < size; i++) data[i] = (seed * 13 + i * 7) & 0xff;
  data[0] = 0x60 | type;
  if (type === 1 || type === 5) data[1] = firstMb0 ? data[1]! | 0x80 : data[1]! & 0x7f;
  return data;
}

/** RFC 6184 mode 1 as a browser sends it: parameter sets in a STAP-A, big slices in FU-As. */
function packetizeH264(nals: Uint8Array[], mtu: number): Uint8Array[] {
  const payloads: Uint8Array[] = [];
  let i = 0;
  while (i < nals.length) {
    const n = nals[i]!;
    const type = n[0]! & 0x1f;
    if ((type === 7 || type === 8) && nals[i + 1] && (nals[i + 1]![0]! & 0x1f) === 8) {
      const m = nals[i + 1]!;
      payloads.push(Uint8Array.of(0x78, n.length >> 8, n.length & 0xff, ...n, m.length >> 8, m.length & 0xff, ...m));
      i += 2;
      continue;
    }
    if (n.length <= mtu) payloads.push(n);
    else {
      for (let o = 1; o < n.length; o += mtu - 2) {
        const start = o === 1 ? 0x80 : 0;
        const end = o + mtu - 2 >= n.length ? 0x40 : 0;
        payloads.push(Uint8Array.of((n[0]! & 0xe0) | 28, start | end | type, ...n.subarray(o, o + mtu - 2)));
      }
    }
    i++;
  }
  return payloads;
}

const annexB = (nals: Uint8Array[]) => Buffer.concat(nals.flatMap((n) => [Buffer.from([0, 0, 0, 1]), Buffer.from(n)]));

function h264Stream(count: number, gop: number, seqStart = 65_530) {
  let seq = seqStart;
  const packets: Buffer[] = [];
  const frames: { timestamp: number; data: Buffer; keyframe: boolean; firstSeq: number; lastSeq: number }[] = [];
  for (let i = 0; i < count; i++) {
    const keyframe = i % gop === 0;
    const nals = keyframe
      ? [nal(7, 12, i), nal(8, 5, i), nal(5, 2500, i)]
      : [nal(1, 300 + ((i * 211) % 1400), i), nal(1, 200, i + 1, false)]; // two slices
    const timestamp = (i * 3000) >>> 0;
    const payloads = packetizeH264(nals, 1000);
    payloads.forEach((payload, k) => {
      const header = { payloadType: 102, sequenceNumber: (seq + k) & 0xffff, timestamp, ssrc: SSRC };
      packets.push(serializeRtpPacket({ ...header, marker: k === payloads.length - 1 }, [payload]));
    });
    frames.push({ timestamp, data: annexB(nals), keyframe, firstSeq: seq, lastSeq: seq + payloads.length - 1 });
    seq += payloads.length;
  }
  return { packets, frames };
}

describe('RTP frame assembler, H.264', () => {
  const h264 = (opts?: { reorderWindowMs?: number }) => new RtpFrameAssembler(H264_PAYLOAD_FORMAT, opts);

  it('reassembles STAP-A, FU-A and multi-slice access units into Annex B, across a sequence wrap', () => {
    const s = h264Stream(12, 4);
    const { frames, losses } = feed(h264(), s.packets);
    expect(losses).toBe(0);
    expect(frames.map((f) => f.rtpTimestamp)).toEqual(s.frames.map((f) => f.timestamp));
    frames.forEach((f, i) => {
      expect(Buffer.from(f.data).equals(s.frames[i]!.data)).toBe(true);
      expect(f.keyframe).toBe(s.frames[i]!.keyframe);
    });
  });

  it('after a lost packet, drops frames until the next IDR access unit and reports the loss once', () => {
    const s = h264Stream(12, 4);
    const lostSeq = s.frames[5]!.firstSeq;
    const packets = s.packets.filter((p) => p.readUInt16BE(2) !== (lostSeq & 0xffff));
    let clock = 0;
    const { frames, losses } = feed(h264({ reorderWindowMs: 50 }), packets, () => (clock += 10));
    expect(losses).toBe(1);
    expect(frames.map((f) => f.rtpTimestamp)).toEqual(
      s.frames.filter((_, i) => i < 5 || i >= 8).map((f) => f.timestamp),
    );
  });

  it('joining mid-stream, the first frame out is an IDR access unit with its parameter sets', () => {
    const s = h264Stream(12, 4);
    const from = s.packets.findIndex((p) => p.readUInt16BE(2) === (s.frames[1]!.firstSeq + 1) % 65536);
    const { frames } = feed(h264(), s.packets.slice(from));
    expect(frames[0]).toMatchObject({ rtpTimestamp: s.frames[4]!.timestamp, keyframe: true });
    expect(Buffer.from(frames[0]!.data).equals(s.frames[4]!.data)).toBe(true);
  });

  it('ignores payloads that packetization mode 1 does not use, and truncated ones', () => {
    const d = h264();
    for (const payload of [
      Uint8Array.of(0x79, 1, 2, 3),
      Uint8Array.of(0x78, 0, 9, 0x67),
      Uint8Array.of(0x7c),
      Uint8Array.of(0xe7, 1),
    ]) {
      const packet = serializeRtpPacket(
        { payloadType: 102, sequenceNumber: 1, timestamp: 0, ssrc: SSRC, marker: true },
        [payload],
      );
      expect(d.push(parseRtpHeader(packet)!, packet, 0)).toEqual({ frames: [], lost: false });
    }
  });
});
