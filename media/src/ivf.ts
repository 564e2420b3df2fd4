/**
 * IVF container (libvpx's raw frame stream): a 32-byte file header, then per frame a 12-byte
 * header (uint32 size, uint64 pts, little endian) and the frame. ffmpeg writes it to a pipe one
 * frame at a time, so it is parsed incrementally as chunks arrive. The studio reads the encoder's
 * output with IvfReader; the vision worker writes IVF into its decoder.
 */

export const IVF_FILE_HEADER_SIZE = 32;
export const IVF_FRAME_HEADER_SIZE = 12;
/** Far above any VP8 frame at these sizes; a bigger size field means the stream is corrupt. */
const MAX_FRAME_SIZE = 16 * 1024 * 1024;

export interface IvfFileHeader {
  readonly fourcc: string;
  readonly width: number;
  readonly height: number;
  /** pts are in units of timebaseNumerator / timebaseDenominator seconds. */
  readonly timebaseDenominator: number;
  readonly timebaseNumerator: number;
  readonly frameCount: number;
}

export interface IvfFrame {
  readonly pts: number;
  readonly data: Buffer;
}

export class IvfReader {
  #pending: Buffer = Buffer.alloc(0);
  #header: IvfFileHeader | null = null;

  get header(): IvfFileHeader | null {
    return this.#header;
  }

  /** Feeds bytes; returns every frame completed by them, in order. Throws on a corrupt stream. */
  push(chunk: Buffer): IvfFrame[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const frames: IvfFrame[] = [];
    let offset = 0;
    const buf = this.#pending;
    if (!this.#header) {
      if (buf.length < IVF_FILE_HEADER_SIZE || buf.length < buf.readUInt16LE(6)) return frames;
      this.#header = parseIvfFileHeader(buf);
      offset = buf.readUInt16LE(6);
    }
    while (buf.length - offset >= IVF_FRAME_HEADER_SIZE) {
      const size = buf.readUInt32LE(offset);
      if (size > MAX_FRAME_SIZE) throw new RangeError(`IVF frame of ${size} bytes: stream corrupt`);
      if (buf.length - offset - IVF_FRAME_HEADER_SIZE < size) break;
      const pts = Number(buf.readBigUInt64LE(offset + 4));
      const start = offset + IVF_FRAME_HEADER_SIZE;
      // Copy out: the frame outlives this chunk (packetizer, retransmission history).
      frames.push({ pts, data: Buffer.from(buf.subarray(start, start + size)) });
      offset = start + size;
    }
    this.#pending = offset === buf.length ? Buffer.alloc(0) : buf.subarray(offset);
    return frames;
  }
}

export function parseIvfFileHeader(buf: Buffer): IvfFileHeader {
  if (buf.length < IVF_FILE_HEADER_SIZE || buf.toString('latin1', 0, 4) !== 'DKIF') {
    throw new RangeError('not an IVF stream (no DKIF signature)');
  }
  const headerSize = buf.readUInt16LE(6);
  if (headerSize < IVF_FILE_HEADER_SIZE) throw new RangeError(`IVF header size ${headerSize}`);
  return {
    fourcc: buf.toString('latin1', 8, 12),
    width: buf.readUInt16LE(12),
    height: buf.readUInt16LE(14),
    timebaseDenominator: buf.readUInt32LE(16),
    timebaseNumerator: buf.readUInt32LE(20),
    frameCount: buf.readUInt32LE(24),
  };
}

export function serializeIvfFileHeader(header: Omit<IvfFileHeader, 'frameCount'> & { frameCount?: number }): Buffer {
  const buf = Buffer.alloc(IVF_FILE_HEADER_SIZE);
  buf.write('DKIF', 0, 'latin1');
  buf.writeUInt16LE(0, 4);
  buf.writeUInt16LE(IVF_FILE_HEADER_SIZE, 6);
  buf.write(header.fourcc.padEnd(4).slice(0, 4), 8, 'latin1');
  buf.writeUInt16LE(header.width, 12);
  buf.writeUInt16LE(header.height, 14);
  buf.writeUInt32LE(header.timebaseDenominator, 16);
  buf.writeUInt32LE(header.timebaseNumerator, 20);
  buf.writeUInt32LE(header.frameCount ?? 0, 24);
  return buf;
}

export function serializeIvfFrameHeader(size: number, pts: number): Buffer {
  if (!Number.isSafeInteger(pts) || pts < 0) throw new RangeError(`ivf pts must be a non-negative integer: ${pts}`);
  const buf = Buffer.alloc(IVF_FRAME_HEADER_SIZE);
  buf.writeUInt32LE(size, 0);
  buf.writeBigUInt64LE(BigInt(pts), 4);
  return buf;
}

/**
 * ffmpeg input options for a live IVF stream on stdin whose first frame is a keyframe: no probing
 * delay (IVF names the codec) and each frame decoded as it comes. Not `-fflags nobuffer`: that
 * discards the packets read while probing, which are the first keyframe. `decoderOptions` go
 * before `-i` (they apply to this input's decoder).
 */
export function ivfPipeInputArgs(decoderOptions: readonly string[] = []): string[] {
  return [
    '-probesize',
    '32',
    '-analyzeduration',
    '0',
    '-flags',
    'low_delay',
    ...decoderOptions,
    '-f',
    'ivf',
    '-i',
    'pipe:0',
  ];
}
