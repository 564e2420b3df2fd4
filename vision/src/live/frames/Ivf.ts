/**
 * IVF, the simplest VP8 container ffmpeg reads from a pipe: a 32-byte file header, then each frame
 * behind a 12-byte header with its size and pts. The decoder's pts are ours (a counter), which is
 * how decoded pictures are matched back to the RTP frames they came from. Pure, no I/O.
 */

/** Time base of the pts we write: 1/1000, so a pts counter reads as-is in ffmpeg's logs. */
export const IVF_TIMEBASE = { num: 1, den: 1000 } as const;

export function ivfFileHeader(width: number, height: number): Buffer {
  const h = Buffer.alloc(32);
  h.write('DKIF', 0, 'ascii');
  h.writeUInt16LE(0, 4);
  h.writeUInt16LE(32, 6);
  h.write('VP80', 8, 'ascii');
  h.writeUInt16LE(width, 12);
  h.writeUInt16LE(height, 14);
  h.writeUInt32LE(IVF_TIMEBASE.den, 16);
  h.writeUInt32LE(IVF_TIMEBASE.num, 20);
  // Frame count unknown (live); ffmpeg does not need it.
  h.writeUInt32LE(0, 24);
  return h;
}

export function ivfFrameHeader(size: number, pts: number): Buffer {
  if (!Number.isSafeInteger(pts) || pts < 0) throw new RangeError(`ivf pts must be a non-negative integer: ${pts}`);
  const h = Buffer.alloc(12);
  h.writeUInt32LE(size, 0);
  h.writeBigUInt64LE(BigInt(pts), 4);
  return h;
}

/** `pts` and size of a `showinfo` line of ffmpeg's log, or undefined for any other line. */
export function parseShowinfo(line: string): { n: number; pts: number; width: number; height: number } | undefined {
  if (!line.includes('Parsed_showinfo')) return undefined;
  const m = /\bn:\s*(\d+)\s+pts:\s*(-?\d+)\b.*?\bs:(\d+)x(\d+)\b/.exec(line);
  if (!m) return undefined;
  return { n: Number(m[1]), pts: Number(m[2]), width: Number(m[3]), height: Number(m[4]) };
}
