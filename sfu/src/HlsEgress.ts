import type { ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type AssembledFrame,
  H264_PAYLOAD_FORMAT,
  isRtcp,
  ivfPipeInputArgs,
  parseRtpHeader,
  RtpFrameAssembler,
  rtpTimestampDelta,
  rtpToStudioTime,
  serializeIvfFileHeader,
  serializeIvfFrameHeader,
  VP8_PAYLOAD_FORMAT,
} from '@live-casino/media';
import type { StudioClockMapping } from '@live-casino/protocol';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import { ptsSeconds, segmentFirstPts } from './mpegts.js';
import { percentile, SupervisedProcess } from '@live-casino/server-kit';

export interface HlsEgressOptions {
  tableId: string;
  router: ms.Router;
  producer: ms.Producer;
  /** The producer's current RTP→studio-time mapping, if its sender reports have arrived. */
  clockOf: () => StudioClockMapping | undefined;
  dir: string;
  ffmpegPath: string;
  segmentSeconds: number;
  listSize: number;
  log: Logger;
}

interface Segment {
  uri: string;
  durationS: number;
  studioStartMs: number;
  discontinuity: boolean;
  /** Date.now() when it was listed (0 until then). */
  listedAtMs: number;
}

/** One run of ffmpeg: its own segment names and its own time origin. */
interface Epoch {
  id: number;
  process: ChildProcess;
  /** RTP timestamp and arrival time of the keyframe that is output time 0 (pts 0) of this run. */
  base: { rtpTimestamp: number; arrivedAtMs: number } | undefined;
  /** The last frame written: its RTP timestamp and pts (90 kHz since `base`, never wrapping). */
  written: { rtpTimestamp: number; pts: number } | undefined;
  csvOffset: number;
  first: boolean;
  /** The newest complete segment, published when the next one starts. */
  last: { segment: Segment; startS: number; pts: number | null } | undefined;
}

export const HLS_PLAYLIST = 'index.m3u8';

/** Bytes queued on ffmpeg's stdin beyond which frames are dropped (until a keyframe), not queued. */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;
/** Keyframe requests after a loss, at most one per this interval. */
const KEYFRAME_REQUEST_INTERVAL_MS = 250;
/** Frames whose spacing gives the frame rate, and how many spacings it needs at least. */
const FRAME_RATE_WINDOW = 31;
const MIN_FRAME_RATE_STEPS = 8;

/**
 * HLS for one table: a mediasoup consumer on a PlainTransport into a loopback socket here, where
 * the RTP is reassembled into whole frames (`RtpFrameAssembler`) and written to ffmpeg's stdin as
 * IVF (libx264, keyframes on segment boundaries, MPEG-TS segments). ffmpeg so sees only whole
 * frames, starting with a keyframe, over a pipe that loses nothing; a frame damaged on the way is
 * dropped here with every frame after it until the next keyframe (asked for at once). Each frame
 * carries its RTP time as pts, so the keyframe that is output time 0 of a run is known exactly.
 * The playlist is written here, not by ffmpeg, so that EXT-X-PROGRAM-DATE-TIME is the studio
 * capture time of each segment's first frame (ffmpeg's own is the wall clock of its start).
 */
export class HlsEgress {
  readonly #opts: HlsEgressOptions;
  readonly #log: Logger;
  readonly #socket: dgram.Socket;
  readonly #transport: ms.PlainTransport;
  readonly #consumer: ms.Consumer;
  readonly #assembler: RtpFrameAssembler;
  readonly #ivfFourcc: string;
  #lastKeyframeRequestMs = 0;
  #framesDropped = 0;
  #ffmpeg: SupervisedProcess | undefined;
  #startingFfmpeg: Promise<void> | undefined;
  /** RTP timestamps of the newest frames, oldest first: the frame rate the encoder is told. */
  readonly #frameTimes: number[] = [];
  #epoch: Epoch | undefined;
  #restarts = 0;
  #segments: Segment[] = [];
  #mediaSequence = 0;
  #discontinuitySequence = 0;
  #poll: NodeJS.Timeout | undefined;
  #collecting: Promise<void> | undefined;
  #closed = false;
  readonly #payloadType: number;
  /** Names segments uniquely per egress, so a late delete of an old one never hits a new one. */
  readonly #tag = Date.now().toString(36);

  private constructor(
    opts: HlsEgressOptions,
    socket: dgram.Socket,
    transport: ms.PlainTransport,
    consumer: ms.Consumer,
  ) {
    this.#opts = opts;
    this.#log = opts.log.child({ component: 'hls' });
    this.#socket = socket;
    this.#transport = transport;
    this.#consumer = consumer;
    const codec = consumer.rtpParameters.codecs[0]!;
    this.#payloadType = codec.payloadType;
    const h264 = codec.mimeType.toLowerCase() === 'video/h264';
    this.#assembler = new RtpFrameAssembler(h264 ? H264_PAYLOAD_FORMAT : VP8_PAYLOAD_FORMAT);
    this.#ivfFourcc = h264 ? 'H264' : 'VP80';
  }

  static async create(tableOpts: HlsEgressOptions): Promise<HlsEgress> {
    // Each egress writes into a folder of its own, so a closing one (after a rebuild) can remove
    // its files while the next one is already writing.
    await rm(tableOpts.dir, { recursive: true, force: true, maxRetries: 3 });
    const opts = { ...tableOpts, dir: path.join(tableOpts.dir, Date.now().toString(36)) };
    await mkdir(opts.dir, { recursive: true });
    // A keyframe arrives as a burst of packets: room for a few of them while the loop is busy.
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve());
    });
    const transport = await opts.router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: true,
      comedia: false,
      appData: { role: 'hls' },
    });
    await transport.connect({ ip: '127.0.0.1', port: socket.address().port });
    const consumer = await transport.consume({
      producerId: opts.producer.id,
      rtpCapabilities: opts.router.rtpCapabilities,
      paused: true,
    });
    const egress = new HlsEgress(opts, socket, transport, consumer);
    socket.on('message', (msg) => egress.#onRtp(msg));
    consumer.observer.once('close', () => void egress.close().catch(() => undefined));
    // ffmpeg starts once the feed's frame rate is known (see #noteFrame).
    await consumer.resume();
    egress.#poll = setInterval(() => {
      if (egress.#collecting) return;
      egress.#collecting = egress
        .#collectSegments()
        .catch((err) => egress.#log.error({ err }, 'hls playlist update failed'))
        .finally(() => {
          egress.#collecting = undefined;
        });
    }, 100);
    return egress;
  }

  get playlistPath(): string {
    return path.join(this.#opts.dir, HLS_PLAYLIST);
  }

  /** The running ffmpeg's pid (for operators and fault-injection tests). */
  get ffmpegPid(): number | undefined {
    return this.#epoch?.process.pid;
  }

  /** Studio time of the first frame of a listed segment (what its EXT-X-PROGRAM-DATE-TIME says). */
  segmentStudioStartMs(uri: string): number | undefined {
    for (let i = this.#segments.length - 1; i >= 0; i--) {
      const s = this.#segments[i]!;
      if (s.uri === uri) return s.studioStartMs;
    }
    return undefined;
  }

  /**
   * The newest segment of the playlist: complete (a segment is listed only once the next one has
   * started), its file, the studio time of its first frame and when it was listed (a feed that
   * stopped leaves its last segment the newest for good). Undefined before the first one.
   */
  newestSegment(): { file: string; studioStartMs: number; listedAtMs: number } | undefined {
    const newest = this.#segments.at(-1);
    if (this.#closed || !newest) return undefined;
    return {
      file: path.join(this.#opts.dir, newest.uri),
      studioStartMs: newest.studioStartMs,
      listedAtMs: newest.listedAtMs,
    };
  }

  serialize(): { running: boolean; segments: number; restarts: number; framesDropped: number; losses: number } {
    return {
      running: !this.#closed && this.#epoch !== undefined,
      segments: this.#segments.length,
      restarts: this.#restarts,
      framesDropped: this.#framesDropped + this.#assembler.stats.framesDropped,
      losses: this.#assembler.stats.losses,
    };
  }

  #onRtp(msg: Buffer): void {
    if (this.#closed || isRtcp(msg)) return;
    const rtp = parseRtpHeader(msg);
    if (!rtp || rtp.payloadType !== this.#payloadType) return;
    const now = Date.now();
    const { frames, lost } = this.#assembler.push(rtp, msg, now);
    if (lost) this.#requestKeyFrame(now);
    for (const frame of frames) {
      this.#noteFrame(frame.rtpTimestamp);
      if (this.#epoch) this.#write(this.#epoch, frame, now);
    }
  }

  #noteFrame(rtpTimestamp: number): void {
    this.#frameTimes.push(rtpTimestamp);
    if (this.#frameTimes.length > FRAME_RATE_WINDOW) this.#frameTimes.shift();
    if (!this.#ffmpeg && !this.#startingFfmpeg && this.#frameRate() !== undefined) this.#startFfmpeg();
  }

  /**
   * The feed's frame rate in frames per second, from the median spacing of its newest frames'
   * RTP timestamps (a dropped frame does not move a median); undefined until enough have arrived.
   * The encoder must be told: x264 shares the bitrate out per frame by the rate it is given, and
   * the rate ffmpeg would guess from a live input is often the 90 kHz clock itself, which makes
   * every frame a few bytes of grey.
   */
  #frameRate(): number | undefined {
    const steps: number[] = [];
    for (let i = 1; i < this.#frameTimes.length; i++) {
      const step = rtpTimestampDelta(this.#frameTimes[i - 1]!, this.#frameTimes[i]!);
      if (step > 0) steps.push(step);
    }
    if (steps.length < MIN_FRAME_RATE_STEPS) return undefined;
    return Math.min(120, Math.max(1, 90_000 / percentile(steps, 50)));
  }

  #startFfmpeg(): void {
    this.#startingFfmpeg = SupervisedProcess.start({
      command: this.#opts.ffmpegPath,
      args: (run) => this.#ffmpegArgs(run),
      stdio: ['pipe', 'ignore', 'pipe'],
      restart: { initialMs: 500, maxMs: 5000 },
      retryFirstRun: true,
      onSpawn: (child, run) => this.#onFfmpegSpawn(child, run),
      onExit: ({ code, signal, restartInMs, stderr }) => this.#onFfmpegExit(code, signal, restartInMs, stderr),
    })
      .then((ffmpeg) => {
        if (this.#closed) return ffmpeg.close();
        this.#ffmpeg = ffmpeg;
      })
      .catch((err) => this.#log.error({ err }, 'hls ffmpeg could not be started'))
      .finally(() => {
        this.#startingFfmpeg = undefined;
      });
  }

  /** Writes one whole frame to ffmpeg as IVF; the first one of a run (a keyframe) is its pts 0. */
  #write(epoch: Epoch, frame: AssembledFrame, now: number): void {
    const stdin = epoch.process.stdin;
    if (!stdin?.writable) return;
    if (stdin.writableLength > MAX_QUEUED_BYTES) {
      // ffmpeg is not keeping up: drop rather than build latency, and restart at a keyframe.
      this.#framesDropped++;
      this.#assembler.reset();
      this.#requestKeyFrame(now);
      return;
    }
    let pts = 0;
    if (!epoch.base || !epoch.written) {
      epoch.base = { rtpTimestamp: frame.rtpTimestamp, arrivedAtMs: now };
      stdin.write(
        serializeIvfFileHeader({
          fourcc: this.#ivfFourcc,
          width: frame.width ?? 0,
          height: frame.height ?? 0,
          timebaseDenominator: 90_000,
          timebaseNumerator: 1,
        }),
      );
    } else {
      const step = rtpTimestampDelta(epoch.written.rtpTimestamp, frame.rtpTimestamp);
      if (step <= 0) {
        // A frame from the past (a sender that restarted its clock): not something to encode.
        this.#framesDropped++;
        return;
      }
      pts = epoch.written.pts + step;
    }
    epoch.written = { rtpTimestamp: frame.rtpTimestamp, pts };
    stdin.write(Buffer.concat([serializeIvfFrameHeader(frame.data.length, pts), frame.data]));
  }

  #requestKeyFrame(now: number): void {
    if (now - this.#lastKeyframeRequestMs < KEYFRAME_REQUEST_INTERVAL_MS) return;
    this.#lastKeyframeRequestMs = now;
    this.#consumer.requestKeyFrame().catch(() => undefined);
  }

  /** Run `id` of ffmpeg: IVF on stdin, its own segment names and list. */
  #ffmpegArgs(id: number): string[] {
    const seg = this.#opts.segmentSeconds;
    return [
      '-hide_banner',
      '-loglevel',
      'error',
      ...ivfPipeInputArgs(),
      '-map',
      '0:v:0',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-tune',
      'zerolatency',
      '-profile:v',
      'baseline',
      '-b:v',
      '1500k',
      '-maxrate',
      '2000k',
      '-bufsize',
      '1000k',
      '-x264-params',
      `fps=${Math.round((this.#frameRate() ?? 30) * 1000)}/1000`,
      '-force_key_frames',
      `expr:gte(t,n_forced*${seg})`,
      '-sc_threshold',
      '0',
      '-fps_mode',
      'passthrough',
      // Keep the RTP clock: by default the encoder's time base is 1/frame rate as ffmpeg guesses it
      // (30000/1001), which moved every frame onto that grid, up to a frame off the studio clock.
      '-enc_time_base',
      '1:90000',
      '-f',
      'segment',
      '-segment_format',
      'mpegts',
      '-segment_time',
      String(seg),
      '-segment_list',
      path.join(this.#opts.dir, `list-${id}.csv`),
      '-segment_list_type',
      'csv',
      '-segment_list_flags',
      '+live',
      '-reset_timestamps',
      '0',
      path.join(this.#opts.dir, `seg-${this.#tag}-${id}-%06d.ts`),
    ];
  }

  #onFfmpegSpawn(child: ChildProcess, id: number): void {
    const epoch: Epoch = {
      id,
      process: child,
      base: undefined,
      written: undefined,
      csvOffset: 0,
      first: true,
      last: undefined,
    };
    this.#epoch = epoch;
    // A dead ffmpeg makes writes fail with EPIPE; its exit handler reports it.
    child.stdin?.on('error', () => undefined);
    child.stderr?.on('data', (line: string) =>
      this.#log.warn({ epoch: id, ffmpeg: line.trim().slice(0, 500) }, 'ffmpeg'),
    );
    // A new run starts at a keyframe: forget any half-assembled frame and ask for one now.
    this.#assembler.reset();
    this.#lastKeyframeRequestMs = 0;
    this.#requestKeyFrame(Date.now());
  }

  #onFfmpegExit(code: number | null, signal: NodeJS.Signals | null, restartInMs: number, stderr: string): void {
    if (this.#closed) return;
    this.#restarts++;
    this.#epoch = undefined;
    this.#log.error(
      { code, signal, restartInMs, ...(code === null && signal === null ? { stderr } : {}) },
      'hls ffmpeg exited; restarting',
    );
  }

  /** Reads the segments ffmpeg has completed and rewrites the playlist when there are new ones. */
  async #collectSegments(): Promise<void> {
    const epoch = this.#epoch;
    if (!epoch || this.#closed) return;
    let csv: string;
    try {
      csv = await readFile(path.join(this.#opts.dir, `list-${epoch.id}.csv`), 'utf8');
    } catch {
      return;
    }
    const complete = csv.slice(epoch.csvOffset, csv.lastIndexOf('\n') + 1);
    if (!complete) return;
    epoch.csvOffset += complete.length;
    const base = epoch.base;
    if (!base) return;
    const mapping = this.#opts.clockOf();
    // Without sender reports, the keyframe's arrival here is the best estimate of its capture.
    const baseStudioMs = mapping ? rtpToStudioTime(mapping, base.rtpTimestamp) : base.arrivedAtMs;
    for (const line of complete.split('\n')) {
      const [file, start, end] = line.split(',');
      if (!file || start === undefined || end === undefined) continue;
      const startS = Number(start);
      const endS = Number(end);
      if (!Number.isFinite(startS) || !Number.isFinite(endS)) continue;
      const pts = await segmentFirstPts(path.join(this.#opts.dir, file)).catch(() => null);
      // A segment is published only once the next one has started: its duration is then exact.
      // Publishing an estimate and correcting it later moved the fragment starts hls.js had
      // already computed, so frames near boundaries got studio times off by a few frames. It
      // costs one segment of latency.
      // The list's start times are exact (the output time of the segment's first frame) except
      // for a run's first segment, listed at 0 even when ffmpeg's first frame comes later (it
      // drops the frames it decodes while probing). So each segment is placed back from the next
      // one's start by the distance between the two segments' own first frames.
      if (epoch.last) {
        const last = epoch.last;
        const durationS = pts !== null && last.pts !== null ? ptsSeconds(last.pts, pts) : startS - last.startS;
        last.segment.durationS = durationS;
        last.segment.studioStartMs = baseStudioMs + (startS - durationS) * 1000;
        last.segment.listedAtMs = Date.now();
        this.#segments.push(last.segment);
      }
      const segment: Segment = {
        uri: file,
        durationS: endS - startS,
        studioStartMs: baseStudioMs + startS * 1000,
        discontinuity: epoch.first && this.#segments.length > 0,
        listedAtMs: 0,
      };
      epoch.last = { segment, startS, pts };
      epoch.first = false;
    }
    const keep = this.#opts.listSize;
    const dropped = this.#segments.length > keep ? this.#segments.splice(0, this.#segments.length - keep) : [];
    this.#mediaSequence += dropped.length;
    this.#discontinuitySequence += dropped.filter((s) => s.discontinuity).length;
    await this.#writePlaylist();
    // Players may still be fetching a segment that just left the list: delete it a bit later.
    if (dropped.length > 0) {
      setTimeout(() => {
        for (const s of dropped) void rm(path.join(this.#opts.dir, s.uri), { force: true }).catch(() => undefined);
      }, 10_000).unref();
    }
  }

  async #writePlaylist(): Promise<void> {
    const target = Math.max(
      1,
      Math.ceil(Math.max(...this.#segments.map((s) => s.durationS), this.#opts.segmentSeconds)),
    );
    const lines = [
      '#EXTM3U',
      '#EXT-X-VERSION:6',
      `#EXT-X-TARGETDURATION:${target}`,
      `#EXT-X-MEDIA-SEQUENCE:${this.#mediaSequence}`,
      `#EXT-X-DISCONTINUITY-SEQUENCE:${this.#discontinuitySequence}`,
      '#EXT-X-INDEPENDENT-SEGMENTS',
    ];
    for (const s of this.#segments) {
      if (s.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
      lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(Math.round(s.studioStartMs)).toISOString()}`);
      lines.push(`#EXTINF:${s.durationS.toFixed(6)},`);
      lines.push(s.uri);
    }
    const tmp = `${this.playlistPath}.tmp`;
    await writeFile(tmp, `${lines.join('\n')}\n`);
    await rename(tmp, this.playlistPath);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#poll);
    this.#epoch = undefined;
    await this.#startingFfmpeg;
    await this.#ffmpeg?.close();
    this.#transport.close();
    this.#socket.close();
    await this.#collecting;
    await rm(this.#opts.dir, { recursive: true, force: true, maxRetries: 3 }).catch((err) =>
      this.#log.warn({ err }, 'could not remove hls folder'),
    );
  }
}
