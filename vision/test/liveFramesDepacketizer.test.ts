import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ivfFileHeader, ivfFrameHeader, parseShowinfo } from '../src/live/frames/Ivf.js';
import { parseRtpHeader, type Vp8Frame, Vp8Depacketizer, vp8FrameInfo } from '../src/live/frames/Vp8Depacketizer.js';

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

/** RTP packets of one frame, RFC 7741 with a 4-byte descriptor (X, I, 15-bit picture id) as the simulator sends. */
function packetize(seqStart: number, timestamp: number, frame: Uint8Array, chunk: number): Buffer[] {
  const packets: Buffer[] = [];
  for (let offset = 0, i = 0; offset < frame.length; offset += chunk, i++) {
    const end = Math.min(frame.length, offset + chunk);
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = (end === frame.length ? 0x80 : 0) | 96;
    header.writeUInt16BE((seqStart + i) & 0xffff, 2);
    header.writeUInt32BE(timestamp >>> 0, 4);
    header.writeUInt32BE(SSRC, 8);
    const descriptor = Buffer.from([0x80 | (i === 0 ? 0x10 : 0), 0x80, 0x80, 0x01]);
    packets.push(Buffer.concat([header, descriptor, frame.subarray(offset, end)]));
  }
  return packets;
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

  it('ignores RTCP, truncated and malformed packets', () => {
    const d = new Vp8Depacketizer();
    expect(parseRtpHeader(Buffer.from([0x80, 200, 0, 6]))).toBeUndefined();
    expect(parseRtpHeader(Buffer.alloc(11))).toBeUndefined();
    expect(parseRtpHeader(Buffer.from('not an rtp packet at all'))).toBeUndefined();
    const header = parseRtpHeader(
      Buffer.concat([Buffer.from([0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]), Buffer.from([0x80])]),
    );
    expect(header).toBeDefined();
    // A descriptor that claims more bytes than there are: nothing comes out, nothing throws.
    const bad = Buffer.concat([Buffer.from([0x80, 0xe0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]), Buffer.from([0x90, 0x80])]);
    expect(d.push(parseRtpHeader(bad)!, bad, 0)).toEqual({ frames: [], lost: false });
  });

  it('reads the keyframe flag and size', () => {
    expect(vp8FrameInfo(frameBytes(0, true, 50))).toEqual({ keyframe: true, width: 640, height: 360 });
    expect(vp8FrameInfo(frameBytes(1, false, 50))).toEqual({ keyframe: false });
    expect(vp8FrameInfo(new Uint8Array())).toEqual({ keyframe: false });
  });
});

describe('IVF and showinfo', () => {
  it('writes the headers ffmpeg expects', () => {
    const h = ivfFileHeader(640, 360);
    expect(h.length).toBe(32);
    expect(h.toString('ascii', 0, 4)).toBe('DKIF');
    expect(h.toString('ascii', 8, 12)).toBe('VP80');
    expect([h.readUInt16LE(12), h.readUInt16LE(14), h.readUInt32LE(16), h.readUInt32LE(20)]).toEqual([
      640, 360, 1000, 1,
    ]);
    const f = ivfFrameHeader(1234, 2 ** 40);
    expect([f.readUInt32LE(0), f.readBigUInt64LE(4)]).toEqual([1234, 2n ** 40n]);
    expect(() => ivfFrameHeader(1, -1)).toThrow(RangeError);
    expect(() => ivfFrameHeader(1, 1.5)).toThrow(RangeError);
  });

  it('parses showinfo lines of ffmpeg 5.1 and nothing else', () => {
    const line =
      '[Parsed_showinfo_0 @ 0x55d1c3a0] n:  12 pts:    345 pts_time:0.345   duration:      1 pos:    23456 fmt:yuv420p sar:0/1 s:640x360 i:P iskey:0 type:P checksum:1A2B3C4D plane_checksum:[1 2 3] mean:[1 2 3] stdev:[1.0 2.0 3.0]';
    expect(parseShowinfo(line)).toEqual({ n: 12, pts: 345, width: 640, height: 360 });
    expect(parseShowinfo('[Parsed_showinfo_0 @ 0x1] config in time_base: 1/1000, frame_rate: 0/1')).toBeUndefined();
    expect(parseShowinfo('[Parsed_showinfo_0 @ 0x1]  color_range:unknown color_space:unknown')).toBeUndefined();
    expect(parseShowinfo('frame=  12 fps=0.0 q=-0.0 size=N/A')).toBeUndefined();
  });
});
