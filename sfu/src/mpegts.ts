import { open } from 'node:fs/promises';

const TS_PACKET = 188;
/** PTS are 33-bit counts of a 90 kHz clock. */
export const PTS_CLOCK_HZ = 90_000;
const PTS_WRAP = 2 ** 33;

/**
 * The presentation timestamp (90 kHz ticks) of the first video PES in an MPEG-TS buffer, or null
 * when there is none. Only what a segment's first frame needs: packet sync, adaptation field,
 * payload-unit start, PES start code of a video stream (0xE0-0xEF) and its PTS.
 */
export function firstVideoPts(ts: Uint8Array): number | null {
  for (let at = 0; at + TS_PACKET <= ts.length; at += TS_PACKET) {
    if (ts[at] !== 0x47) return null;
    const payloadUnitStart = (ts[at + 1]! & 0x40) !== 0;
    const adaptation = (ts[at + 3]! >> 4) & 0x3;
    if (!payloadUnitStart || (adaptation & 0x1) === 0) continue;
    let p = at + 4;
    if (adaptation === 0x3) p += 1 + ts[at + 4]!;
    if (p + 14 > at + TS_PACKET) continue;
    if (ts[p] !== 0 || ts[p + 1] !== 0 || ts[p + 2] !== 1) continue;
    const streamId = ts[p + 3]!;
    if (streamId < 0xe0 || streamId > 0xef) continue;
    if ((ts[p + 7]! & 0x80) === 0) continue;
    const b = ts.subarray(p + 9, p + 14);
    return ((b[0]! >> 1) & 0x07) * 2 ** 30 + ((b[1]! << 7) | (b[2]! >> 1)) * 2 ** 15 + ((b[3]! << 7) | (b[4]! >> 1));
  }
  return null;
}

/** `firstVideoPts` of a segment file, reading only its head. */
export async function segmentFirstPts(file: string, headBytes = 64 * TS_PACKET): Promise<number | null> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(headBytes);
    const { bytesRead } = await handle.read(buffer, 0, headBytes, 0);
    return firstVideoPts(buffer.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** Seconds from PTS `from` to PTS `to`, across a 33-bit wrap. */
export function ptsSeconds(from: number, to: number): number {
  let d = (to - from) % PTS_WRAP;
  if (d < 0) d += PTS_WRAP;
  if (d > PTS_WRAP / 2) d -= PTS_WRAP;
  return d / PTS_CLOCK_HZ;
}
