import type { ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  isH264KeyframeStart,
  isRtcp,
  isVp8KeyframeStart,
  parseRtpHeader,
  type RtpHeaderFields,
  rtpToStudioTime,
  serializeRtpPacket,
} from '@live-casino/media';
import type { StudioClockMapping } from '@live-casino/protocol';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import { ptsSeconds, segmentFirstPts } from './mpegts.js';
import { SupervisedProcess } from '@live-casino/server-kit';

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
  /**
   * ffmpeg has bound its RTP port. Until then nothing is forwarded: packets sent earlier would be
   * lost, and ffmpeg makes the first packet it *receives* time 0, not the first one sent.
   */
  listening: boolean;
  /** RTP timestamp and arrival time of the keyframe that is output time 0 of this run. */
  base: { rtpTimestamp: number; arrivedAtMs: number } | undefined;
  /** The packets of the first keyframe, held until it is complete (a lost one: wait for the next). */
  pending: Buffer[];
  csvOffset: number;
  first: boolean;
  /** The newest complete segment, published when the next one starts. */
  last: { segment: Segment; startS: number; pts: number | null } | undefined;
}

export const HLS_PLAYLIST = 'index.m3u8';

/**
 * HLS for one table: a paused mediasoup consumer on a PlainTransport into a small relay socket,
 * which starts forwarding at a keyframe and so knows exactly which RTP timestamp becomes output
 * time 0 of ffmpeg (libx264, keyframes on segment boundaries, MPEG-TS segments). The playlist is
 * written here, not by ffmpeg, so that EXT-X-PROGRAM-DATE-TIME is the studio capture time of each
 * segment's first frame (ffmpeg's own is the wall clock of its start, in whole seconds).
 */
export class HlsEgress {
  readonly #opts: HlsEgressOptions;
  readonly #log: Logger;
  readonly #relay: dgram.Socket;
  readonly #transport: ms.PlainTransport;
  readonly #consumer: ms.Consumer;
  #ffmpegPort = 0;
  #ffmpeg: SupervisedProcess | undefined;
  #epoch: Epoch | undefined;
  #restarts = 0;
  #segments: Segment[] = [];
  #mediaSequence = 0;
  #discontinuitySequence = 0;
  #poll: NodeJS.Timeout | undefined;
  #collecting: Promise<void> | undefined;
  #closed = false;
  readonly #isKeyframeStart: (payload: Uint8Array) => boolean;
  readonly #payloadType: number;
  /** Names segments uniquely per egress, so a late delete of an old one never hits a new one. */
  readonly #tag = Date.now().toString(36);

  private constructor(
    opts: HlsEgressOptions,
    relay: dgram.Socket,
    transport: ms.PlainTransport,
    consumer: ms.Consumer,
  ) {
    this.#opts = opts;
    this.#log = opts.log.child({ component: 'hls' });
    this.#relay = relay;
    this.#transport = transport;
    this.#consumer = consumer;
    const codec = consumer.rtpParameters.codecs[0]!;
    this.#payloadType = codec.payloadType;
    this.#isKeyframeStart = codec.mimeType.toLowerCase() === 'video/h264' ? isH264KeyframeStart : isVp8KeyframeStart;
  }

  static async create(tableOpts: HlsEgressOptions): Promise<HlsEgress> {
    // Each egress writes into a folder of its own, so a closing one (after a rebuild) can remove
    // its files while the next one is already writing.
    await rm(tableOpts.dir, { recursive: true, force: true, maxRetries: 3 });
    const opts = { ...tableOpts, dir: path.join(tableOpts.dir, Date.now().toString(36)) };
    await mkdir(opts.dir, { recursive: true });
    const relay = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      relay.once('error', reject);
      relay.bind(0, '127.0.0.1', () => resolve());
    });
    const transport = await opts.router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: true,
      comedia: false,
      appData: { role: 'hls' },
    });
    await transport.connect({ ip: '127.0.0.1', port: relay.address().port });
    const consumer = await transport.consume({
      producerId: opts.producer.id,
      rtpCapabilities: opts.router.rtpCapabilities,
      paused: true,
    });
    const egress = new HlsEgress(opts, relay, transport, consumer);
    relay.on('message', (msg) => egress.#onRtp(msg));
    consumer.observer.once('close', () => void egress.close().catch(() => undefined));
    egress.#ffmpeg = await SupervisedProcess.start({
      command: opts.ffmpegPath,
      args: (run) => egress.#ffmpegArgs(run),
      stdio: ['ignore', 'ignore', 'pipe'],
      restart: { initialMs: 500, maxMs: 5000 },
      retryFirstRun: true,
      onSpawn: (child, run) => egress.#onFfmpegSpawn(child, run),
      onExit: ({ code, signal, restartInMs, stderr }) => egress.#onFfmpegExit(code, signal, restartInMs, stderr),
    });
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

  serialize(): { running: boolean; segments: number; restarts: number } {
    return {
      running: !this.#closed && this.#epoch !== undefined,
      segments: this.#segments.length,
      restarts: this.#restarts,
    };
  }

  #onRtp(msg: Buffer): void {
    const epoch = this.#epoch;
    if (!epoch?.listening || isRtcp(msg)) return;
    if (!epoch.base) {
      this.#gatherFirstKeyframe(epoch, msg);
      return;
    }
    this.#relay.send(msg, this.#ffmpegPort, '127.0.0.1');
  }

  /**
   * ffmpeg's RTP demuxer makes the first packet it gets time 0, and a decoder that starts on a
   * damaged keyframe shows grey until the next one: so a run starts with a whole keyframe (first
   * packet to marker, no sequence gap), forwarded in one go.
   */
  #gatherFirstKeyframe(epoch: Epoch, msg: Buffer): void {
    const rtp = parseRtpHeader(msg);
    if (!rtp || rtp.payloadType !== this.#payloadType) return;
    const pending = epoch.pending;
    if (this.#isKeyframeStart(msg.subarray(rtp.payloadOffset, rtp.payloadEnd))) {
      pending.length = 0;
    } else {
      const previous = pending.length > 0 ? parseRtpHeader(pending[pending.length - 1]!) : undefined;
      if (
        !previous ||
        rtp.timestamp !== previous.timestamp ||
        rtp.sequenceNumber !== ((previous.sequenceNumber + 1) & 0xffff)
      ) {
        pending.length = 0;
        return;
      }
    }
    pending.push(Buffer.from(msg));
    if (!rtp.marker) return;
    epoch.base = { rtpTimestamp: rtp.timestamp, arrivedAtMs: Date.now() };
    this.#relay.send(probationPacket(parseRtpHeader(pending[0]!)!), this.#ffmpegPort, '127.0.0.1');
    for (const packet of pending) this.#relay.send(packet, this.#ffmpegPort, '127.0.0.1');
    pending.length = 0;
  }

  #sdp(port: number): string {
    const codec = this.#consumer.rtpParameters.codecs[0]!;
    const name = codec.mimeType.split('/')[1]!;
    const fmtp = Object.entries(codec.parameters ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(';');
    return [
      'v=0',
      'o=- 0 0 IN IP4 127.0.0.1',
      `s=${this.#opts.tableId}`,
      'c=IN IP4 127.0.0.1',
      't=0 0',
      `m=video ${port} RTP/AVP ${codec.payloadType}`,
      `a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}`,
      ...(fmtp ? [`a=fmtp:${codec.payloadType} ${fmtp}`] : []),
      'a=recvonly',
      '',
    ].join('\r\n');
  }

  /** Run `id` of ffmpeg: a fresh port and SDP, its own segment names and list. */
  async #ffmpegArgs(id: number): Promise<string[]> {
    this.#ffmpegPort = await freeUdpPortPair();
    const sdpPath = path.join(this.#opts.dir, `in-${id}.sdp`);
    await writeFile(sdpPath, this.#sdp(this.#ffmpegPort));
    const seg = this.#opts.segmentSeconds;
    return [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-protocol_whitelist',
      'file,udp,rtp',
      '-analyzeduration',
      '500000',
      '-probesize',
      '500000',
      '-fflags',
      '+nobuffer',
      '-flags',
      'low_delay',
      '-i',
      sdpPath,
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
      listening: false,
      base: undefined,
      pending: [],
      csvOffset: 0,
      first: true,
      last: undefined,
    };
    this.#epoch = epoch;
    child.stderr?.on('data', (line: string) =>
      this.#log.warn({ epoch: id, ffmpeg: line.trim().slice(0, 500) }, 'ffmpeg'),
    );
    void this.#whenListening(epoch, this.#ffmpegPort);
  }

  /** Starts forwarding once ffmpeg's RTP socket exists, from the next keyframe (asked for now). */
  async #whenListening(epoch: Epoch, port: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (this.#epoch === epoch && !this.#closed && Date.now() < deadline) {
      const bound = await udpPortBound(port);
      if (bound !== false) {
        if (bound === undefined) this.#log.warn('cannot see bound UDP ports; forwarding to ffmpeg blind');
        epoch.listening = true;
        await this.#consumer.requestKeyFrame().catch(() => undefined);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (this.#epoch === epoch && !this.#closed) {
      this.#log.error({ port }, 'hls ffmpeg never opened its RTP port; restarting it');
      epoch.process.kill('SIGKILL');
    }
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
    await this.#ffmpeg?.close();
    this.#transport.close();
    this.#relay.close();
    await this.#collecting;
    await rm(this.#opts.dir, { recursive: true, force: true, maxRetries: 3 }).catch((err) =>
      this.#log.warn({ err }, 'could not remove hls folder'),
    );
  }
}

/**
 * A packet just before `first` (same SSRC and timestamp, previous sequence number) whose payload
 * is the middle of a frame: an RTP receiver that holds back the first packet of a new source
 * (RFC 3550 A.1 probation, as ffmpeg's) takes this one, and a depacketiser drops it.
 */
function probationPacket(first: RtpHeaderFields): Buffer {
  const header = { ...first, sequenceNumber: (first.sequenceNumber - 1) & 0xffff, marker: false };
  // VP8 payload descriptor: not the start of a partition; then one byte of "data".
  return serializeRtpPacket(header, [Uint8Array.of(0x00, 0x00)]);
}

/**
 * Whether some process has a UDP socket bound to `port` on this host (Linux /proc/net), or
 * undefined where that cannot be seen.
 */
async function udpPortBound(port: number): Promise<boolean | undefined> {
  const suffix = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let readable = false;
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = await readFile(table, 'utf8');
    } catch {
      continue;
    }
    readable = true;
    for (const line of text.split('\n').slice(1)) {
      if (line.trim().split(/\s+/)[1]?.endsWith(suffix)) return true;
    }
  }
  return readable ? false : undefined;
}

/** An even UDP port whose successor is free too: ffmpeg's RTP input takes RTCP on port + 1. */
async function freeUdpPortPair(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 20000 + 2 * Math.floor(Math.random() * 5000);
    const sockets: dgram.Socket[] = [];
    try {
      for (const p of [port, port + 1]) {
        const s = dgram.createSocket('udp4');
        sockets.push(s);
        await new Promise<void>((resolve, reject) => {
          s.once('error', reject);
          s.bind(p, '127.0.0.1', () => resolve());
        });
      }
      return port;
    } catch {
      // Taken; try another.
    } finally {
      for (const s of sockets) s.close();
    }
  }
  throw new Error('no free UDP port pair for ffmpeg');
}
