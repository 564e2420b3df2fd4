import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { ABS_CAPTURE_TIME_URI } from '@live-casino/media';
import { type Canvas, createCanvas } from '@napi-rs/canvas';
import type { Canvas2D } from './Canvas2D.js';
import { type FeedLogger, silentLogger } from './FeedLogger.js';
import { RtpVideoSender } from './RtpVideoSender.js';
import type { SceneState, TableScene } from './SceneTypes.js';
import { drawStudioOverlay } from './StudioOverlay.js';
import type {
  FeedRtpParameters,
  TableFeedEvents,
  TableFeedOptions,
  TableFeedSnapshot,
  TableFeedStats,
  UdpTarget,
} from './TableFeedTypes.js';
import { type EncodedFrame, Vp8Encoder } from './Vp8Encoder.js';

/**
 * The simulated studio camera of one table: renders the scene at a steady frame rate with the
 * studio timecode burned in, encodes it to VP8 and sends it as RTP to the SFU.
 *
 * Time: each frame's capture time is the studio clock when its rendering starts. It is drawn
 * into the picture, becomes the frame's RTP timestamp (90 kHz, random base) and its
 * abs-capture-time, and sender reports map RTP back to studio time exactly, so every consumer
 * (player, vision, HLS) can recover the studio time of the frame it shows.
 */
export class TableFeed extends EventEmitter<TableFeedEvents> {
  readonly #tableId: string;
  readonly #scene: TableScene;
  readonly #width: number;
  readonly #height: number;
  readonly #fps: number;
  readonly #clock: () => number;
  readonly #log: FeedLogger;
  readonly #canvas: Canvas;
  readonly #ctx: Canvas2D;
  readonly #encoder: Vp8Encoder;
  readonly #sender: RtpVideoSender;
  readonly #rtpParameters: FeedRtpParameters;
  /** Frame slots are laid on the monotonic clock so the rate never drifts with timer jitter. */
  readonly #startedAt = performance.now();
  #slot = 0;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  readonly #counters = { framesRendered: 0, framesSkipped: 0, framesDropped: 0 };
  readonly #renderMs = new RollingStat();
  readonly #readbackMs = new RollingStat();
  readonly #captureToSendMs = new RollingStat();

  static async create(opts: TableFeedOptions): Promise<TableFeed> {
    const width = opts.width ?? 640;
    const height = opts.height ?? 360;
    const fps = opts.fps ?? 30;
    if (width % 2 || height % 2 || width < 64 || height < 64) {
      throw new RangeError(`frame ${width}x${height}: VP8 4:2:0 needs even sizes of at least 64`);
    }
    if (!(fps > 0 && fps <= 60)) throw new RangeError(`fps ${fps} not in (0, 60]`);
    const absCaptureTimeExtId = opts.absCaptureTimeExtId === undefined ? 1 : opts.absCaptureTimeExtId;
    const log = opts.log ?? silentLogger;
    const cname = opts.cname ?? `studio-${opts.tableId}`;
    const payloadType = opts.payloadType ?? 96;
    if (!Number.isInteger(payloadType) || payloadType < 96 || payloadType > 127) {
      throw new RangeError(`dynamic payload type must be 96-127: ${payloadType}`);
    }
    if (!Number.isInteger(opts.ssrc) || opts.ssrc < 1 || opts.ssrc > 0xffffffff) {
      throw new RangeError(`ssrc must be a non-zero uint32: ${opts.ssrc}`);
    }

    const sender = await RtpVideoSender.create({
      target: opts.target,
      ssrc: opts.ssrc,
      payloadType,
      absCaptureTimeExtId,
      cname,
      ...(opts.maxPacketSize !== undefined && { maxPacketSize: opts.maxPacketSize }),
      ...(opts.localAddress !== undefined && { localAddress: opts.localAddress }),
      ...(opts.clock !== undefined && { clock: opts.clock }),
      log,
    });
    let encoder: Vp8Encoder;
    try {
      encoder = await Vp8Encoder.create({
        width,
        height,
        fps,
        gopFrames: opts.gopFrames ?? 15,
        bitrateKbps: opts.bitrateKbps ?? 1200,
        ...(opts.ffmpegPath !== undefined && { ffmpegPath: opts.ffmpegPath }),
        log,
      });
    } catch (error) {
      sender.close();
      throw error;
    }
    const rtpParameters: FeedRtpParameters = {
      codecs: [
        {
          mimeType: 'video/VP8',
          payloadType,
          clockRate: 90000,
          rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
        },
      ],
      headerExtensions: absCaptureTimeExtId === null ? [] : [{ uri: ABS_CAPTURE_TIME_URI, id: absCaptureTimeExtId }],
      encodings: [{ ssrc: opts.ssrc }],
      // Compound RTCP (SR + SDES), muxed on the RTP port.
      rtcp: { cname, reducedSize: false },
    };
    return new TableFeed(opts, { width, height, fps, log, encoder, sender, rtpParameters });
  }

  private constructor(
    opts: TableFeedOptions,
    parts: {
      width: number;
      height: number;
      fps: number;
      log: FeedLogger;
      encoder: Vp8Encoder;
      sender: RtpVideoSender;
      rtpParameters: FeedRtpParameters;
    },
  ) {
    super();
    this.#tableId = opts.tableId;
    this.#scene = opts.scene;
    this.#width = parts.width;
    this.#height = parts.height;
    this.#fps = parts.fps;
    this.#clock = opts.clock ?? Date.now;
    this.#log = parts.log;
    this.#encoder = parts.encoder;
    this.#sender = parts.sender;
    this.#rtpParameters = parts.rtpParameters;
    this.#canvas = createCanvas(parts.width, parts.height);
    this.#ctx = this.#canvas.getContext('2d');

    this.#encoder.on('frame', (frame) => this.#onEncoded(frame));
    this.#encoder.on('died', ({ code, signal, restartInMs }) =>
      this.emit('encoderdied', { code, signal, restartInMs }),
    );
    this.#log.info(
      {
        target: this.#sender.target,
        local: this.#sender.localAddress,
        ssrc: opts.ssrc,
        width: this.#width,
        height: this.#height,
        fps: this.#fps,
      },
      'table feed started',
    );
    this.#schedule(0);
  }

  get tableId(): string {
    return this.#tableId;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** For the SFU: `plainTransport.produce({ kind: 'video', rtpParameters: feed.rtpParameters })`. */
  get rtpParameters(): FeedRtpParameters {
    return structuredClone(this.#rtpParameters);
  }

  /** The local UDP address RTP leaves from (for PlainTransport.connect() when comedia is off). */
  get localAddress(): { address: string; port: number } {
    return this.#sender.localAddress;
  }

  get target(): { address: string; port: number } {
    return this.#sender.target;
  }

  sceneState(): SceneState {
    return this.#scene.state();
  }

  async setTarget(target: UdpTarget): Promise<void> {
    this.#assertOpen();
    await this.#sender.setTarget(target);
  }

  stats(): TableFeedStats {
    const sent = this.#sender.stats;
    const encoder = this.#encoder.stats;
    return {
      tableId: this.#tableId,
      fps: this.#fps,
      ...this.#counters,
      framesEncoded: encoder.framesOut,
      framesSent: sent.framesSent,
      keyFramesSent: sent.keyFramesSent,
      packetsSent: sent.packetsSent,
      bytesSent: sent.bytesSent,
      lastCaptureTimeMs: sent.lastCaptureTimeMs,
      renderMs: this.#renderMs.summary(),
      readbackMs: this.#readbackMs.summary(),
      captureToSendMs: this.#captureToSendMs.summary(),
      encoder: { pid: encoder.pid, restarts: encoder.restarts, cpuMs: encoder.cpuMs },
      rtcp: {
        senderReportsSent: sent.senderReportsSent,
        nacksReceived: sent.nacksReceived,
        retransmittedPackets: sent.retransmittedPackets,
        plisReceived: sent.plisReceived,
        firsReceived: sent.firsReceived,
        receiverReport: sent.receiverReport,
      },
    };
  }

  serialize(): TableFeedSnapshot {
    return {
      tableId: this.#tableId,
      target: this.target,
      localAddress: this.localAddress,
      scene: this.sceneState(),
      stats: this.stats(),
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#encoder.close();
    this.#sender.close();
    this.#log.info({}, 'table feed closed');
    this.emit('closed');
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`table feed ${this.#tableId} is closed`);
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, delayMs));
  }

  #tick(): void {
    if (this.#closed) return;
    const interval = 1000 / this.#fps;
    const now = performance.now();
    const due = this.#startedAt + this.#slot * interval;
    // setTimeout may fire a little early; never render ahead of the slot.
    if (now < due - 0.25) {
      this.#schedule(due - now);
      return;
    }
    const missed = Math.floor((now - due) / interval);
    if (missed > 0) {
      this.#counters.framesSkipped += missed;
      this.#slot += missed;
    }
    try {
      this.#renderFrame();
    } catch (error) {
      this.#log.error({ err: error }, 'frame render failed');
    }
    this.#slot++;
    this.#schedule(this.#startedAt + this.#slot * interval - performance.now());
  }

  #renderFrame(): void {
    const captureTimeMs = this.#clock();
    const started = performance.now();
    const events = this.#scene.advance(captureTimeMs);
    this.#scene.draw(this.#ctx, this.#width, this.#height);
    drawStudioOverlay(this.#ctx, this.#width, this.#height, this.#scene.tableName, captureTimeMs);
    const drawn = performance.now();
    // The frame is opaque, so the canvas's premultiplied pixels are plain RGBA.
    const rgba = this.#canvas.data();
    this.#renderMs.add(drawn - started);
    this.#readbackMs.add(performance.now() - drawn);
    this.#counters.framesRendered++;
    if (this.#encoder.encode(rgba, captureTimeMs) !== 'queued') this.#counters.framesDropped++;
    for (const event of events) this.emit('sceneevent', event);
  }

  #onEncoded(frame: EncodedFrame): void {
    if (this.#closed) return;
    this.#sender.sendFrame(frame.data, frame.captureTimeMs);
    this.#captureToSendMs.add(this.#clock() - frame.captureTimeMs);
  }
}

/** Mean and max of the last samples (a window, so a stall an hour ago does not hide today's). */
class RollingStat {
  readonly #samples = new Float64Array(300);
  #count = 0;

  add(value: number): void {
    this.#samples[this.#count++ % this.#samples.length] = value;
  }

  summary(): { mean: number; max: number } {
    const n = Math.min(this.#count, this.#samples.length);
    if (n === 0) return { mean: 0, max: 0 };
    let sum = 0;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const v = this.#samples[i] as number;
      sum += v;
      if (v > max) max = v;
    }
    return { mean: round2(sum / n), max: round2(max) };
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
