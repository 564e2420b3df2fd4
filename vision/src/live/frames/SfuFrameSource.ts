import dgram from 'node:dgram';
import { ClientError, type SfuRequestBody, sendSfuRequest } from '@live-casino/clients';
import { EventEmitter } from 'node:events';
import {
  type AssembledFrame,
  isRtcp,
  parseRtpHeader,
  RtpFrameAssembler,
  rtpToStudioTime,
  VP8_PAYLOAD_FORMAT,
} from '@live-casino/media';
import {
  AppError,
  type EgressInfo,
  isErrorCode,
  type SfuRequest,
  type SfuClientToServer,
  type SfuRequestName,
  type SfuResponses,
  type SfuServerToClient,
  type StudioClockMapping,
} from '@live-casino/protocol';
import { type Logger, pino } from 'pino';
import { io, type Socket } from 'socket.io-client';
import type {
  DecodedFrame,
  FrameSourceEvents,
  FrameSourceState,
  FrameSourceStats,
  SfuFrameSourceOptions,
} from './FrameSourceTypes.js';
import { Vp8Decoder } from './Vp8Decoder.js';
import { backoffDelay, percentile, sleep } from '@live-casino/server-kit';

export type { DecodedFrame, FrameSourceEvents, SfuFrameSourceOptions } from './FrameSourceTypes.js';

type SfuSocket = Socket<SfuServerToClient, SfuClientToServer>;

/** Frames written to ffmpeg and not yet out: beyond this the decoder is behind and restarts at a keyframe. */
const MAX_IN_FLIGHT = 30;
const CALL_TIMEOUT_MS = 5000;
const KEYFRAME_REQUEST_GAP_MS = 400;

/** One egress: a signalling socket, a UDP socket the sfu sends RTP to, and what the sfu told us. */
interface Session {
  socket: SfuSocket;
  udp: dgram.Socket;
  info: EgressInfo | undefined;
  clock: StudioClockMapping | undefined;
  depacketizer: RtpFrameAssembler;
  lastPacketAt: number;
  /** When RTP was asked to flow (the egress resumed). */
  openedAt: number | undefined;
  /** Resolves with the reason the session ended. */
  ended: Promise<string>;
  end: (reason: string) => void;
}

interface InFlight {
  rtpTimestamp: number;
  /** The egress the frame came through: its clock mapping (even one learnt later) stamps it. */
  session: Session;
  /** performance.now() when the whole frame had arrived and went to the decoder. */
  writtenAt: number;
}

/** The last `size` samples, for percentiles (a window: an old stall does not hide today's numbers). */
class Window {
  readonly #samples: number[] = [];
  constructor(readonly size: number) {}
  add(v: number): void {
    this.#samples.push(v);
    if (this.#samples.length > this.size) this.#samples.shift();
  }
  summary(): { p50: number; p95: number; max: number; n: number } {
    const s = this.#samples;
    const round = (v: number) => Math.round(v * 10) / 10;
    return {
      p50: round(percentile(s, 50)),
      p95: round(percentile(s, 95)),
      max: round(s.length > 0 ? Math.max(...s) : Number.NaN),
      n: s.length,
    };
  }
}

/**
 * Decoded frames of one table's video, with their studio times. Logs in to table-service as a
 * service, gets an `egress` stream token, asks the sfu (socket.io signalling) to send the table's
 * RTP to a loopback UDP socket, reassembles VP8 frames (RFC 7741) and decodes them with one
 * long-lived ffmpeg. Every picture is matched to the RTP timestamp of its frame exactly (pts we
 * choose, read back from ffmpeg's showinfo), and stamped through the sfu's RTP→studio mapping.
 *
 * It recovers by itself: a lost sfu, socket or feed gives 'stalled' and a retry with backoff; a
 * decoder crash gives 'error', a new decoder and a keyframe request. Frames are emitted as soon as
 * they are decoded; a listener must hand them off quickly (nothing is queued for it).
 */
export class SfuFrameSource extends EventEmitter<FrameSourceEvents> {
  readonly tableId: string;
  readonly #opts: SfuFrameSourceOptions;
  readonly #log: Logger;
  readonly #stallMs: number;
  readonly #ffmpegPath: string;
  readonly #maxClockSkewMs: number;
  #started = false;
  #closed = false;
  #run: Promise<void> | undefined;
  #session: Session | undefined;
  #wakeUp: (() => void) | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #status: { state: FrameSourceState; reason?: string } = { state: 'connecting' };

  #decoder: Vp8Decoder | undefined;
  /** Inter frames are not fed to a fresh (or lagging) decoder: it starts at a keyframe. */
  #decoderNeedsKeyframe = true;
  #decoderCrashes = 0;
  #decoderRetryAt = 0;
  #pts = 0;
  readonly #inFlight = new Map<number, InFlight>();
  #lastFrameAt = 0;
  #lastDecodedAt = 0;
  #lastEmittedStudioMs = Number.NEGATIVE_INFINITY;
  #lastKeyframeRequestAt = 0;
  readonly #captureToEmitMs = new Window(300);
  readonly #decodeMs = new Window(300);
  readonly #stats: FrameSourceStats = {
    framesEmitted: 0,
    framesDecoded: 0,
    framesDecimated: 0,
    framesWithoutClock: 0,
    framesDropped: 0,
    packets: 0,
    losses: 0,
    keyFramesRequested: 0,
    decoderRestarts: 0,
    sessions: 0,
  };

  constructor(opts: SfuFrameSourceOptions) {
    super();
    if (opts.maxFps !== undefined && !(opts.maxFps > 0 && opts.maxFps <= 240)) {
      throw new RangeError(`maxFps must be in (0, 240]: ${opts.maxFps}`);
    }
    if (opts.stallMs !== undefined && !(opts.stallMs >= 100 && opts.stallMs <= 600_000)) {
      throw new RangeError(`stallMs must be in [100, 600000]: ${opts.stallMs}`);
    }
    this.tableId = opts.tableId;
    this.#opts = opts;
    this.#log = (opts.log ?? pino({ level: 'silent' })).child({ tableId: opts.tableId, component: 'frames' });
    this.#stallMs = opts.stallMs ?? 2000;
    this.#ffmpegPath = opts.ffmpegPath ?? '/usr/bin/ffmpeg';
    this.#maxClockSkewMs = opts.maxClockSkewMs ?? 60_000;
  }

  get status(): { state: FrameSourceState; reason?: string } {
    return { ...this.#status };
  }

  /** The running decoder's pid (for operators and fault-injection tests). */
  get decoderPid(): number | undefined {
    return this.#decoder?.running ? this.#decoder.pid : undefined;
  }

  stats(): FrameSourceStats {
    return { ...this.#stats };
  }

  /**
   * Over the last 300 emitted frames: studio capture → emitted here (encode, network, sfu,
   * reassembly and decode; on one clock only if the studio's and this host's are synchronised),
   * and whole frame received → decoded picture emitted (the decoder's own share).
   */
  latency(): { captureToEmitMs: ReturnType<Window['summary']>; decodeMs: ReturnType<Window['summary']> } {
    return { captureToEmitMs: this.#captureToEmitMs.summary(), decodeMs: this.#decodeMs.summary() };
  }

  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#setStatus('connecting');
    this.#watchdog = setInterval(() => this.#checkStall(), Math.max(50, Math.min(500, this.#stallMs / 4)));
    this.#run = this.#loop();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#watchdog);
    this.#session?.end('closed');
    this.#wakeUp?.();
    await this.#run;
    await this.#decoder?.close();
    this.#decoder = undefined;
    this.#inFlight.clear();
  }

  // ---- connection life cycle -----------------------------------------------------------------

  async #loop(): Promise<void> {
    let attempt = 0;
    while (!this.#closed) {
      const emittedBefore = this.#stats.framesEmitted;
      let authProblem = false;
      try {
        const reason = await this.#runSession();
        if (this.#closed) break;
        this.#setStatus('stalled', reason);
        this.#log.warn({ reason }, 'table video egress ended; reconnecting');
      } catch (err) {
        if (this.#closed) break;
        const reason = describe(err);
        authProblem = (err instanceof AppError || err instanceof ClientError) && err.code.startsWith('AUTH_');
        // A grant the sfu refused is not used again; the session is the client's to renew.
        if (authProblem) this.#opts.tableService.dropStreamGrant(this.tableId, 'egress');
        this.#setStatus(authProblem ? 'error' : 'stalled', reason);
        this.#log.warn({ reason, attempt }, 'table video egress failed; retrying');
      }
      // A session that delivered frames was a success: start the backoff over.
      attempt = this.#stats.framesEmitted > emittedBefore ? 1 : attempt + 1;
      // An auth problem waits longer (up to 16 s): a fresh login will not fix itself sooner.
      const delay = backoffDelay(attempt, { initialMs: 250, maxMs: authProblem ? 16_000 : 5000 });
      const wake = new AbortController();
      this.#wakeUp = () => wake.abort();
      await sleep(delay, wake.signal);
      this.#wakeUp = undefined;
    }
  }

  /** One egress from open to end; resolves with why it ended, throws if it could not open. */
  async #runSession(): Promise<string> {
    this.#stats.sessions++;
    const socket: SfuSocket = io(this.#opts.sfuUrl, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: CALL_TIMEOUT_MS,
    });
    const udp = dgram.createSocket('udp4');
    let end!: (reason: string) => void;
    const ended = new Promise<string>((resolve) => {
      end = resolve;
    });
    const session: Session = {
      socket,
      udp,
      info: undefined,
      clock: undefined,
      depacketizer: new RtpFrameAssembler(VP8_PAYLOAD_FORMAT),
      lastPacketAt: 0,
      openedAt: undefined,
      ended,
      end,
    };
    this.#session = session;
    // Every step of the opening gives up as soon as the session ends (close(), a lost socket).
    const unlessEnded = <T>(step: Promise<T>): Promise<T> =>
      Promise.race([
        step,
        ended.then((reason) => {
          throw new Error(reason);
        }),
      ]);
    try {
      await unlessEnded(
        new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', (err) =>
            reject(new Error(`sfu unreachable at ${this.#opts.sfuUrl}: ${err.message}`)),
          );
        }),
      );
      socket.on('disconnect', (reason) => end(`sfu connection lost (${reason})`));
      socket.on('studioClock', (mapping) => {
        if (mapping.tableId !== this.tableId) return;
        if (session.info && mapping.producerId !== session.info.producerId) return;
        session.clock = mapping;
      });
      socket.on('egressClosed', (ev) => {
        if (ev.tableId === this.tableId && ev.egressId === session.info?.egressId)
          end(`sfu closed the egress: ${ev.reason}`);
      });
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(0, '127.0.0.1', () => resolve());
      });
      try {
        // A keyframe is ~40 packets arriving at once; the default buffer may not hold a burst of them.
        udp.setRecvBufferSize(4 * 1024 * 1024);
      } catch {
        // Kept at the system default (net.core.rmem_max caps it anyway).
      }
      udp.on('message', (msg, rinfo) => this.#onPacket(session, msg, rinfo));
      const info = await unlessEnded(this.#openEgress(socket, udp.address().port));
      session.info = info;
      if (info.clock && (!session.clock || session.clock.producerId !== info.producerId)) session.clock = info.clock;
      if (session.clock && session.clock.producerId !== info.producerId) session.clock = undefined;
      if (!/^video\/vp8$/i.test(info.mimeType)) {
        throw new AppError('MEDIA_CANNOT_CONSUME', `the table's video is ${info.mimeType}; only VP8 is decoded`);
      }
      this.#decoderNeedsKeyframe = true;
      await unlessEnded(this.#call(socket, 'resumeEgress', { egressId: info.egressId }));
      session.openedAt = Date.now();
      this.#lastKeyframeRequestAt = Date.now();
      this.#log.info(
        { egressId: info.egressId, producerId: info.producerId, ssrc: info.ssrc, port: udp.address().port },
        'table video egress open',
      );
      return await ended;
    } finally {
      this.#session = undefined;
      socket.removeAllListeners();
      socket.close();
      udp.close();
    }
  }

  /**
   * Opens the egress; while the table has no video (a restarted sfu, a studio not yet back) it
   * waits on this socket for the table's next video producer instead of reconnecting blindly.
   */
  async #openEgress(socket: SfuSocket, port: number): Promise<EgressInfo> {
    for (;;) {
      try {
        return await this.#call(socket, 'openEgress', { ip: '127.0.0.1', port });
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'TABLE_NOT_LIVE') || this.#closed || !socket.connected) throw err;
        this.#setStatus('stalled', describe(err));
        await new Promise<void>((resolve) => {
          const done = (): void => {
            clearTimeout(timer);
            socket.off('producerAdded', onProducer);
            socket.off('disconnect', done);
            resolve();
          };
          const onProducer = (ev: { tableId: string; kind: string }): void => {
            if (ev.tableId === this.tableId && ev.kind === 'video') done();
          };
          const timer = setTimeout(done, 5000);
          socket.on('producerAdded', onProducer);
          socket.on('disconnect', done);
        });
        if (!socket.connected) throw err;
      }
    }
  }

  async #call<N extends SfuRequestName>(socket: SfuSocket, name: N, body: SfuRequestBody<N>): Promise<SfuResponses[N]> {
    const token = await this.#egressToken();
    const req = { ...body, token, tableId: this.tableId } as SfuRequest<N>;
    const ack = await sendSfuRequest(socket, name, req, CALL_TIMEOUT_MS).catch(() => {
      throw new AppError('SERVICE_UNAVAILABLE', `sfu did not answer ${name} within ${CALL_TIMEOUT_MS} ms`);
    });
    if (ack.ok) return ack.data;
    const code = isErrorCode(ack.error?.code) ? ack.error.code : 'INTERNAL';
    throw new AppError(code, `sfu refused ${name}: ${ack.error?.message ?? 'no reason'}`);
  }

  // ---- credentials ---------------------------------------------------------------------------

  async #egressToken(): Promise<string> {
    return (await this.#opts.tableService.streamGrant(this.tableId, 'egress')).token;
  }

  // ---- media ---------------------------------------------------------------------------------

  #onPacket(session: Session, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const info = session.info;
    if (!info || this.#session !== session) return;
    // Only the sfu's transport may feed the decoder (anything can send to a loopback port).
    if (rinfo.port !== info.source.port || rinfo.address !== info.source.ip) return;
    if (isRtcp(msg)) return;
    const rtp = parseRtpHeader(msg);
    if (!rtp || rtp.payloadType !== info.payloadType || rtp.ssrc !== info.ssrc) return;
    const now = Date.now();
    session.lastPacketAt = now;
    this.#stats.packets++;
    const before = session.depacketizer.stats.framesDropped;
    const { frames, lost } = session.depacketizer.push(rtp, msg, now);
    this.#stats.framesDropped += session.depacketizer.stats.framesDropped - before;
    if (lost) {
      this.#stats.losses++;
      this.#log.warn({ losses: this.#stats.losses }, 'rtp packets lost; frames dropped until a keyframe');
      this.#requestKeyFrame(session, 'packet loss');
    }
    for (const frame of frames) this.#decode(session, frame);
  }

  #requestKeyFrame(session: Session, why: string): void {
    const info = session.info;
    const now = Date.now();
    if (!info || now - this.#lastKeyframeRequestAt < KEYFRAME_REQUEST_GAP_MS) return;
    this.#lastKeyframeRequestAt = now;
    this.#stats.keyFramesRequested++;
    void this.#call(session.socket, 'requestKeyFrame', { egressId: info.egressId }).catch((err) =>
      this.#log.debug({ err: describe(err), why }, 'keyframe request failed'),
    );
  }

  #decode(session: Session, frame: AssembledFrame): void {
    if (frame.keyframe && frame.width && frame.height) {
      const d = this.#decoder;
      if (d && (d.width !== frame.width || d.height !== frame.height)) {
        this.#log.info({ from: `${d.width}x${d.height}`, to: `${frame.width}x${frame.height}` }, 'video size changed');
        this.#dropDecoder();
      }
      if (!this.#decoder && Date.now() >= this.#decoderRetryAt) this.#startDecoder(frame.width, frame.height);
    }
    const decoder = this.#decoder;
    if (!decoder?.running) {
      this.#stats.framesDropped++;
      return;
    }
    if (this.#decoderNeedsKeyframe) {
      if (!frame.keyframe || this.#inFlight.size > MAX_IN_FLIGHT / 2) {
        this.#stats.framesDropped++;
        this.#requestKeyFrame(session, 'decoder waits for a keyframe');
        return;
      }
      this.#decoderNeedsKeyframe = false;
    }
    const pts = this.#pts++;
    this.#inFlight.set(pts, { rtpTimestamp: frame.rtpTimestamp, session, writtenAt: performance.now() });
    const flowing = decoder.write(pts, frame.data);
    if (!flowing || this.#inFlight.size > MAX_IN_FLIGHT) {
      // The decoder is behind: skip to the next keyframe rather than queue without bound.
      this.#log.warn({ inFlight: this.#inFlight.size }, 'decoder falling behind; skipping to the next keyframe');
      this.#decoderNeedsKeyframe = true;
      this.#requestKeyFrame(session, 'decoder behind');
    }
  }

  #startDecoder(width: number, height: number): void {
    const decoder = Vp8Decoder.start({ ffmpegPath: this.#ffmpegPath, width, height, log: this.#log });
    this.#decoder = decoder;
    this.#decoderNeedsKeyframe = true;
    this.#inFlight.clear();
    this.#pts = 0;
    decoder.on('picture', (picture) => {
      if (this.#decoder !== decoder) return;
      this.#onPicture(picture.pts, picture.width, picture.height, picture.rgb);
    });
    decoder.once('died', ({ reason }) => {
      if (this.#decoder !== decoder || this.#closed) return;
      this.#decoder = undefined;
      this.#inFlight.clear();
      this.#decoderCrashes++;
      this.#stats.decoderRestarts++;
      const backoff = backoffDelay(this.#decoderCrashes - 1, { initialMs: 100, maxMs: 5000 });
      this.#decoderRetryAt = Date.now() + backoff;
      this.#log.error({ reason, restartInMs: backoff }, 'vp8 decoder died; restarting it at the next keyframe');
      this.#setStatus('error', `decoder crashed (${reason}); restarting`);
      const session = this.#session;
      if (session) {
        // The next keyframe starts the new decoder; ask for it once the backoff has passed.
        this.#lastKeyframeRequestAt = 0;
        setTimeout(() => {
          if (this.#session === session) {
            this.#lastKeyframeRequestAt = 0;
            this.#requestKeyFrame(session, 'decoder restarted');
          }
        }, backoff).unref();
      }
    });
    this.#log.info({ pid: decoder.pid, width, height }, 'vp8 decoder started');
  }

  #dropDecoder(): void {
    const decoder = this.#decoder;
    this.#decoder = undefined;
    this.#inFlight.clear();
    void decoder?.close();
  }

  #onPicture(pts: number, width: number, height: number, rgb: Uint8Array): void {
    const entry = this.#inFlight.get(pts);
    // Frames before this one that never came out (not shown, or undecodable) are done with.
    for (const key of this.#inFlight.keys()) if (key <= pts) this.#inFlight.delete(key);
    if (!entry) {
      this.#log.error({ pts }, 'decoder returned a picture for no frame written; dropped');
      return;
    }
    this.#stats.framesDecoded++;
    this.#lastDecodedAt = Date.now();
    this.#decoderCrashes = 0;
    const clock = entry.session.clock;
    const studioMs = clock ? rtpToStudioTime(clock, entry.rtpTimestamp) : Number.NaN;
    if (!clock || !(Math.abs(studioMs - Date.now()) <= this.#maxClockSkewMs)) {
      this.#stats.framesWithoutClock++;
      if (this.#status.state !== 'live') {
        this.#setStatus(
          this.#status.state === 'error' ? 'error' : 'connecting',
          clock
            ? 'waiting for the studio clock of the new stream'
            : 'waiting for the studio clock (no sender report yet)',
        );
      }
      return;
    }
    const maxFps = this.#opts.maxFps;
    if (maxFps !== undefined && studioMs >= this.#lastEmittedStudioMs) {
      // Half a millisecond of slack: 30 fps capture times are 33.33 ms apart, floored to whole ms.
      if (studioMs - this.#lastEmittedStudioMs < 1000 / maxFps - 0.5) {
        this.#stats.framesDecimated++;
        return;
      }
    }
    this.#lastEmittedStudioMs = studioMs;
    this.#lastFrameAt = Date.now();
    this.#captureToEmitMs.add(this.#lastFrameAt - studioMs);
    this.#decodeMs.add(performance.now() - entry.writtenAt);
    this.#stats.framesEmitted++;
    if (this.#status.state !== 'live') this.#setStatus('live');
    const frame: DecodedFrame = {
      tableId: this.tableId,
      studioMs,
      rtpTimestamp: entry.rtpTimestamp,
      width,
      height,
      rgb,
    };
    this.emit('frame', frame);
  }

  #checkStall(): void {
    if (this.#closed) return;
    const now = Date.now();
    const session = this.#session;
    const openedAt = session?.openedAt;
    const state = this.#status.state;
    // Live with no frame for stallMs, or an open egress that never delivered one.
    const since = Math.max(this.#lastFrameAt, openedAt ?? Number.POSITIVE_INFINITY);
    if ((state === 'live' || (state === 'connecting' && openedAt !== undefined)) && now - since > this.#stallMs) {
      const sincePacket = now - (session?.lastPacketAt ?? 0);
      const sinceDecoded = now - Math.max(this.#lastDecodedAt, openedAt ?? 0);
      const reason =
        sincePacket > this.#stallMs
          ? `no video from the sfu for ${sincePacket} ms (studio feed stopped?)`
          : sinceDecoded > this.#stallMs
            ? `video arrives but nothing decoded for ${sinceDecoded} ms (waiting for a keyframe)`
            : 'frames decode but have no studio time (no RTCP sender report from the studio yet)';
      this.#setStatus('stalled', reason);
      this.#log.warn({ reason }, 'table video stalled');
    }
    if (!session || openedAt === undefined) return;
    if (now - since > this.#stallMs) this.#requestKeyFrame(session, 'stalled');
    // A feed that stays silent may be a producer the sfu replaced without telling this egress:
    // open a fresh egress now and then.
    const silentFor = now - Math.max(openedAt, session.lastPacketAt);
    if (silentFor > 5 * this.#stallMs) {
      session.lastPacketAt = now;
      session.end(`no video for ${silentFor} ms; reopening the egress`);
    }
  }

  #setStatus(state: FrameSourceState, reason?: string): void {
    if (this.#status.state === state && this.#status.reason === reason) return;
    this.#status = reason === undefined ? { state } : { state, reason };
    this.emit('status', this.status);
  }
}

function describe(err: unknown): string {
  if (err instanceof AppError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
