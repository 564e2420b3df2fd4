/**
 * Burned-in studio timecode: a row of black/white cells drawn into every simulated frame so that
 * tests and benchmarks can read the studio capture time of a frame back from its pixels, after
 * encoding, the SFU and decoding. Layout: 2 guard cells (white, black), 48 data bits (studio time
 * in ms since the Unix epoch, most significant first), 8 bits of CRC-8 over the 6 data bytes.
 * Cells are large (10x14 px at 640x360) so they survive VP8/H.264 at low bitrates.
 */
export const TIMECODE = {
  /** Reference frame size the layout is defined for; it scales with the actual frame. */
  refWidth: 640,
  refHeight: 360,
  x: 16,
  y: 6,
  cellWidth: 10,
  cellHeight: 14,
  guardBits: [1, 0] as const,
  dataBits: 48,
  crcBits: 8,
} as const;

export const TIMECODE_CELLS = TIMECODE.guardBits.length + TIMECODE.dataBits + TIMECODE.crcBits;

/** CRC-8 (polynomial 0x07, as ATM HEC) over bytes. */
export function crc8(bytes: readonly number[]): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

function msToBytes(studioTimeMs: number): number[] {
  const bytes: number[] = [];
  let v = Math.floor(studioTimeMs);
  for (let i = 0; i < 6; i++) {
    bytes.unshift(v % 256);
    v = Math.floor(v / 256);
  }
  return bytes;
}

/** The cell values (1 = white, 0 = black) for a studio time, left to right. */
export function encodeTimecode(studioTimeMs: number): number[] {
  if (!Number.isSafeInteger(Math.floor(studioTimeMs)) || studioTimeMs < 0 || studioTimeMs >= 2 ** 48) {
    throw new RangeError(`studio time out of range: ${studioTimeMs}`);
  }
  const bytes = msToBytes(studioTimeMs);
  const bits: number[] = [...TIMECODE.guardBits];
  for (const byte of [...bytes, crc8(bytes)]) {
    for (let i = 7; i >= 0; i--) bits.push((byte >> i) & 1);
  }
  return bits;
}

/** Cell rectangles in a frame of the given size (the layout scales with the frame). */
export function timecodeCellRects(width: number, height: number): { x: number; y: number; w: number; h: number }[] {
  const sx = width / TIMECODE.refWidth;
  const sy = height / TIMECODE.refHeight;
  const rects = [];
  for (let i = 0; i < TIMECODE_CELLS; i++) {
    rects.push({
      x: Math.round((TIMECODE.x + i * TIMECODE.cellWidth) * sx),
      y: Math.round(TIMECODE.y * sy),
      w: Math.round(TIMECODE.cellWidth * sx),
      h: Math.round(TIMECODE.cellHeight * sy),
    });
  }
  return rects;
}

/**
 * Reads the studio time from RGBA pixels of a whole frame (e.g. `getImageData` of a canvas the
 * frame was drawn onto at any size). Samples the centre of each cell; returns null when the guard
 * cells or the CRC do not match (no timecode, or a frame too damaged to trust).
 */
export function decodeTimecode(rgba: ArrayLike<number>, width: number, height: number): number | null {
  const rects = timecodeCellRects(width, height);
  const bits: number[] = [];
  for (const r of rects) {
    let sum = 0;
    let n = 0;
    const cx = r.x + r.w / 2;
    const cy = r.y + r.h / 2;
    for (let dy = -r.h / 4; dy <= r.h / 4; dy += Math.max(1, r.h / 8)) {
      for (let dx = -r.w / 4; dx <= r.w / 4; dx += Math.max(1, r.w / 8)) {
        const px = Math.min(width - 1, Math.max(0, Math.round(cx + dx)));
        const py = Math.min(height - 1, Math.max(0, Math.round(cy + dy)));
        const o = (py * width + px) * 4;
        sum += 0.299 * (rgba[o] ?? 0) + 0.587 * (rgba[o + 1] ?? 0) + 0.114 * (rgba[o + 2] ?? 0);
        n++;
      }
    }
    bits.push(sum / n >= 128 ? 1 : 0);
  }
  if (bits[0] !== 1 || bits[1] !== 0) return null;
  const bytes: number[] = [];
  for (let b = 0; b < 7; b++) {
    let byte = 0;
    for (let i = 0; i < 8; i++) byte = (byte << 1) | (bits[2 + b * 8 + i] ?? 0);
    bytes.push(byte);
  }
  const data = bytes.slice(0, 6);
  if (crc8(data) !== bytes[6]) return null;
  return data.reduce((acc, byte) => acc * 256 + byte, 0);
}
