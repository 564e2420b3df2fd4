import { spawn } from 'node:child_process';
import { serializeIvfFileHeader, serializeIvfFrameHeader } from '@live-casino/media';

/** Decodes VP8 frames with ffmpeg (via an IVF stream on stdin) into one RGBA buffer per frame. */
export async function decodeVp8Frames(frames: readonly Buffer[], width: number, height: number): Promise<Buffer[]> {
  const ffmpeg = spawn(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'ivf',
      '-i',
      'pipe:0',
      '-fps_mode',
      'passthrough',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgba',
      'pipe:1',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const out: Buffer[] = [];
  let stderr = '';
  ffmpeg.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  ffmpeg.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => ffmpeg.on('close', resolve));
  ffmpeg.stdin.write(
    serializeIvfFileHeader({
      fourcc: 'VP80',
      width,
      height,
      timebaseDenominator: 30,
      timebaseNumerator: 1,
      frameCount: frames.length,
    }),
  );
  frames.forEach((frame, i) => {
    ffmpeg.stdin.write(serializeIvfFrameHeader(frame.length, i));
    ffmpeg.stdin.write(frame);
  });
  ffmpeg.stdin.end();
  const code = await exited;
  if (code !== 0) throw new Error(`ffmpeg decoder exited ${code}: ${stderr}`);
  const all = Buffer.concat(out);
  const size = width * height * 4;
  const decoded: Buffer[] = [];
  for (let offset = 0; offset + size <= all.length; offset += size) decoded.push(all.subarray(offset, offset + size));
  return decoded;
}
