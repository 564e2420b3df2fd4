import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { AppError } from '@live-casino/protocol';
import type { Logger } from 'pino';
import type { HlsEgress } from './HlsEgress.js';
import { type Thumbnail, ThumbnailCache } from './ThumbnailCache.js';

export type { Thumbnail };

/** Width of a lobby still; the height follows the video's aspect ratio. */
export const THUMBNAIL_WIDTH = 320;
/** After a failed decode the previous still is served while it is younger than this. */
const STALE_MAX_AGE_MS = 30_000;
/** A decode (waiting for its turn included) that takes longer is given up, its ffmpeg killed. */
const DECODE_TIMEOUT_MS = 3000;
/** A 320-wide JPEG is ~5-20 kB; anything near this is not a still. */
const MAX_JPEG_BYTES = 1024 * 1024;
/**
 * Lobby stills yield the CPU to what viewers are watching (mediasoup workers, the HLS encoder):
 * one decode costs ~0.2 s of CPU, mostly ffmpeg's own start-up.
 */
const DECODER_NICENESS = 10;

export type ThumbnailDecodeOutcome = 'ok' | 'failed' | 'aborted';

export interface ThumbnailsOptions {
  ffmpegPath: string;
  /** A table's still is remade at most once per this long. */
  ttlMs: number;
  /** ffmpeg decodes running at once over all tables. */
  maxConcurrentDecodes: number;
  /** The table's HLS egress, if it is live and packaged. */
  hlsOf: (tableId: string) => HlsEgress | undefined;
  /**
   * A table whose newest segment was listed longer ago than this has stopped (an encoder that died
   * leaves its producer open): no still, rather than a frozen one passed off as live.
   */
  stalledAfterMs: number;
  log: Logger;
  /** Each decode, when it ends (for metrics). */
  onDecoded?: (outcome: ThumbnailDecodeOutcome, seconds: number) => void;
}

/**
 * Lobby stills of the live tables: the first frame (a keyframe: the packager cuts segments on
 * keyframes) of each table's newest complete HLS segment, decoded by a short-lived ffmpeg on
 * request and cached per table for a TTL (see ThumbnailCache for single flight and the caps).
 */
export class Thumbnails {
  readonly #opts: ThumbnailsOptions;
  readonly #cache: ThumbnailCache;
  readonly #log: Logger;

  constructor(opts: ThumbnailsOptions) {
    this.#opts = opts;
    this.#log = opts.log.child({ component: 'thumbnails' });
    this.#cache = new ThumbnailCache({
      decode: (source, signal) => this.#decode(source.file, signal),
      ttlMs: opts.ttlMs,
      staleMaxAgeMs: STALE_MAX_AGE_MS,
      maxConcurrentDecodes: opts.maxConcurrentDecodes,
      timeoutMs: DECODE_TIMEOUT_MS,
    });
  }

  /**
   * The table's still; TABLE_NOT_LIVE while it has no HLS stream, no complete segment yet, or no
   * new one for `stalledAfterMs`.
   */
  async get(tableId: string): Promise<Thumbnail> {
    const newest = this.#opts.hlsOf(tableId)?.newestSegment();
    if (!newest || Date.now() - newest.listedAtMs > this.#opts.stalledAfterMs) {
      throw new AppError('TABLE_NOT_LIVE', `table ${tableId} has no live video to show`);
    }
    return this.#cache.get(tableId, newest);
  }

  /** The table closed: its still goes, and a decode of it is stopped. */
  forget(tableId: string): void {
    this.#cache.forget(tableId);
  }

  close(): void {
    this.#cache.close();
  }

  async #decode(file: string, signal: AbortSignal): Promise<Buffer> {
    const started = performance.now();
    const seconds = (): number => (performance.now() - started) / 1000;
    try {
      const jpeg = await decodeFirstFrame({ ffmpegPath: this.#opts.ffmpegPath, file, width: THUMBNAIL_WIDTH, signal });
      this.#opts.onDecoded?.('ok', seconds());
      return jpeg;
    } catch (err) {
      this.#opts.onDecoded?.(signal.aborted ? 'aborted' : 'failed', seconds());
      this.#log.warn({ err: signal.aborted ? signal.reason : err, file }, 'thumbnail decode failed');
      throw err;
    }
  }
}

/**
 * The first video frame of a media file as a JPEG `width` pixels wide, by one ffmpeg run. Aborting
 * `signal` kills the run; the promise settles once the process has exited (it is reaped then).
 */
export function decodeFirstFrame(opts: {
  ffmpegPath: string;
  file: string;
  width: number;
  signal: AbortSignal;
}): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    // One decoder thread: the first frame is all that is decoded, and frame threads only delay it.
    const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-threads', '1', '-i', opts.file, '-map', '0:v:0'];
    args.push('-frames:v', '1', '-vf', `scale=${opts.width}:-2`, '-q:v', '6', '-f', 'mjpeg', 'pipe:1');
    const child = spawn(opts.ffmpegPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: opts.signal,
      killSignal: 'SIGKILL',
    });
    if (child.pid !== undefined) {
      try {
        setPriority(child.pid, DECODER_NICENESS);
      } catch {
        // Best effort: the process may already have exited.
      }
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_JPEG_BYTES) child.kill('SIGKILL');
      else chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-1000);
    });
    // 'error' is the spawn failing (ENOENT) or the abort; 'close' follows both, once the process
    // (if any) has exited.
    let spawnError: Error | undefined;
    child.once('error', (err) => {
      spawnError = err;
    });
    child.once('close', (code, signal) => {
      if (opts.signal.aborted) {
        reject(opts.signal.reason);
        return;
      }
      const jpeg = Buffer.concat(chunks);
      if (code === 0 && bytes <= MAX_JPEG_BYTES && jpeg[0] === 0xff && jpeg[1] === 0xd8) {
        resolve(jpeg);
        return;
      }
      const why = spawnError?.message ?? (bytes > MAX_JPEG_BYTES ? 'output too large' : stderr.trim() || 'no picture');
      reject(new Error(`ffmpeg exited with ${code ?? signal} on ${opts.file}: ${why}`));
    });
  });
}
