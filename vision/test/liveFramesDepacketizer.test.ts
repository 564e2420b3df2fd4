import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packetizeVp8, parseRtpHeader, serializeRtpPacket, VP8_DESCRIPTOR_SIZE } from '@live-casino/media';
import { parseShowinfo } from '../src/live/frames/showinfo.js';
import { type Vp8Frame, Vp8Depacketizer } from '../src/live/frames/Vp8Depacketizer.js';

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

function feed(d: Vp8Depacketizer, packets: Buffer[], now = () => 0): { frames: Vp8Frame[]; losses: number } {
  const frames: Vp8Frame[] = [];
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

describe('VP8 depacketizer', () => {
  it('reassembles every frame of an in-order stream, across a sequence-number wrap', () => {
    const s = stream(23, { seqStart: 65_500 });
    const { frames, losses } = feed(new Vp8Depacketizer(), s.packets);
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
          const { frames, losses } = feed(new Vp8Depacketizer({ reorderWindowMs: 1000 }), order);
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
    const { frames, losses } = feed(new Vp8Depacketizer({ reorderWindowMs: 50 }), packets, () => (clock += 10));
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
    const { frames } = feed(new Vp8Depacketizer(), fromFrame2);
    expect(frames[0]!.rtpTimestamp).toBe(s.frames[5]!.timestamp);
    expect(frames.map((f) => f.rtpTimestamp)).toEqual(s.frames.slice(5).map((f) => f.timestamp));
  });

  it('ignores packets whose payload is not VP8', () => {
    const d = new Vp8Depacketizer();
    // A descriptor that claims more bytes than there are: nothing comes out, nothing throws.
    const bad = Buffer.concat([Buffer.from([0x80, 0xe0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]), Buffer.from([0x90, 0x80])]);
    expect(d.push(parseRtpHeader(bad)!, bad, 0)).toEqual({ frames: [], lost: false });
  });
});

describe('showinfo', () => {
  it('parses showinfo lines of ffmpeg 5.1 and nothing else', () => {
    const line =
      '[Parsed_showinfo_0 @ 0x55d1c3a0] n:  12 pts:    345 pts_time:0.345   duration:      1 pos:    23456 fmt:yuv420p sar:0/1 s:640x360 i:P iskey:0 type:P checksum:1A2B3C4D plane_checksum:[1 2 3] mean:[1 2 3] stdev:[1.0 2.0 3.0]';
    expect(parseShowinfo(line)).toEqual({ n: 12, pts: 345, width: 640, height: 360 });
    expect(parseShowinfo('[Parsed_showinfo_0 @ 0x1] config in time_base: 1/1000, frame_rate: 0/1')).toBeUndefined();
    expect(parseShowinfo('[Parsed_showinfo_0 @ 0x1]  color_range:unknown color_space:unknown')).toBeUndefined();
    expect(parseShowinfo('frame=  12 fps=0.0 q=-0.0 size=N/A')).toBeUndefined();
  });
});
