import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { ivfPipeInputArgs, serializeIvfFileHeader, serializeIvfFrameHeader } from '@live-casino/media';
import type { Logger } from 'pino';
import { parseShowinfo } from './showinfo.js';

/**
 * The pts written into the decoder's IVF input are ours (a counter), which is how decoded pictures
 * are matched back to the RTP frames they came from; a 1/1000 time base lets a pts counter read
 * as-is in ffmpeg's logs. The frame count stays 0: the stream is live, and ffmpeg does not need it.
 */
const IVF_HEADER = { fourcc: 'VP80', timebaseDenominator: 1000, timebaseNumerator: 1 } as const;

export interface DecodedPicture {
  /** The pts the frame was written with. */
  pts: number;
  width: number;
  height: number;
  /** RGB24, row-major (HWC). */
  rgb: Uint8Array;
}

export type Vp8DecoderEvents = {
  picture: [DecodedPicture];
  /** ffmpeg went away without `close()`: a crash, a kill, bad input it gave up on. */
  died: [{ code: number | null; signal: NodeJS.Signals | null; reason: string }];
};

export interface Vp8DecoderOptions {
  ffmpegPath: string;
  /** Coded size of the stream (from its keyframe); every output picture has it. */
  width: number;
  height: number;
  log: Logger;
}

/**
 * One long-lived ffmpeg decoding VP8 (IVF on stdin) into RGB24 pictures on stdout. Each input
 * frame carries our own pts; `showinfo` prints the pts of every picture leaving the decoder, in the
 * same order as the pictures on stdout, so the n-th picture is matched to the n-th showinfo line
 * and through its pts to the exact input frame. Frames that produce no picture (VP8 altref frames
 * that are not shown, undecodable ones) simply never come back, and nothing is assumed 1:1.
 */
export class Vp8Decoder extends EventEmitter<Vp8DecoderEvents> {
  readonly width: number;
  readonly height: number;
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #log: Logger;
  readonly #frameBytes: number;
  #partial: Buffer[] = [];
  #partialBytes = 0;
  /** Pictures read from stdout, waiting for their showinfo line (the two pipes race). */
  readonly #pictures: Buffer[] = [];
  /** Showinfo lines read, waiting for their picture. */
  readonly #infos: { n: number; pts: number; width: number; height: number }[] = [];
  #stderrTail = '';
  #lineBuffer = '';
  #outputs = 0;
  #closing = false;
  #exited = false;
  /** Why we killed it ourselves, if we did. */
  #exitReason: string | undefined;

  private constructor(opts: Vp8DecoderOptions, child: ChildProcessWithoutNullStreams) {
    super();
    this.width = opts.width;
    this.height = opts.height;
    this.#frameBytes = opts.width * opts.height * 3;
    this.#child = child;
    this.#log = opts.log;
  }

  static start(opts: Vp8DecoderOptions): Vp8Decoder {
    if (!(opts.width > 0 && opts.height > 0 && opts.width <= 8192 && opts.height <= 8192)) {
      throw new RangeError(`decoder size ${opts.width}x${opts.height} out of range`);
    }
    const args = [
      '-hide_banner',
      '-nostdin',
      '-nostats',
      '-loglevel',
      'info',
      // Our pts are the key back to each RTP frame: never shifted to start at zero.
      '-copyts',
      // Frame threads would hold pictures back; one thread decodes 640x360 VP8 in a few ms.
      ...ivfPipeInputArgs(['-threads', '1']),
      '-map',
      '0:v:0',
      '-vf',
      'showinfo',
      '-fps_mode',
      'passthrough',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-flush_packets',
      '1',
      'pipe:1',
    ];
    const child = spawn(opts.ffmpegPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const decoder = new Vp8Decoder(opts, child);
    child.stdout.on('data', (chunk: Buffer) => decoder.#onStdout(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => decoder.#onStderr(text));
    // A dead ffmpeg makes writes fail with EPIPE; the exit handler reports it.
    child.stdin.on('error', () => undefined);
    child.once('error', (err) => decoder.#onExit(null, null, `ffmpeg could not start: ${err.message}`));
    child.once('exit', (code, signal) => decoder.#onExit(code, signal));
    child.stdin.write(serializeIvfFileHeader({ ...IVF_HEADER, width: opts.width, height: opts.height }));
    return decoder;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get running(): boolean {
    return !this.#exited && !this.#closing;
  }

  /**
   * Queues one VP8 frame. Returns false when ffmpeg's stdin is backed up (it decodes slower than
   * frames come): the caller should stop feeding inter frames and restart from a keyframe.
   */
  write(pts: number, frame: Uint8Array): boolean {
    if (!this.running) return false;
    this.#child.stdin.write(serializeIvfFrameHeader(frame.length, pts));
    return this.#child.stdin.write(frame);
  }

  #onStdout(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const need = this.#frameBytes - this.#partialBytes;
      const take = Math.min(need, chunk.length - offset);
      this.#partial.push(chunk.subarray(offset, offset + take));
      this.#partialBytes += take;
      offset += take;
      if (this.#partialBytes === this.#frameBytes) {
        this.#pictures.push(Buffer.concat(this.#partial, this.#frameBytes));
        this.#partial = [];
        this.#partialBytes = 0;
        this.#match();
      }
    }
  }

  #onStderr(text: string): void {
    this.#lineBuffer += text;
    const lines = this.#lineBuffer.split('\n');
    this.#lineBuffer = lines.pop() ?? '';
    for (const line of lines) {
      const info = parseShowinfo(line);
      if (info) {
        this.#infos.push(info);
        this.#match();
      } else if (/error|invalid|corrupt|fail|cannot|no such/i.test(line) && !line.includes('Parsed_showinfo')) {
        // Kept for the report when ffmpeg dies; its banner and stream listing are not.
        this.#stderrTail = `${this.#stderrTail}\n${line.trim().slice(0, 300)}`.slice(-1500);
        this.#log.warn({ ffmpeg: line.trim().slice(0, 300) }, 'vp8 decoder');
      }
    }
    if (this.#lineBuffer.length > 10_000) this.#lineBuffer = '';
  }

  #match(): void {
    while (this.#pictures.length > 0 && this.#infos.length > 0) {
      const rgb = this.#pictures.shift()!;
      const info = this.#infos.shift()!;
      const n = this.#outputs++;
      if (info.n !== n || info.width !== this.width || info.height !== this.height) {
        // The pairing of pictures with pts can no longer be trusted: better no frames than wrong times.
        this.#fail(
          `decoder output out of step: picture ${n} has showinfo n=${info.n} size ${info.width}x${info.height}, expected ${this.width}x${this.height}`,
        );
        return;
      }
      this.emit('picture', { pts: info.pts, width: this.width, height: this.height, rgb });
    }
  }

  #fail(reason: string): void {
    if (this.#exited) return;
    this.#log.error({ reason }, 'vp8 decoder failed; killing it');
    this.#exitReason = reason;
    this.#child.kill('SIGKILL');
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null, startError?: string): void {
    if (this.#exited) return;
    this.#exited = true;
    if (this.#closing) return;
    const tail = this.#stderrTail
      .split('\n')
      .filter((l) => l.trim())
      .slice(-3)
      .join(' | ')
      .slice(0, 500);
    const reason =
      startError ??
      this.#exitReason ??
      `ffmpeg exited (${signal ? `signal ${signal}` : `code ${code}`})${tail ? `: ${tail}` : ''}`;
    this.emit('died', { code, signal, reason });
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#exited || this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.stdin.destroy();
    this.#child.kill('SIGKILL');
    await exited;
  }
}
