import { EventEmitter } from 'node:events';
import { SfuClient } from '@live-casino/clients';
import { isRtcp, rtpTimestampDelta, rtpToStudioTime } from '@live-casino/media';
import type { SfuRequest, StudioClockMapping } from '@live-casino/protocol';
import nodeDataChannel, { type PeerConnection, type Track } from 'node-datachannel';
import type { ConsumerParameters, RtpCapabilities, TransportParameters } from './mediasoupTypes.js';
import { buildRemoteOffer, parseLocalAnswer, viewerRtpCapabilities } from './remoteOffer.js';

export interface DatachannelViewerOptions {
  sfuUrl: string;
  tableId: string;
  /** A view stream token for the table (table-service `POST /v1/stream-grants`). */
  token: string;
  /** Shown in libdatachannel's logs and in errors. */
  name?: string;
  /** Time for signalling, ICE and DTLS to complete. */
  connectTimeoutMs?: number;
  /**
   * Answer the sfu's sender reports with receiver reports and REMB, as a browser does (on by
   * default: without them mediasoup's consumer score and bitrate estimate never move).
   */
  rtcpReports?: boolean;
  /** Local UDP ports for ICE, to keep a swarm out of the sfu's RTC range. */
  portRange?: { begin: number; end: number };
}

export type ViewerState = 'connecting' | 'connected' | 'failed' | 'closed';

export interface DatachannelViewerStats {
  name: string;
  state: ViewerState;
  consumers: number;
  /** RTP packets (media and retransmissions) received, after SRTP. */
  rtpPackets: number;
  rtpBytes: number;
  /** RTCP that got past libdatachannel's RtcpReceivingSession, which keeps the sender reports. */
  rtcpPackets: number;
  /** Gaps in the media SSRC's sequence numbers (packets never received, RTX not counted). */
  packetsLost: number;
  /** Epoch ms of the first and latest RTP packet; null before the first. */
  firstRtpAt: number | null;
  lastRtpAt: number | null;
  /** From `create()` to the first RTP packet, in ms. */
  timeToFirstRtpMs: number | null;
  mediaResets: number;
}

export type DatachannelViewerEvents = {
  /** The first RTP packet arrived. */
  rtp: [];
  /** The sfu rebuilt the table's media; this viewer does not rejoin by itself. */
  mediareset: [reason: string];
  failed: [error: Error];
  closed: [];
};

/** Per media SSRC: extended highest sequence number seen, to count losses cheaply. */
interface SeqTracker {
  base: number;
  highest: number;
  received: number;
}

/**
 * A WebRTC viewer that never decodes: it joins a table on the sfu, consumes its producers over a
 * libdatachannel PeerConnection and counts the RTP that arrives. Hundreds fit in one Node process,
 * which is what loading the sfu needs; a browser measures what a player sees.
 */
export class DatachannelViewer extends EventEmitter<DatachannelViewerEvents> {
  readonly name: string;
  readonly #opts: DatachannelViewerOptions;
  readonly #createdAt = Date.now();
  #signalling: SfuClient | undefined;
  #pc: PeerConnection | undefined;
  /** Held so that the native track wrappers live as long as the viewer. */
  readonly #tracks: Track[] = [];
  #consumers: ConsumerParameters[] = [];
  #mediaSsrcs = new Set<number>();
  readonly #seq = new Map<number, SeqTracker>();
  #state: ViewerState = 'connecting';
  #rtpPackets = 0;
  #rtpBytes = 0;
  #rtcpPackets = 0;
  #firstRtpAt: number | null = null;
  #lastRtpAt: number | null = null;
  #mediaResets = 0;
  /** The studio clock mapping of each producer (consume answer, then `studioClock` events). */
  readonly #clocks = new Map<string, StudioClockMapping>();
  /** Media SSRC of the video consumer → its producer, to map its RTP timestamps. */
  readonly #videoSsrcs = new Map<number, string>();
  /** RTP timestamp of the latest complete video frame (marker bit), per media SSRC. */
  readonly #latestFrameRtp = new Map<number, number>();

  private constructor(opts: DatachannelViewerOptions) {
    super();
    this.#opts = opts;
    this.name = opts.name ?? `viewer-${Math.random().toString(36).slice(2, 8)}`;
  }

  /** Resolves once ICE and DTLS are up and the consumers are resumed; media follows shortly. */
  static async create(opts: DatachannelViewerOptions): Promise<DatachannelViewer> {
    const viewer = new DatachannelViewer(opts);
    const timeoutMs = opts.connectTimeoutMs ?? 20_000;
    let timer: NodeJS.Timeout | undefined;
    const connecting = viewer.#connect();
    // When the timeout wins, close() makes the rest of #connect() fail: nobody waits for that.
    connecting.catch(() => undefined);
    try {
      await Promise.race([
        connecting,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`${viewer.name}: not connected after ${timeoutMs} ms (${viewer.#pcState()})`)),
            timeoutMs,
          );
        }),
      ]);
    } catch (err) {
      viewer.close();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return viewer;
  }

  get state(): ViewerState {
    return this.#state;
  }

  get receiving(): boolean {
    return this.#rtpPackets > 0;
  }

  async #connect(): Promise<void> {
    const token = this.#opts.token;
    const signalling = await SfuClient.connect({
      sfuUrl: this.#opts.sfuUrl,
      tableId: this.#opts.tableId,
      token: () => token,
    });
    this.#signalling = signalling;
    this.#throwIfClosed();
    signalling.socket.on('mediaReset', ({ reason }) => {
      this.#mediaResets++;
      this.emit('mediareset', reason);
    });
    signalling.socket.on('studioClock', (mapping) => {
      if (mapping.tableId === this.#opts.tableId) this.#clocks.set(mapping.producerId, mapping);
    });
    signalling.socket.on('disconnect', (reason) => {
      if (this.#state === 'connected') this.#fail(new Error(`${this.name}: signalling lost (${reason})`));
    });

    const { routerRtpCapabilities } = await signalling.request('join', {});
    const transport = (await signalling.request('createTransport', { direction: 'recv' })) as TransportParameters;
    const { consumers } = await signalling.request('consume', {
      transportId: transport.id,
      // Our interfaces are exact where the wire schema only bounds opaque objects.
      rtpCapabilities: viewerRtpCapabilities(
        routerRtpCapabilities as RtpCapabilities,
      ) as SfuRequest<'consume'>['rtpCapabilities'],
    });
    this.#consumers = consumers as ConsumerParameters[];
    for (const c of this.#consumers) {
      const ssrc = c.rtpParameters.encodings?.[0]?.ssrc;
      if (ssrc !== undefined) this.#mediaSsrcs.add(ssrc);
      if (ssrc !== undefined && c.kind === 'video') this.#videoSsrcs.set(ssrc, c.producerId);
    }
    for (const { producerId, clock } of consumers) {
      // A `studioClock` event may already have brought a newer mapping.
      if (clock && !this.#clocks.has(producerId)) this.#clocks.set(producerId, clock);
    }

    this.#throwIfClosed();
    const pc = new nodeDataChannel.PeerConnection(this.name, {
      iceServers: [],
      ...(this.#opts.portRange
        ? { portRangeBegin: this.#opts.portRange.begin, portRangeEnd: this.#opts.portRange.end }
        : {}),
    });
    this.#pc = pc;
    const connected = new Promise<void>((resolve, reject) => {
      pc.onStateChange((state) => {
        if (state === 'connected') resolve();
        else if (state === 'failed' || state === 'closed') {
          const err = new Error(`${this.name}: peer connection ${state}`);
          reject(err);
          if (this.#state === 'connected') this.#fail(err);
        }
      });
    });
    // Stop an unobserved rejection if the timeout in create() wins the race.
    connected.catch(() => undefined);
    pc.onTrack((track) => this.#attach(track));
    const answered = new Promise<string>((resolve) => {
      pc.onLocalDescription((sdp, type) => {
        if (type === 'answer') resolve(sdp);
      });
    });
    pc.setRemoteDescription(
      buildRemoteOffer({ transport, consumers: this.#consumers, candidateProtocols: ['udp'] }),
      'offer',
    );
    const answer = pc.localDescription()?.sdp ?? (await answered);
    const { fingerprint, dtlsRole } = parseLocalAnswer(answer);
    await signalling.request('connectTransport', {
      transportId: transport.id,
      dtlsParameters: { role: dtlsRole, fingerprints: [fingerprint] },
    });
    await connected;
    for (const consumer of this.#consumers) await signalling.request('resumeConsumer', { consumerId: consumer.id });
    this.#throwIfClosed();
    this.#state = 'connected';
  }

  /** After an await in #connect(): if close() came meanwhile, release what was opened since. */
  #throwIfClosed(): void {
    if (this.#state !== 'closed') return;
    this.#release();
    throw new Error(`${this.name} closed while connecting`);
  }

  #attach(track: Track): void {
    this.#tracks.push(track);
    if (this.#opts.rtcpReports !== false) track.setMediaHandler(new nodeDataChannel.RtcpReceivingSession());
    track.onMessage((msg) => this.#onPacket(msg));
  }

  #onPacket(packet: Buffer): void {
    if (packet.length < 12) return;
    if (isRtcp(packet)) {
      this.#rtcpPackets++;
      return;
    }
    const now = Date.now();
    this.#rtpPackets++;
    this.#rtpBytes += packet.length;
    this.#lastRtpAt = now;
    if (this.#firstRtpAt === null) {
      this.#firstRtpAt = now;
      this.emit('rtp');
    }
    const ssrc = packet.readUInt32BE(8);
    if (!this.#mediaSsrcs.has(ssrc)) return;
    // The marker bit ends a video frame: from then on the whole frame is there to be shown.
    if (((packet[1] as number) & 0x80) !== 0 && this.#videoSsrcs.has(ssrc)) {
      const timestamp = packet.readUInt32BE(4);
      const latest = this.#latestFrameRtp.get(ssrc);
      if (latest === undefined || rtpTimestampDelta(latest, timestamp) > 0) this.#latestFrameRtp.set(ssrc, timestamp);
    }
    const seq = packet.readUInt16BE(2);
    const tracker = this.#seq.get(ssrc);
    if (!tracker) {
      this.#seq.set(ssrc, { base: seq, highest: seq, received: 1 });
      return;
    }
    tracker.received++;
    // Extend the 16-bit sequence number around the current highest one (RFC 3550 A.1, simplified).
    const cycles = tracker.highest & ~0xffff;
    let extended = cycles | seq;
    if (extended < tracker.highest - 0x8000) extended += 0x10000;
    else if (extended > tracker.highest + 0x8000) extended -= 0x10000;
    if (extended > tracker.highest) tracker.highest = extended;
  }

  /** Resolves at the first RTP packet (at once if one already came). */
  waitForRtp(timeoutMs: number): Promise<void> {
    if (this.#rtpPackets > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('rtp', onRtp);
        reject(new Error(`${this.name}: no RTP within ${timeoutMs} ms`));
      }, timeoutMs);
      const onRtp = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.once('rtp', onRtp);
    });
  }

  /**
   * Studio capture time of the latest complete video frame received: what a player's screen would
   * show about now, on the studio clock. Null before the first frame or the first clock mapping.
   */
  latestFrameStudioMs(): number | null {
    let latest: number | null = null;
    for (const [ssrc, timestamp] of this.#latestFrameRtp) {
      const clock = this.#clocks.get(this.#videoSsrcs.get(ssrc) ?? '');
      if (!clock) continue;
      const studioMs = rtpToStudioTime(clock, timestamp);
      if (latest === null || studioMs > latest) latest = studioMs;
    }
    return latest;
  }

  stats(): DatachannelViewerStats {
    let lost = 0;
    for (const t of this.#seq.values()) lost += Math.max(0, t.highest - t.base + 1 - t.received);
    return {
      name: this.name,
      state: this.#state,
      consumers: this.#consumers.length,
      rtpPackets: this.#rtpPackets,
      rtpBytes: this.#rtpBytes,
      rtcpPackets: this.#rtcpPackets,
      packetsLost: lost,
      firstRtpAt: this.#firstRtpAt,
      lastRtpAt: this.#lastRtpAt,
      timeToFirstRtpMs: this.#firstRtpAt === null ? null : this.#firstRtpAt - this.#createdAt,
      mediaResets: this.#mediaResets,
    };
  }

  #pcState(): string {
    const pc = this.#pc;
    if (!pc) return 'signalling';
    try {
      return `pc ${pc.state()}, ice ${pc.iceState()}`;
    } catch {
      return 'pc closed';
    }
  }

  #fail(err: Error): void {
    if (this.#state === 'closed' || this.#state === 'failed') return;
    this.#state = 'failed';
    this.emit('failed', err);
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#release();
    this.emit('closed');
    this.removeAllListeners();
  }

  #release(): void {
    // Tracks close with their peer connection. Closing one explicitly drops it before its onClosed
    // handler unregisters it, so node-datachannel 0.33.4 keeps a dangling wrapper that cleanup()
    // later frees: SIGSEGV/SIGABRT at exit, about one run in six.
    try {
      this.#pc?.close();
    } catch {
      // already closed
    }
    this.#signalling?.close();
  }
}

/**
 * Stops libdatachannel's threads; call once when the process is done with every viewer, or Node
 * may not exit.
 */
export function shutdownWebRtc(): void {
  nodeDataChannel.cleanup();
}
