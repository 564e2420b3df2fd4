import { spawn } from 'node:child_process';
import { serializeIvfFileHeader, serializeIvfFrameHeader } from '@live-casino/media';

export interface DecodedVideo {
  /** One RGBA picture (width * height * 4 bytes) per decoded frame. */
  readonly frames: Buffer[];
  /** Each frame's presentation time in seconds, from ffmpeg's showinfo. */
  readonly ptsS: number[];
}

/**
 * Decodes a whole video with ffmpeg, for tests that read back what a stream carried: a file ffmpeg
 * opens by itself (an HLS segment), or VP8 frames sent to it as IVF (1/30 s time base, pts = index).
 * Every frame comes out as it went in (no frame rate conversion).
 */
export async function decodeVideo(
  input: { readonly file: string } | { readonly vp8Frames: readonly Uint8Array[] },
  width: number,
  height: number,
): Promise<DecodedVideo> {
  const source = 'file' in input ? ['-i', input.file] : ['-f', 'ivf', '-i', 'pipe:0'];
  const output = ['-vf', 'showinfo', '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgba', 'pipe:1'];
  const ffmpeg = spawn('ffmpeg', ['-hide_banner', '-nostats', '-nostdin', ...source, ...output], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  let stderr = '';
  ffmpeg.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  ffmpeg.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    ffmpeg.once('error', reject);
    ffmpeg.once('close', resolve);
  });
  // A dead ffmpeg makes writes fail with EPIPE; its exit code says why.
  ffmpeg.stdin.on('error', () => undefined);
  if ('vp8Frames' in input) {
    const header = { fourcc: 'VP80', width, height, timebaseDenominator: 30, timebaseNumerator: 1 };
    ffmpeg.stdin.write(serializeIvfFileHeader({ ...header, frameCount: input.vp8Frames.length }));
    input.vp8Frames.forEach((frame, i) => {
      ffmpeg.stdin.write(serializeIvfFrameHeader(frame.length, i));
      ffmpeg.stdin.write(frame);
    });
  }
  ffmpeg.stdin.end();
  const code = await exited;
  if (code !== 0) throw new Error(`ffmpeg decoder exited ${code}: ${stderr.slice(-2000)}`);
  const all = Buffer.concat(out);
  const size = width * height * 4;
  const frames: Buffer[] = [];
  for (let offset = 0; offset + size <= all.length; offset += size) frames.push(all.subarray(offset, offset + size));
  if (frames.length * size !== all.length)
    throw new Error(`ffmpeg wrote ${all.length} bytes: not whole ${width}x${height} pictures`);
  const ptsS = [...stderr.matchAll(/pts_time:\s*([0-9.]+)/g)].map((m) => Number(m[1]));
  return { frames, ptsS };
}
