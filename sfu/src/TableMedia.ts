import { EventEmitter } from 'node:events';
import { ntpToUnixMs, rtpToStudioTime } from '@live-casino/media';
import {
  AppError,
  type ConsumerInfo,
  type EgressInfo,
  type StudioClockMapping,
  type TransportInfo,
} from '@live-casino/protocol';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import type { HlsEgress } from './HlsEgress.js';
import { MEDIA_CODECS } from './mediaCodecs.js';
import { RtpEgress } from './RtpEgress.js';
import type { PeerRole, RouterStats, TableMediaEvents, TableMediaStats } from './TableMediaTypes.js';
import type { PooledWorker, WorkerPool } from './WorkerPool.js';
import { backoffDelay, sleep } from '@live-casino/server-kit';

export interface TableMediaOptions {
  tableId: string;
  pool: WorkerPool;
  log: Logger;
  mediaIp: string;
  announcedIp: string | undefined;
  viewersPerRouter: number;
  /** WebRTC transports one peer may hold (STREAM_LIMIT_REACHED beyond). */
  maxTransportsPerPeer?: number;
  /** RTP egresses (vision workers) the table may feed at once. */
  egressMaxPerTable?: number;
  /** Egress toward non-loopback addresses; off by default. */
  egressAllowRemote?: boolean;
  /** Starts HLS egress for the table's video producer; absent when HLS is disabled. */
  createHls?: (table: TableMedia, originRouter: ms.Router, producer: ms.Producer) => Promise<HlsEgress>;
}

interface Ingest {
  source: string;
  type: 'rtp' | 'webrtc';
  kind: ms.MediaKind;
  rtpParameters: ms.RtpParameters;
  /** UDP ports of an RTP ingest, kept across rebuilds so encoders need not be told anything. */
  port: number | undefined;
  rtcpPort: number | undefined;
  transport: ms.Transport;
  producer: ms.Producer;
  /** Peer that published it over WebRTC (its transport dies with the origin router). */
  peerId: string | undefined;
}

interface RtpIngestSpec {
  kind: ms.MediaKind;
  rtpParameters: ms.RtpParameters;
  rtcpMux: boolean;
  port: number | undefined;
  rtcpPort: number | undefined;
}

interface ViewerRouter {
  router: ms.Router;
  workerIndex: number;
  peers: Set<string>;
  /** Origin producer id → id of its pipe producer on this router. */
  pipes: Map<string, string>;
}

interface Peer {
  id: string;
  role: PeerRole;
  /** The stream token's subject (a player id): whose delay this peer's consumers measure. */
  subject: string;
  /** The router the peer's transports live on: a viewer router, or the origin for publishers. */
  router: ms.Router;
  viewerRouter: ViewerRouter | undefined;
  transports: Map<string, ms.WebRtcTransport>;
  /** Transports being created: counted against the cap so concurrent requests cannot overshoot. */
  pendingTransports: number;
  consumers: Map<string, ms.Consumer>;
}

/** A WebRTC viewer's delay as the sfu measured it (see measureWebRtcDelays). */
export interface MeasuredViewer {
  subject: string;
  delayMs: number;
}

/**
 * The media of one table: an origin Router holding the studio's producers, viewer Routers on
 * other workers fed by pipeToRouter (one more each time the others hold `viewersPerRouter`
 * viewers), the peers' WebRTC transports, and the HLS egress. Losing the origin's worker rebuilds
 * the table on a live worker with the same RTP ingest ports, so encoders keep sending unchanged
 * and viewers are told to join again.
 */
export class TableMedia extends EventEmitter<TableMediaEvents> {
  readonly tableId: string;
  readonly #opts: TableMediaOptions;
  readonly #log: Logger;
  #origin!: { router: ms.Router; workerIndex: number };
  #viewerRouters: ViewerRouter[] = [];
  readonly #ingests = new Map<string, Ingest>();
  /**
   * RTP ingests the studio asked for, by source. They outlive their producers: when the origin's
   * worker dies mediasoup closes the producers, and the rebuild opens them again from here.
   */
  readonly #rtpSpecs = new Map<string, RtpIngestSpec>();
  readonly #peers = new Map<string, Peer>();
  readonly #clocks = new Map<string, StudioClockMapping>();
  /**
   * Per origin producer: arrival time at the sfu of its latest sender report minus the report's
   * NTP time, which is the studio's wall clock: how long media takes from the studio to here.
   */
  readonly #ingestDelays = new Map<string, number>();
  #hls: HlsEgress | undefined;
  readonly #egresses = new Map<string, RtpEgress>();
  #closed = false;
  /** Serialises structural changes (rebuilds, new routers, ingests) so they never interleave. */
  #queue: Promise<unknown> = Promise.resolve();
  #rebuilds = 0;

  private constructor(opts: TableMediaOptions) {
    super();
    this.tableId = opts.tableId;
    this.#opts = opts;
    this.#log = opts.log.child({ tableId: opts.tableId });
  }

  static async create(opts: TableMediaOptions): Promise<TableMedia> {
    const table = new TableMedia(opts);
    await table.#createOrigin();
    return table;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get rebuilds(): number {
    return this.#rebuilds;
  }

  get hls(): HlsEgress | undefined {
    return this.#hls;
  }

  get routerRtpCapabilities(): ms.RtpCapabilities {
    return this.#origin.router.rtpCapabilities;
  }

  /** The clock mapping of the table's video, for HLS program date times. */
  clockOf(producerId: string): StudioClockMapping | undefined {
    return this.#clocks.get(producerId);
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #createOrigin(): Promise<void> {
    const pooled = this.#opts.pool.pick();
    const router = await this.#opts.pool.createRouter(pooled, MEDIA_CODECS, { tableId: this.tableId, role: 'origin' });
    this.#origin = { router, workerIndex: pooled.index };
    router.on('workerclose', () => {
      if (this.#closed) return;
      this.#log.warn({ workerIndex: pooled.index }, 'origin worker died; rebuilding table media');
      void this.#serial(() => this.#rebuildUntilDone('origin worker died'));
    });
    this.#log.info({ workerIndex: pooled.index, routerId: router.id }, 'origin router created');
  }

  /**
   * Rebuilds everything after the origin's worker died: a new origin router, the same RTP ingests
   * on the same ports, fresh viewer routers. Every peer is told to join again.
   */
  async #rebuild(reason: string): Promise<void> {
    this.#rebuilds++;
    // A retried rebuild may have left a router on a worker that is still alive.
    if (!this.#origin.router.closed) this.#origin.router.close();
    const peerIds = [...this.#peers.keys()];
    for (const peer of this.#peers.values()) this.#closePeerMedia(peer);
    this.#peers.clear();
    for (const vr of this.#viewerRouters) {
      if (!vr.router.closed) this.#workerOf(vr).viewers -= vr.peers.size;
      vr.router.close();
    }
    this.#viewerRouters = [];
    this.#closeEgresses('the table media was rebuilt (origin worker died)');
    await this.#hls?.close();
    this.#hls = undefined;
    this.#clocks.clear();
    this.#ingestDelays.clear();
    await this.#waitForLiveWorker();
    await this.#createOrigin();
    // WebRTC publishers re-publish after mediareset; RTP ingests reopen on their old ports.
    this.#ingests.clear();
    for (const [source, spec] of this.#rtpSpecs) {
      try {
        await this.#startRtpIngest(source, spec);
      } catch (err) {
        this.#log.error({ err, source }, 'could not reopen rtp ingest; waiting for the encoder to publish again');
      }
    }
    this.emit('mediareset', peerIds, reason);
  }

  /** Retries a rebuild that failed (e.g. every worker died at once, or died again meanwhile). */
  async #rebuildUntilDone(reason: string): Promise<void> {
    for (let attempt = 1; !this.#closed; attempt++) {
      try {
        await this.#rebuild(reason);
        return;
      } catch (err) {
        const delay = backoffDelay(attempt, { initialMs: 200, maxMs: 5000 });
        this.#log.error({ err, attempt, retryInMs: delay }, 'table media rebuild failed; retrying');
        await sleep(delay);
      }
    }
  }

  async #waitForLiveWorker(): Promise<void> {
    const pool = this.#opts.pool;
    if (pool.workers.some((w) => !w.worker.closed)) return;
    await new Promise<void>((resolve) => pool.once('workerreplaced', () => resolve()));
  }

  // ---- peers -------------------------------------------------------------------------------

  /** Admits a peer: viewers get a viewer router with room, publishers the origin. */
  async join(peerId: string, role: PeerRole, subject: string): Promise<{ routerRtpCapabilities: ms.RtpCapabilities }> {
    this.#assertOpen();
    return this.#serial(async () => {
      const existing = this.#peers.get(peerId);
      if (existing) {
        this.#closePeerMedia(existing);
        this.#detachPeer(existing);
      }
      const viewerRouter = role === 'publish' ? undefined : await this.#viewerRouterWithRoom(peerId);
      const router = viewerRouter?.router ?? this.#origin.router;
      this.#peers.set(peerId, {
        id: peerId,
        role,
        subject,
        router,
        viewerRouter,
        transports: new Map(),
        pendingTransports: 0,
        consumers: new Map(),
      });
      return { routerRtpCapabilities: router.rtpCapabilities };
    });
  }

  async #viewerRouterWithRoom(peerId: string): Promise<ViewerRouter> {
    let vr = this.#viewerRouters.find((r) => !r.router.closed && r.peers.size < this.#opts.viewersPerRouter);
    if (!vr) vr = await this.#addViewerRouter();
    vr.peers.add(peerId);
    this.#workerOf(vr).viewers++;
    return vr;
  }

  #workerOf(vr: ViewerRouter): PooledWorker {
    return this.#opts.pool.workers[vr.workerIndex]!;
  }

  async #addViewerRouter(): Promise<ViewerRouter> {
    const pool = this.#opts.pool;
    // Fewest viewers wins; the origin's worker counts as already holding a full router, so viewers
    // go elsewhere first and share it only once every worker carries them.
    const origin = this.#origin.workerIndex;
    const pooled: PooledWorker = pool.pick(
      (w) => w.viewers + (w.index === origin ? this.#opts.viewersPerRouter : 0) + w.routers * 1e-3,
    );
    const router = await pool.createRouter(pooled, MEDIA_CODECS, { tableId: this.tableId, role: 'viewer' });
    const vr: ViewerRouter = { router, workerIndex: pooled.index, peers: new Set(), pipes: new Map() };
    this.#viewerRouters.push(vr);
    router.on('workerclose', () => this.#onViewerRouterLost(vr));
    for (const ingest of this.#ingests.values()) await this.#pipe(ingest.producer, vr);
    this.#log.info(
      { workerIndex: pooled.index, routerId: router.id, viewerRouters: this.#viewerRouters.length },
      'viewer router added',
    );
    return vr;
  }

  #onViewerRouterLost(vr: ViewerRouter): void {
    if (this.#closed) return;
    this.#viewerRouters = this.#viewerRouters.filter((r) => r !== vr);
    const peerIds = [...vr.peers];
    for (const id of peerIds) {
      const peer = this.#peers.get(id);
      if (peer) this.#closePeerMedia(peer);
      this.#peers.delete(id);
    }
    this.#log.warn({ workerIndex: vr.workerIndex, viewers: peerIds.length }, 'viewer router lost its worker');
    this.emit('mediareset', peerIds, 'viewer worker died');
  }

  /** Whether `peerId` is joined (its token may have expired and closed it). */
  hasPeer(peerId: string): boolean {
    return this.#peers.has(peerId);
  }

  /** Open (and opening) WebRTC transports of a peer. */
  transportCount(peerId: string): number {
    const peer = this.#peers.get(peerId);
    return peer ? peer.transports.size + peer.pendingTransports : 0;
  }

  leave(peerId: string): void {
    const peer = this.#peers.get(peerId);
    if (!peer) return;
    this.#closePeerMedia(peer);
    this.#detachPeer(peer);
  }

  #detachPeer(peer: Peer): void {
    this.#peers.delete(peer.id);
    for (const vr of this.#viewerRouters) {
      if (vr.peers.delete(peer.id) && !vr.router.closed) this.#workerOf(vr).viewers--;
    }
    for (const ingest of this.#ingests.values()) {
      if (ingest.peerId === peer.id) {
        ingest.producer.close();
        this.#ingests.delete(ingest.source);
      }
    }
  }

  #closePeerMedia(peer: Peer): void {
    for (const transport of peer.transports.values()) transport.close();
    peer.transports.clear();
    peer.consumers.clear();
  }

  #peer(peerId: string, role?: PeerRole): Peer {
    const peer = this.#peers.get(peerId);
    if (!peer) throw new AppError('TABLE_NOT_LIVE', 'join the table first');
    if (role && peer.role !== role) throw new AppError('AUTH_FORBIDDEN_ROLE', `this needs a ${role} session`);
    return peer;
  }

  #transport(peer: Peer, transportId: string): ms.WebRtcTransport {
    const transport = peer.transports.get(transportId);
    if (!transport || transport.closed) throw new AppError('TRANSPORT_NOT_FOUND', `no transport ${transportId}`);
    return transport;
  }

  async createWebRtcTransport(peerId: string, direction: 'send' | 'recv'): Promise<TransportInfo> {
    const peer = this.#peer(peerId);
    if (direction === 'send' && peer.role !== 'publish') {
      throw new AppError('AUTH_FORBIDDEN_ROLE', 'a viewer cannot open a send transport');
    }
    const max = this.#opts.maxTransportsPerPeer ?? 2;
    if (peer.transports.size + peer.pendingTransports >= max) {
      throw new AppError('STREAM_LIMIT_REACHED', `a peer may hold ${max} transports`);
    }
    peer.pendingTransports++;
    let transport: ms.WebRtcTransport;
    try {
      transport = await this.#openWebRtcTransport(peer, peerId, direction);
    } finally {
      peer.pendingTransports--;
    }
    // The peer left (or its token expired) while the transport was being made.
    if (this.#peers.get(peerId) !== peer) {
      transport.close();
      throw new AppError('TABLE_NOT_LIVE', 'join the table first');
    }
    peer.transports.set(transport.id, transport);
    transport.observer.once('close', () => peer.transports.delete(transport.id));
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  #openWebRtcTransport(peer: Peer, peerId: string, direction: 'send' | 'recv'): Promise<ms.WebRtcTransport> {
    return peer.router.createWebRtcTransport({
      listenInfos: [
        {
          protocol: 'udp',
          ip: this.#opts.mediaIp,
          ...(this.#opts.announcedIp ? { announcedAddress: this.#opts.announcedIp } : {}),
        },
        {
          protocol: 'tcp',
          ip: this.#opts.mediaIp,
          ...(this.#opts.announcedIp ? { announcedAddress: this.#opts.announcedIp } : {}),
        },
      ],
      preferUdp: true,
      initialAvailableOutgoingBitrate: 2_000_000,
      appData: { peerId, direction },
    });
  }

  async connectTransport(peerId: string, transportId: string, dtlsParameters: ms.DtlsParameters): Promise<void> {
    const transport = this.#transport(this.#peer(peerId), transportId);
    await mediaCall(() => transport.connect({ dtlsParameters }));
  }

  /** Consumers for every producer of the table, created paused: the client resumes when ready. */
  async consume(peerId: string, transportId: string, rtpCapabilities: ms.RtpCapabilities): Promise<ConsumerInfo[]> {
    const peer = this.#peer(peerId);
    const transport = this.#transport(peer, transportId);
    if (this.#ingests.size === 0) throw new AppError('TABLE_NOT_LIVE', 'the table has no video yet');
    const infos: ConsumerInfo[] = [];
    for (const ingest of this.#ingests.values()) {
      // Viewers see the origin producer's id (clock mappings are keyed by it) and consume its pipe.
      const producerId = ingest.producer.id;
      const local = peer.viewerRouter ? peer.viewerRouter.pipes.get(producerId) : producerId;
      if (!local) throw new AppError('TABLE_NOT_LIVE', 'the table video is still being routed; try again');
      if ([...peer.consumers.values()].some((c) => c.producerId === local && !c.closed)) continue;
      if (!peer.router.canConsume({ producerId: local, rtpCapabilities })) {
        throw new AppError('MEDIA_CANNOT_CONSUME', `cannot consume ${ingest.kind} with these capabilities`);
      }
      const consumer = await mediaCall(() =>
        transport.consume({ producerId: local, rtpCapabilities, paused: true, appData: { peerId, producerId } }),
      );
      peer.consumers.set(consumer.id, consumer);
      consumer.observer.once('close', () => peer.consumers.delete(consumer.id));
      infos.push({
        id: consumer.id,
        producerId,
        kind: consumer.kind,
        rtpParameters: consumer.rtpParameters,
        clock: this.#clocks.get(producerId) ?? null,
      });
    }
    return infos;
  }

  async resumeConsumer(peerId: string, consumerId: string): Promise<void> {
    const consumer = this.#peer(peerId).consumers.get(consumerId);
    if (!consumer || consumer.closed) throw new AppError('CONSUMER_NOT_FOUND', `no consumer ${consumerId}`);
    await consumer.resume();
  }

  /** A WebRTC publisher (dealer console camera) producing on the origin router. */
  async produce(
    peerId: string,
    transportId: string,
    kind: ms.MediaKind,
    rtpParameters: ms.RtpParameters,
  ): Promise<string> {
    const peer = this.#peer(peerId, 'publish');
    const transport = this.#transport(peer, transportId);
    return this.#serial(async () => {
      const source = `webrtc-${kind}-${peerId}`.slice(0, 64);
      this.#ingests.get(source)?.producer.close();
      const producer = await mediaCall(() => transport.produce({ kind, rtpParameters, appData: { source } }));
      await this.#addIngest({
        source,
        type: 'webrtc',
        kind,
        rtpParameters,
        port: undefined,
        rtcpPort: undefined,
        transport,
        producer,
        peerId,
      });
      return producer.id;
    });
  }

  /** RTP ingest from an encoder; replaces a previous ingest of the same source. */
  async publishRtp(
    source: string,
    kind: ms.MediaKind,
    rtpParameters: ms.RtpParameters,
    rtcpMux = true,
  ): Promise<{ producerId: string; ip: string; port: number; rtcpPort?: number }> {
    this.#assertOpen();
    return this.#serial(async () => {
      const previous = this.#ingests.get(source);
      if (previous) {
        previous.transport.close();
        this.#ingests.delete(source);
      }
      const old = this.#rtpSpecs.get(source);
      const sameShape = old?.rtcpMux === rtcpMux;
      const ingest = await this.#startRtpIngest(source, {
        kind,
        rtpParameters,
        rtcpMux,
        port: sameShape ? old?.port : undefined,
        rtcpPort: sameShape ? old?.rtcpPort : undefined,
      });
      return {
        producerId: ingest.producer.id,
        ip: this.#opts.announcedIp ?? this.#opts.mediaIp,
        port: ingest.port ?? 0,
        ...(ingest.rtcpPort !== undefined ? { rtcpPort: ingest.rtcpPort } : {}),
      };
    });
  }

  async #startRtpIngest(source: string, spec: RtpIngestSpec): Promise<Ingest> {
    const { kind, rtpParameters, rtcpMux } = spec;
    const listen = { protocol: 'udp' as const, ip: this.#opts.mediaIp };
    const open = (port: number | undefined, rtcpPort: number | undefined): Promise<ms.PlainTransport> =>
      this.#origin.router.createPlainTransport({
        listenInfo: port ? { ...listen, port } : listen,
        ...(rtcpMux ? {} : { rtcpListenInfo: rtcpPort ? { ...listen, port: rtcpPort } : listen }),
        rtcpMux,
        comedia: true,
        appData: { source },
      });
    let transport: ms.PlainTransport;
    try {
      transport = await open(spec.port, spec.rtcpPort);
    } catch (err) {
      if (!spec.port) throw err;
      // The old port is taken: take any; the encoder is re-pointed when it publishes again.
      this.#log.warn({ err, port: spec.port }, 'ingest port not reusable; allocating a new one');
      transport = await open(undefined, undefined);
    }
    const producer = await mediaCall(() =>
      transport.produce({
        kind,
        rtpParameters: withCname(rtpParameters, `${this.tableId}-${source}`),
        appData: { source },
      }),
    ).catch((err) => {
      transport.close();
      throw err;
    });
    const port = transport.tuple.localPort;
    const rtcpPort = transport.rtcpTuple?.localPort;
    this.#rtpSpecs.set(source, { ...spec, port, rtcpPort });
    const ingest: Ingest = {
      source,
      type: 'rtp',
      kind,
      rtpParameters,
      port,
      rtcpPort,
      transport,
      producer,
      peerId: undefined,
    };
    await this.#addIngest(ingest);
    this.#log.info({ source, kind, port, rtcpPort, producerId: producer.id }, 'rtp ingest ready');
    return ingest;
  }

  /**
   * Pipes an origin producer into a viewer router. The pipe producer gets an id of its own:
   * mediasoup cannot keep the id when both routers share a worker (one worker, or after a death).
   */
  async #pipe(producer: ms.Producer, vr: ViewerRouter): Promise<void> {
    const { pipeProducer } = await this.#origin.router.pipeToRouter({
      producerId: producer.id,
      router: vr.router,
      keepId: false,
    });
    if (!pipeProducer) return;
    vr.pipes.set(producer.id, pipeProducer.id);
    pipeProducer.observer.once('close', () => {
      if (vr.pipes.get(producer.id) === pipeProducer.id) vr.pipes.delete(producer.id);
    });
  }

  async #addIngest(ingest: Ingest): Promise<void> {
    const { producer } = ingest;
    this.#ingests.set(ingest.source, ingest);
    producer.observer.once('close', () => {
      this.#clocks.delete(producer.id);
      this.#ingestDelays.delete(producer.id);
      if (this.#ingests.get(ingest.source)?.producer === producer) this.#ingests.delete(ingest.source);
    });
    await producer.enableTraceEvent(['sr']);
    producer.on('trace', (trace) => {
      if (trace.type !== 'sr') return;
      const mapping = clockFromSenderReport(producer, trace.info);
      if (!mapping) return;
      this.#ingestDelays.set(producer.id, Math.max(0, Date.now() - mapping.studioTimeMs));
      const previous = this.#clocks.get(producer.id);
      this.#clocks.set(producer.id, mapping);
      // Viewers only need a new mapping when the sender's clock moved (a restart, a jump).
      if (!previous || Math.abs(rtpToStudioTime(previous, mapping.rtpTimestamp) - mapping.studioTimeMs) > 2) {
        this.emit('clock', mapping);
      }
    });
    for (const vr of this.#viewerRouters) await this.#pipe(producer, vr);
    if (producer.kind === 'video' && this.#opts.createHls) {
      await this.#hls?.close();
      this.#hls = await this.#opts.createHls(this, this.#origin.router, producer);
    }
    this.emit('produceradded', { producerId: producer.id, kind: producer.kind });
  }

  // ---- viewer delays ------------------------------------------------------------------------

  /**
   * What each WebRTC viewer's playout delay is at least, from what the sfu sees: the ingest delay of
   * the producer it consumes (studio → sfu, from sender reports) + the consumer's RTT/2 (from the
   * viewer's receiver reports) + `playoutMarginMs` for the browser's jitter buffer, decode and
   * render. Viewers not sent media yet, or before the studio's first sender report, are left out.
   * mediasoup reports an RTT of 0 until the viewer's receiver reports give one (and below their
   * resolution, on a LAN): the estimate then errs low, which only narrows a player's late allowance.
   */
  async measureWebRtcDelays(playoutMarginMs: number): Promise<MeasuredViewer[]> {
    const out: MeasuredViewer[] = [];
    const viewers = [...this.#peers.values()].filter((p) => p.role === 'view');
    await Promise.all(
      viewers.map(async (peer) => {
        let worst: number | undefined;
        for (const consumer of peer.consumers.values()) {
          if (consumer.closed || consumer.paused || consumer.kind !== 'video') continue;
          const ingest = this.#ingestDelays.get((consumer.appData as { producerId?: string }).producerId ?? '');
          if (ingest === undefined) continue;
          const stats = await consumer.getStats().catch(() => []);
          const sent = stats.find((x) => x.type === 'outbound-rtp');
          // Only a viewer that is being sent media has a delay.
          if (!sent || sent.packetCount === 0) continue;
          const delay = ingest + (sent.roundTripTime ?? 0) / 2 + playoutMarginMs;
          worst = worst === undefined ? delay : Math.max(worst, delay);
        }
        if (worst !== undefined) out.push({ subject: peer.subject, delayMs: worst });
      }),
    );
    return out;
  }

  // ---- RTP egress (vision) ------------------------------------------------------------------

  /**
   * Opens a plain RTP egress of the table's video toward `target` (see RtpEgress), for `ownerId`.
   * Refuses non-loopback targets unless allowed, and more than `egressMaxPerTable` egresses.
   */
  async openEgress(ownerId: string, target: { ip: string; port: number }): Promise<EgressInfo> {
    this.#assertOpen();
    const loopback = target.ip.startsWith('127.');
    if (!loopback && !this.#opts.egressAllowRemote) {
      throw new AppError('EGRESS_ADDRESS_FORBIDDEN', `egress to ${target.ip} refused: only 127.0.0.0/8 is allowed`);
    }
    return this.#serial(async () => {
      const max = this.#opts.egressMaxPerTable ?? 4;
      if (this.#egresses.size >= max) {
        throw new AppError('EGRESS_LIMIT_REACHED', `table ${this.tableId} already feeds ${max} egresses`);
      }
      const video = [...this.#ingests.values()].filter((i) => i.kind === 'video' && !i.producer.closed).at(-1);
      if (!video) throw new AppError('TABLE_NOT_LIVE', 'the table has no video yet');
      const egress = await mediaCall(() =>
        RtpEgress.create({
          ownerId,
          router: this.#origin.router,
          producer: video.producer,
          target,
          listenIp: loopback ? '127.0.0.1' : this.#opts.mediaIp,
          announcedIp: loopback ? undefined : this.#opts.announcedIp,
          log: this.#log,
        }),
      );
      this.#egresses.set(egress.id, egress);
      egress.once('closed', (reason) => {
        this.#egresses.delete(egress.id);
        if (!this.#closed) this.emit('egressclosed', { ownerId, egressId: egress.id, reason });
      });
      return egress.info(this.#clocks.get(video.producer.id));
    });
  }

  #egress(ownerId: string, egressId: string): RtpEgress {
    const egress = this.#egresses.get(egressId);
    if (!egress || egress.closed || egress.ownerId !== ownerId) {
      throw new AppError('EGRESS_NOT_FOUND', `no egress ${egressId}`);
    }
    return egress;
  }

  async resumeEgress(ownerId: string, egressId: string): Promise<void> {
    await this.#egress(ownerId, egressId).resume();
  }

  async requestEgressKeyFrame(ownerId: string, egressId: string): Promise<void> {
    await this.#egress(ownerId, egressId).requestKeyFrame();
  }

  closeEgress(ownerId: string, egressId: string): void {
    this.#egress(ownerId, egressId).close();
  }

  /** Closes every egress of an owner (its socket went away). */
  closeEgressesOf(ownerId: string): void {
    for (const egress of [...this.#egresses.values()]) if (egress.ownerId === ownerId) egress.close();
  }

  #closeEgresses(reason: string): void {
    for (const egress of [...this.#egresses.values()]) egress.close(reason);
  }

  #assertOpen(): void {
    if (this.#closed) throw new AppError('TABLE_NOT_FOUND', `table ${this.tableId} is closed`);
  }

  async stats(): Promise<TableMediaStats> {
    const producers = await Promise.all(
      [...this.#ingests.values()].map(async (ingest) => {
        const stats = ingest.producer.closed ? [] : await ingest.producer.getStats().catch(() => []);
        const s = stats[0];
        return {
          producerId: ingest.producer.id,
          kind: ingest.kind,
          source: ingest.source,
          type: ingest.type,
          bitrateBps: stats.reduce((sum, x) => sum + x.bitrate, 0),
          packetsLost: s?.packetsLost ?? 0,
          fractionLost: s?.fractionLost ?? 0,
          score: s?.score ?? 0,
        };
      }),
    );
    const consumersOf = (routerPeers: Iterable<string>): number => {
      let n = 0;
      for (const id of routerPeers) n += this.#peers.get(id)?.consumers.size ?? 0;
      return n;
    };
    const routers: RouterStats[] = [
      {
        routerId: this.#origin.router.id,
        workerIndex: this.#origin.workerIndex,
        role: 'origin',
        peers: [...this.#peers.values()].filter((p) => p.role === 'publish').length,
        consumers: 0,
      },
      ...this.#viewerRouters.map((vr) => ({
        routerId: vr.router.id,
        workerIndex: vr.workerIndex,
        role: 'viewer' as const,
        peers: vr.peers.size,
        consumers: consumersOf(vr.peers),
      })),
    ];
    const viewers = [...this.#peers.values()].filter((p) => p.role === 'view');
    return {
      tableId: this.tableId,
      producers,
      viewers: viewers.length,
      consumers: viewers.reduce((n, p) => n + p.consumers.size, 0),
      routers,
      egresses: this.#egresses.size,
      hls: this.#hls ? this.#hls.serialize() : null,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of this.#peers.values()) this.#closePeerMedia(peer);
    this.#peers.clear();
    this.#closeEgresses('the table closed');
    await this.#hls?.close();
    for (const vr of this.#viewerRouters) {
      if (!vr.router.closed) this.#workerOf(vr).viewers -= vr.peers.size;
      vr.router.close();
    }
    this.#origin.router.close();
    this.emit('closed');
    this.removeAllListeners();
  }
}

/** mediasoup rejects bad media parameters with TypeError/UnsupportedError: a client mistake. */
async function mediaCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (err instanceof Error && (err.name === 'TypeError' || err.name === 'UnsupportedError')) {
      throw new AppError('MEDIA_BAD_PARAMETERS', err.message.slice(0, 200));
    }
    throw err;
  }
}

function withCname(rtpParameters: ms.RtpParameters, cname: string): ms.RtpParameters {
  return {
    ...rtpParameters,
    rtcp: { reducedSize: true, ...rtpParameters.rtcp, cname: rtpParameters.rtcp?.cname ?? cname },
  };
}

export function clockFromSenderReport(producer: ms.Producer, info: unknown): StudioClockMapping | undefined {
  const sr = info as { ntpSec?: number; ntpFrac?: number; rtpTs?: number } | undefined;
  if (!sr || typeof sr.ntpSec !== 'number' || typeof sr.ntpFrac !== 'number' || typeof sr.rtpTs !== 'number')
    return undefined;
  const clockRate = producer.rtpParameters.codecs[0]?.clockRate ?? 90000;
  return {
    producerId: producer.id,
    rtpTimestamp: sr.rtpTs >>> 0,
    studioTimeMs: ntpToUnixMs({ seconds: sr.ntpSec, fraction: sr.ntpFrac }),
    clockRate,
  };
}
