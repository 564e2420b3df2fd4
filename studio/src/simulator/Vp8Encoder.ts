import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { IvfReader, isVp8KeyFrame } from '@live-casino/media';
import { processCpuMsSync, SupervisedProcess } from '@live-casino/server-kit';
import type { FeedLogger } from './FeedLogger.js';

export interface Vp8EncoderOptions {
  width: number;
  height: number;
  fps: number;
  /** Key frame every N frames, fixed: a joining viewer or a lossy link waits at most N frames. */
  gopFrames: number;
  bitrateKbps: number;
  ffmpegPath?: string;
  /** libvpx threads; 1 keeps two feeds on two cores predictable. */
  threads?: number;
  log: FeedLogger;
}

export interface EncodedFrame {
  readonly data: Buffer;
  /** Studio time the source frame was rendered at. */
  readonly captureTimeMs: number;
  readonly keyFrame: boolean;
}

export type EncodeResult = 'queued' | 'busy' | 'down';

export type Vp8EncoderEvents = {
  frame: [EncodedFrame];
  /** ffmpeg exited unexpectedly; a new one starts after `restartInMs`. */
  died: [{ code: number | null; signal: string | null; restartInMs: number; stderr: string }];
  closed: [];
};

export interface Vp8EncoderStats {
  readonly pid: number | null;
  readonly restarts: number;
  readonly framesIn: number;
  readonly framesOut: number;
  /** ffmpeg had not yet consumed the previous frame: the new one was dropped at the source. */
  readonly droppedBusy: number;
  readonly droppedDown: number;
  /** CPU time used by the current ffmpeg process (user + system), when /proc is available. */
  readonly cpuMs: number | null;
}

const BACKOFF = { initialMs: 250, maxMs: 10_000 };
/** A process that lived this long is considered healthy: the next failure starts backoff afresh. */
const HEALTHY_AFTER_MS = 10_000;

/**
 * A long-lived ffmpeg/libvpx process turning raw RGBA frames into VP8, tuned for live latency:
 * realtime deadline, no lookahead or alt-ref frames (each input frame comes out before the next
 * goes in), error resilient, CBR. Frames go in on stdin and come back as IVF on stdout; the IVF
 * pts (the input frame index) ties each encoded frame to the capture time of its source frame.
 * If ffmpeg dies it is restarted with exponential backoff; frames offered meanwhile are dropped.
 */
export class Vp8Encoder extends EventEmitter<Vp8EncoderEvents> {
  readonly #opts: Required<Omit<Vp8EncoderOptions, 'log'>> & { log: FeedLogger };
  readonly #frameBytes: number;
  #ffmpeg: SupervisedProcess | undefined;
  #process: ChildProcessWithoutNullStreams | null = null;
  #reader = new IvfReader();
  /** Capture times of frames handed to the current process, by its input frame index. */
  #captureTimes = new Map<number, number>();
  #nextIndex = 0;
  #closed = false;
  #stats = { framesIn: 0, framesOut: 0, droppedBusy: 0, droppedDown: 0 };

  static async create(opts: Vp8EncoderOptions): Promise<Vp8Encoder> {
    const encoder = new Vp8Encoder(opts);
    await encoder.#start();
    return encoder;
  }

  private constructor(opts: Vp8EncoderOptions) {
    super();
    this.#opts = { ffmpegPath: 'ffmpeg', threads: 1, ...opts };
    this.#frameBytes = opts.width * opts.height * 4;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** ffmpeg's command line for these options (exported for logs and for reproducing by hand). */
  get args(): string[] {
    const { width, height, fps, gopFrames, bitrateKbps, threads } = this.#opts;
    const kbps = `${bitrateKbps}k`;
    return [
      ...['-hide_banner', '-nostats', '-loglevel', 'error', '-nostdin'],
      ...['-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${width}x${height}`, '-framerate', String(fps)],
      ...['-probesize', '32', '-analyzeduration', '0', '-i', 'pipe:0'],
      // libvpx would otherwise keep the alpha plane of rgba input (and refuse alt-ref with it).
      ...['-an', '-c:v', 'libvpx', '-pix_fmt', 'yuv420p', '-threads', String(threads)],
      ...['-deadline', 'realtime', '-cpu-used', '8', '-lag-in-frames', '0', '-auto-alt-ref', '0'],
      ...['-error-resilient', '1', '-g', String(gopFrames), '-keyint_min', String(gopFrames)],
      // min = max = target selects libvpx CBR; a half-second buffer bounds key frame bursts.
      ...['-b:v', kbps, '-minrate', kbps, '-maxrate', kbps, '-bufsize', `${Math.round(bitrateKbps / 2)}k`],
      ...['-undershoot-pct', '95', '-overshoot-pct', '15'],
      // Never duplicate or drop frames: the stream's frame index is how capture times are found.
      ...['-fps_mode', 'passthrough', '-flush_packets', '1', '-f', 'ivf', 'pipe:1'],
    ];
  }

  get stats(): Vp8EncoderStats {
    return {
      ...this.#stats,
      restarts: this.#ffmpeg?.restarts ?? 0,
      pid: this.#process?.pid ?? null,
      cpuMs: this.#cpuMs(),
    };
  }

  /**
   * Offers a frame (RGBA, width * height * 4 bytes; not modified afterwards). Drops it rather than
   * queue when ffmpeg has not taken the previous one: a live feed must never build latency.
   */
  encode(rgba: Uint8Array, captureTimeMs: number): EncodeResult {
    if (rgba.length !== this.#frameBytes) {
      throw new RangeError(`frame of ${rgba.length} bytes, expected ${this.#frameBytes}`);
    }
    const child = this.#process;
    if (!child || this.#closed || !child.stdin.writable) {
      this.#stats.droppedDown++;
      return 'down';
    }
    if (child.stdin.writableLength >= this.#frameBytes) {
      this.#stats.droppedBusy++;
      return 'busy';
    }
    this.#captureTimes.set(this.#nextIndex++, captureTimeMs);
    this.#stats.framesIn++;
    child.stdin.write(rgba);
    return 'queued';
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#process = null;
    void this.#ffmpeg?.close();
    this.emit('closed');
  }

  async #start(): Promise<void> {
    this.#ffmpeg = await SupervisedProcess.start({
      command: this.#opts.ffmpegPath,
      args: () => this.args,
      restart: BACKOFF,
      healthyAfterMs: HEALTHY_AFTER_MS,
      onSpawn: (child) => this.#onSpawn(child as ChildProcessWithoutNullStreams),
      onExit: ({ code, signal, restartInMs, stderr }) => {
        this.#process = null;
        this.#opts.log.error({ code, signal, restartInMs, stderr }, 'VP8 encoder (ffmpeg) exited; restarting');
        this.emit('died', { code, signal, restartInMs, stderr });
      },
    });
  }

  #onSpawn(child: ChildProcessWithoutNullStreams): void {
    this.#process = child;
    this.#reader = new IvfReader();
    this.#captureTimes = new Map();
    this.#nextIndex = 0;
    this.#opts.log.debug({ pid: child.pid }, 'VP8 encoder started');
    child.stdout.on('data', (chunk: Buffer) => this.#onOutput(child, chunk));
  }

  #onOutput(child: ChildProcessWithoutNullStreams, chunk: Buffer): void {
    if (child !== this.#process) return;
    let frames: ReturnType<IvfReader['push']>;
    try {
      frames = this.#reader.push(chunk);
    } catch (error) {
      this.#opts.log.error({ err: error }, 'VP8 encoder output corrupt; restarting it');
      child.kill('SIGKILL');
      return;
    }
    const header = this.#reader.header;
    for (const frame of frames) {
      // pts is in the IVF timebase; ffmpeg gives 1/fps, but convert rather than assume.
      const index = header
        ? Math.round((frame.pts * header.timebaseNumerator * this.#opts.fps) / header.timebaseDenominator)
        : frame.pts;
      const captureTimeMs = this.#captureTimes.get(index);
      // Anything older than this index was dropped inside the encoder and will never come out.
      for (const key of this.#captureTimes.keys()) {
        if (key > index) break;
        this.#captureTimes.delete(key);
      }
      if (captureTimeMs === undefined) {
        this.#opts.log.warn({ pts: frame.pts, index }, 'encoded frame with no known capture time dropped');
        continue;
      }
      this.#stats.framesOut++;
      this.emit('frame', { data: frame.data, captureTimeMs, keyFrame: isVp8KeyFrame(frame.data) });
    }
  }

  #cpuMs(): number | null {
    const pid = this.#process?.pid;
    return pid ? processCpuMsSync(pid) : null;
  }
}
