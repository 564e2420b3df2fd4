import { decodeTimecode } from '@live-casino/protocol';
import { RingBuffer } from './RingBuffer.js';

/** One presented frame, as tests and benchmarks read it through `window.__viewer.samples()`. */
export interface FrameSample {
  /** Studio capture time of the frame, epoch ms; null until its clock is known. */
  studioTimeMs: number | null;
  /** The studio time burned into the frame's pixels (`?measure=1` only, ≤ 15 reads/s). */
  burnedInMs: number | null;
  /** When the frame was (expected to be) on the glass, epoch ms. */
  presentedAt: number;
  /** presentedAt − studioTimeMs. */
  playoutDelayMs: number | null;
  /** Media time of the frame (video.currentTime scale), seconds. */
  mediaTime: number;
  /** RTP timestamp of a WebRTC frame. */
  rtpTimestamp?: number;
}

/** Studio time of a frame from what the browser reports about it (see TableClient). */
export type StudioTimeSource = (metadata: VideoFrameCallbackMetadata) => number | null;

export interface StudioClockReaderOptions {
  timeSource: StudioTimeSource;
  /** Read the burned-in timecode from the pixels (costs a canvas readback per read). */
  measure?: boolean;
  capacity?: number;
  onFrame?: (sample: FrameSample) => void;
}

const MEASURE_MIN_INTERVAL_MS = 1000 / 15;
export const SAMPLE_CAPACITY = 600;

/**
 * Follows the frames the video element actually presents (`requestVideoFrameCallback`), and for
 * each one works out its studio time and the playout delay behind it.
 */
export class StudioClockReader {
  readonly #video: HTMLVideoElement;
  readonly #opts: StudioClockReaderOptions;
  readonly #samples: RingBuffer<FrameSample>;
  #timeSource: StudioTimeSource;
  #handle: number | null = null;
  #running = false;
  #framesPresented = 0;
  #lastFrameAt: number | null = null;
  #lastMeasureAt = -Infinity;
  #canvas: HTMLCanvasElement | OffscreenCanvas | null = null;
  #ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null = null;

  constructor(video: HTMLVideoElement, opts: StudioClockReaderOptions) {
    this.#video = video;
    this.#opts = opts;
    this.#timeSource = opts.timeSource;
    this.#samples = new RingBuffer(opts.capacity ?? SAMPLE_CAPACITY);
  }

  static get supported(): boolean {
    return typeof HTMLVideoElement !== 'undefined' && 'requestVideoFrameCallback' in HTMLVideoElement.prototype;
  }

  get framesPresented(): number {
    return this.#framesPresented;
  }

  /** performance.now() of the last presented frame. */
  get lastFrameAt(): number | null {
    return this.#lastFrameAt;
  }

  get lastSample(): FrameSample | undefined {
    return this.#samples.last();
  }

  setTimeSource(source: StudioTimeSource): void {
    this.#timeSource = source;
  }

  samples(): FrameSample[] {
    return this.#samples.toArray();
  }

  clear(): void {
    this.#samples.clear();
  }

  start(): void {
    if (this.#running || !StudioClockReader.supported) return;
    this.#running = true;
    this.#handle = this.#video.requestVideoFrameCallback(this.#onFrame);
  }

  stop(): void {
    this.#running = false;
    if (this.#handle !== null) this.#video.cancelVideoFrameCallback(this.#handle);
    this.#handle = null;
  }

  readonly #onFrame = (now: DOMHighResTimeStamp, metadata: VideoFrameCallbackMetadata): void => {
    if (!this.#running) return;
    this.#handle = this.#video.requestVideoFrameCallback(this.#onFrame);
    this.#framesPresented++;
    this.#lastFrameAt = now;
    const studioTimeMs = this.#timeSource(metadata);
    const presentedAt = performance.timeOrigin + metadata.expectedDisplayTime;
    const sample: FrameSample = {
      studioTimeMs,
      burnedInMs: this.#opts.measure ? this.#readBurnedIn(now) : null,
      presentedAt,
      playoutDelayMs: studioTimeMs === null ? null : presentedAt - studioTimeMs,
      mediaTime: metadata.mediaTime,
    };
    if (metadata.rtpTimestamp !== undefined) sample.rtpTimestamp = metadata.rtpTimestamp;
    this.#samples.push(sample);
    this.#opts.onFrame?.(sample);
  };

  /** Inside the frame callback the element draws exactly the frame being presented. */
  #readBurnedIn(now: number): number | null {
    if (now - this.#lastMeasureAt < MEASURE_MIN_INTERVAL_MS) return null;
    const width = this.#video.videoWidth;
    const height = this.#video.videoHeight;
    if (width === 0 || height === 0) return null;
    this.#lastMeasureAt = now;
    const ctx = this.#context(width, height);
    if (!ctx) return null;
    try {
      ctx.drawImage(this.#video, 0, 0, width, height);
      const { data } = ctx.getImageData(0, 0, width, height);
      return decodeTimecode(data, width, height);
    } catch {
      // A cross-origin (tainted) frame cannot be read back; measurement is best effort.
      return null;
    }
  }

  #context(width: number, height: number): CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null {
    if (!this.#canvas) {
      this.#canvas =
        typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(width, height) : document.createElement('canvas');
      this.#ctx = this.#canvas.getContext('2d', { willReadFrequently: true }) as
        | CanvasRenderingContext2D
        | OffscreenCanvasRenderingContext2D
        | null;
    }
    if (this.#canvas.width !== width) this.#canvas.width = width;
    if (this.#canvas.height !== height) this.#canvas.height = height;
    return this.#ctx;
  }
}
