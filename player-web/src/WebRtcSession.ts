import { ClientError, SfuClient, type SfuRequestBody } from '@live-casino/clients';
import type { ConsumerInfo, SfuRequest, SfuRequestName, SfuResponses } from '@live-casino/protocol';
import { Device, type types as msc } from 'mediasoup-client';
import { type GrantFetcher, GrantKeeper } from './GrantKeeper.js';
import { playVideo } from './playback.js';
import { DISCONNECTED_GRACE_MS, type Trouble } from './recovery.js';
import { isStudioClockMapping, StudioClockBook } from './studioTime.js';
import type { MediaSession, SessionHooks } from './TableClientTypes.js';
import { toViewerError, ViewerFailure } from './viewerErrors.js';

const REQUEST_TIMEOUT_MS = 8000;

export interface WebRtcSessionOptions {
  tableId: string;
  video: HTMLVideoElement;
  fetchGrant: GrantFetcher;
  hooks: SessionHooks;
}

/**
 * One WebRTC join of a table: the signalling socket, a mediasoup-client Device and recv transport,
 * and the consumers of the table's producers. It recovers from nothing itself: any trouble is
 * reported and the owner decides (TableClient); only "table not live yet" is waited on in place.
 */
export class WebRtcSession implements MediaSession {
  readonly #opts: WebRtcSessionOptions;
  readonly #clocks = new StudioClockBook();
  readonly #consumers = new Map<string, msc.Consumer>();
  /**
   * Before the grant runs out, a fresh one is handed to the sfu with `refreshToken`: the transport
   * and consumers stay (no rejoin, no video restart); a failed refresh is a trouble and TableClient
   * joins again.
   */
  readonly #grants: GrantKeeper;
  #sfu: SfuClient | null = null;
  #device: Device | null = null;
  #transport: msc.Transport | null = null;
  #stream: MediaStream | null = null;
  #videoProducerId: string | null = null;
  #closed = false;
  #awaitingProducer = false;
  #awaitTimer: ReturnType<typeof setTimeout> | undefined;
  #disconnectedTimer: ReturnType<typeof setTimeout> | undefined;
  /** consume calls one at a time (a producerAdded can arrive while one runs). */
  #consumeQueue: Promise<void> = Promise.resolve();
  #attachedAt: number | null = null;

  constructor(opts: WebRtcSessionOptions) {
    this.#opts = opts;
    this.#grants = new GrantKeeper({
      tableId: opts.tableId,
      fetchGrant: opts.fetchGrant,
      onRefresh: async () => {
        await this.#request('refreshToken', {});
        if (!this.#closed) this.#opts.hooks.grantRefreshed();
      },
      onError: (err) => this.#fail(err),
    });
  }

  get attachedAt(): number | null {
    return this.#attachedAt;
  }

  start(): void {
    void this.#start().catch((err: unknown) => this.#fail(err));
  }

  async receivedBytes(): Promise<number | null> {
    let bytes = 0;
    for (const consumer of this.#consumers.values()) {
      if (consumer.closed) continue;
      const report = await consumer.getStats().catch(() => null);
      report?.forEach((stat: { type?: string; bytesReceived?: number }) => {
        if (stat.type === 'inbound-rtp') bytes += stat.bytesReceived ?? 0;
      });
    }
    return bytes;
  }

  studioTimeOf(metadata: VideoFrameCallbackMetadata): number | null {
    if (this.#videoProducerId === null) return null;
    return this.#clocks.studioTimeOf(this.#videoProducerId, metadata.rtpTimestamp);
  }

  /** The table has no video yet: consume again when a producer appears, or after `delayMs`. */
  awaitProducer(delayMs: number): void {
    if (this.#closed) return;
    this.#awaitingProducer = true;
    clearTimeout(this.#awaitTimer);
    this.#awaitTimer = setTimeout(() => this.#consumeAgain(), delayMs);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#awaitTimer);
    clearTimeout(this.#disconnectedTimer);
    this.#grants.close();
    for (const consumer of this.#consumers.values()) consumer.close();
    this.#consumers.clear();
    this.#transport?.close();
    this.#transport = null;
    if (this.#sfu) {
      this.#sfu.socket.removeAllListeners();
      this.#sfu.close();
      this.#sfu = null;
    }
    this.#clocks.clear();
  }

  async #start(): Promise<void> {
    const grant = await this.#grants.fetch();
    if (this.#closed) return;
    await this.#connect(grant.sfuUrl);
    if (this.#closed) return;
    const { routerRtpCapabilities } = await this.#request('join', {});
    this.#grants.keepFresh();
    const device = await Device.factory();
    await device.load({ routerRtpCapabilities: routerRtpCapabilities as msc.RtpCapabilities });
    if (this.#closed) return;
    this.#device = device;
    const info = await this.#request('createTransport', { direction: 'recv' });
    if (this.#closed) return;
    const transport = device.createRecvTransport({
      id: info.id,
      iceParameters: info.iceParameters as msc.IceParameters,
      iceCandidates: info.iceCandidates as msc.IceCandidate[],
      dtlsParameters: info.dtlsParameters as msc.DtlsParameters,
    });
    this.#transport = transport;
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.#request('connectTransport', {
        transportId: transport.id,
        dtlsParameters: dtlsParameters as SfuRequest<'connectTransport'>['dtlsParameters'],
      }).then(() => callback(), errback);
    });
    transport.on('connectionstatechange', (state) => this.#onConnectionState(state));
    await this.#enqueueConsume();
  }

  async #connect(url: string): Promise<SfuClient> {
    let sfu: SfuClient;
    try {
      // Reconnection is TableClient's job: a new socket with a fresh grant, after a backoff.
      sfu = await SfuClient.connect({
        sfuUrl: url,
        tableId: this.#opts.tableId,
        token: () => this.#token(),
        transports: ['websocket', 'polling'],
        connectTimeoutMs: REQUEST_TIMEOUT_MS,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
      });
    } catch (err) {
      throw new ViewerFailure(
        'SFU_UNREACHABLE',
        `cannot reach the sfu: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (this.#closed) {
      sfu.close();
      throw new ViewerFailure('SFU_UNREACHABLE', 'session closed');
    }
    this.#sfu = sfu;
    const socket = sfu.socket;
    socket.on('disconnect', (reason) => this.#report({ kind: 'socket', reason }));
    socket.on('mediaReset', (ev) => {
      if (ev?.tableId === this.#opts.tableId) this.#report({ kind: 'mediaReset', reason: String(ev.reason) });
    });
    // Our refresh did not make it in time: the sfu closed our media; join again with a new grant.
    socket.on('tokenExpired', (ev) => {
      if (ev?.tableId === this.#opts.tableId) this.#report({ kind: 'mediaReset', reason: 'stream token expired' });
    });
    socket.on('studioClock', (mapping) => {
      if (mapping?.tableId === this.#opts.tableId && isStudioClockMapping(mapping)) this.#clocks.update(mapping);
    });
    socket.on('producerAdded', (ev) => {
      if (ev?.tableId === this.#opts.tableId && typeof ev.producerId === 'string') this.#onProducerAdded(ev.producerId);
    });
    return sfu;
  }

  #onConnectionState(state: msc.ConnectionState): void {
    if (this.#closed) return;
    clearTimeout(this.#disconnectedTimer);
    if (state === 'failed') this.#report({ kind: 'transport', state: 'failed' });
    else if (state === 'disconnected') {
      this.#disconnectedTimer = setTimeout(() => {
        if (this.#transport?.connectionState === 'disconnected')
          this.#report({ kind: 'transport', state: 'disconnected' });
      }, DISCONNECTED_GRACE_MS);
    }
  }

  #onProducerAdded(producerId: string): void {
    if (this.#closed || !this.#transport) return;
    if (this.#awaitingProducer) {
      this.#consumeAgain();
      return;
    }
    if ([...this.#consumers.values()].some((c) => c.producerId === producerId && !c.closed)) return;
    // A publisher was replaced (e.g. an encoder restarted): consume the new producer in place.
    void this.#enqueueConsume().catch((err: unknown) => this.#fail(err));
  }

  #consumeAgain(): void {
    if (this.#closed || !this.#awaitingProducer) return;
    this.#awaitingProducer = false;
    clearTimeout(this.#awaitTimer);
    void this.#enqueueConsume().catch((err: unknown) => this.#fail(err));
  }

  #enqueueConsume(): Promise<void> {
    const run = this.#consumeQueue.then(() => this.#consume());
    this.#consumeQueue = run.catch(() => undefined);
    return run;
  }

  async #consume(): Promise<void> {
    const device = this.#device;
    const transport = this.#transport;
    if (this.#closed || !device || !transport) return;
    const { consumers: infos } = await this.#request('consume', {
      transportId: transport.id,
      rtpCapabilities: device.rtpCapabilities as SfuRequest<'consume'>['rtpCapabilities'],
    });
    const added: msc.Consumer[] = [];
    for (const info of infos) {
      if (this.#closed) return;
      added.push(await this.#addConsumer(transport, info));
    }
    if (added.length === 0 || this.#closed) return;
    this.#attach(added);
    // The sfu creates consumers paused so no keyframe is wasted before the track is attached.
    await Promise.all(added.map((c) => this.#request('resumeConsumer', { consumerId: c.id })));
  }

  async #addConsumer(transport: msc.Transport, info: ConsumerInfo): Promise<msc.Consumer> {
    if (info.clock) this.#clocks.update(info.clock);
    const consumer = await transport.consume({
      id: info.id,
      producerId: info.producerId,
      kind: info.kind,
      rtpParameters: info.rtpParameters as msc.RtpParameters,
    });
    this.#consumers.set(consumer.id, consumer);
    consumer.on('transportclose', () => this.#report({ kind: 'consumerClosed', reason: 'transportclose' }));
    consumer.on('trackended', () => this.#report({ kind: 'consumerClosed', reason: 'trackended' }));
    consumer.observer.once('close', () => this.#consumers.delete(consumer.id));
    return consumer;
  }

  /** Puts new consumers' tracks on the element, replacing (closing) older ones of the same kind. */
  #attach(added: msc.Consumer[]): void {
    const { video } = this.#opts;
    for (const consumer of added) {
      for (const old of [...this.#consumers.values()]) {
        if (old !== consumer && old.kind === consumer.kind && !added.includes(old)) old.close();
      }
      if (consumer.kind === 'video') this.#videoProducerId = consumer.producerId;
    }
    const tracks = [...this.#consumers.values()].map((c) => c.track);
    const current = this.#stream?.getTracks() ?? [];
    if (tracks.length !== current.length || tracks.some((t) => !current.includes(t))) {
      // A fresh stream rather than add/removeTrack: every browser reloads the element for it.
      this.#stream = new MediaStream(tracks);
      video.srcObject = this.#stream;
    }
    this.#attachedAt = performance.now();
    playVideo(video, this.#opts.hooks);
  }

  async #request<N extends SfuRequestName>(name: N, body: SfuRequestBody<N>): Promise<SfuResponses[N]> {
    const sfu = this.#sfu;
    if (!sfu || this.#closed) throw new ViewerFailure('SFU_UNREACHABLE', `${name}: session closed`);
    try {
      return await sfu.request(name, body);
    } catch (err) {
      if (!(err instanceof ClientError)) throw err;
      switch (err.code) {
        case 'TIMEOUT':
          throw new ViewerFailure('SIGNALLING_TIMEOUT', `${name}: no answer in ${REQUEST_TIMEOUT_MS} ms`);
        case 'NETWORK_UNREACHABLE':
        case 'NOT_SIGNED_IN':
          throw new ViewerFailure('SFU_UNREACHABLE', err.message);
        case 'BAD_RESPONSE':
          throw new ViewerFailure('INTERNAL', `${name}: malformed answer`);
        default:
          throw new ViewerFailure(err.code, err.message);
      }
    }
  }

  async #token(): Promise<string> {
    return (await this.#grants.usable()).token;
  }

  #fail(err: unknown): void {
    this.#report({ kind: 'error', error: toViewerError(err) });
  }

  #report(trouble: Trouble): void {
    if (this.#closed) return;
    this.#opts.hooks.trouble(trouble);
  }
}
