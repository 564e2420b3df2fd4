import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  IVF_FILE_HEADER_SIZE,
  IvfReader,
  parseIvfFileHeader,
  serializeIvfFileHeader,
  serializeIvfFrameHeader,
} from '../src/ivf.js';
import { isVp8KeyFrame } from '../src/vp8.js';

const header = { fourcc: 'VP80', width: 640, height: 360, timebaseDenominator: 30, timebaseNumerator: 1 };
const stream = (frames: Buffer[]): Buffer =>
  Buffer.concat([
    serializeIvfFileHeader(header),
    ...frames.flatMap((f, i) => [serializeIvfFrameHeader(f.length, i), f]),
  ]);

describe('IvfReader', () => {
  const frames = [Buffer.from('key frame'), Buffer.alloc(0), Buffer.alloc(5000, 7), Buffer.from('last')];

  it('writes the headers ffmpeg expects, byte for byte', () => {
    const h = serializeIvfFileHeader({ ...header, timebaseDenominator: 1000, width: 640, height: 360 });
    expect(h.toString('hex')).toBe('444b4946000020005650383080026801e80300000100000000000000' + '00000000');
    expect(parseIvfFileHeader(h)).toEqual({ ...header, timebaseDenominator: 1000, frameCount: 0 });
    const f = serializeIvfFrameHeader(1234, 2 ** 40);
    expect([f.readUInt32LE(0), f.readBigUInt64LE(4)]).toEqual([1234, 2n ** 40n]);
    expect(() => serializeIvfFrameHeader(1, -1)).toThrow(RangeError);
    expect(() => serializeIvfFrameHeader(1, 1.5)).toThrow(RangeError);
  });

  it('reads the file header and every frame, whatever the chunking', () => {
    const bytes = stream(frames);
    for (const chunkSize of [1, 3, 12, 31, 32, 33, 1000, bytes.length]) {
      const reader = new IvfReader();
      const out = [];
      for (let i = 0; i < bytes.length; i += chunkSize) out.push(...reader.push(bytes.subarray(i, i + chunkSize)));
      expect(reader.header).toEqual({ ...header, frameCount: 0 });
      expect(out.map((f) => f.pts)).toEqual([0, 1, 2, 3]);
      expect(out.map((f) => f.data)).toEqual(frames);
    }
  });

  it('returns frames that stay valid after later chunks arrive', () => {
    const reader = new IvfReader();
    const bytes = stream(frames);
    const [first] = reader.push(bytes.subarray(0, IVF_FILE_HEADER_SIZE + 12 + 9));
    reader.push(bytes.subarray(IVF_FILE_HEADER_SIZE + 12 + 9));
    expect(first?.data.toString()).toBe('key frame');
  });

  it('rejects a stream that is not IVF, or a frame size that can only be corruption', () => {
    expect(() => new IvfReader().push(Buffer.alloc(40))).toThrow(/DKIF/);
    const corrupt = Buffer.concat([serializeIvfFileHeader(header), Buffer.from('ffffffff0000000000000000', 'hex')]);
    expect(() => new IvfReader().push(corrupt)).toThrow(/corrupt/);
  });

  it("parses ffmpeg's libvpx output: VP80, 1/fps timebase, pts = frame index, key frame first", () => {
    const ivf = execFileSync(
      'ffmpeg',
      [
        ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=30'],
        ...['-frames:v', '5', '-c:v', 'libvpx', '-deadline', 'realtime', '-g', '3', '-f', 'ivf', 'pipe:1'],
      ],
      { maxBuffer: 1 << 24 },
    );
    expect(parseIvfFileHeader(ivf)).toMatchObject({
      fourcc: 'VP80',
      width: 320,
      height: 180,
      timebaseDenominator: 30,
      timebaseNumerator: 1,
    });
    const out = new IvfReader().push(ivf);
    expect(out.map((f) => f.pts)).toEqual([0, 1, 2, 3, 4]);
    expect(out.map((f) => isVp8KeyFrame(f.data))).toEqual([true, false, false, true, false]);
  });
});
