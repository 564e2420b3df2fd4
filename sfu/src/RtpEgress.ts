import { EventEmitter } from 'node:events';
import type { EgressInfo, StudioClockMapping } from '@live-casino/protocol';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';

export interface RtpEgressOptions {
  /** The socket (or other owner) the egress belongs to; it closes with it. */
  ownerId: string;
  router: ms.Router;
  producer: ms.Producer;
  /** Where RTP (and RTCP, muxed) goes. */
  target: { ip: string; port: number };
  /** Address the sfu sends from: loopback for loopback targets, the media address otherwise. */
  listenIp: string;
  announcedIp: string | undefined;
  log: Logger;
}

export type RtpEgressEvents = {
  /** The egress stopped (its owner closed it, or its producer, transport or router went away). */
  closed: [reason: string];
};

/**
 * The table's video as plain RTP toward a machine consumer (the vision worker's decoder): a
 * PlainTransport with rtcp-mux (the consumer's RTCP sender reports go along) connected to the
 * address the consumer gave, and a consumer of the origin producer, paused until `resume()`.
 * mediasoup forwards RTP timestamps unchanged, so the studio clock mapping of the producer holds.
 */
export class RtpEgress extends EventEmitter<RtpEgressEvents> {
  readonly ownerId: string;
  readonly #transport: ms.PlainTransport;
  readonly #consumer: ms.Consumer;
  readonly #producerId: string;
  readonly #log: Logger;
  #closed = false;

  private constructor(opts: RtpEgressOptions, transport: ms.PlainTransport, consumer: ms.Consumer) {
    super();
    this.ownerId = opts.ownerId;
    this.#transport = transport;
    this.#consumer = consumer;
    this.#producerId = opts.producer.id;
    this.#log = opts.log.child({ component: 'egress', egressId: transport.id });
  }

  static async create(opts: RtpEgressOptions): Promise<RtpEgress> {
    const transport = await opts.router.createPlainTransport({
      listenInfo: {
        protocol: 'udp',
        ip: opts.listenIp,
        ...(opts.announcedIp ? { announcedAddress: opts.announcedIp } : {}),
      },
      rtcpMux: true,
      comedia: false,
      appData: { role: 'egress', ownerId: opts.ownerId },
    });
    let consumer: ms.Consumer;
    try {
      await transport.connect({ ip: opts.target.ip, port: opts.target.port });
      consumer = await transport.consume({
        producerId: opts.producer.id,
        rtpCapabilities: opts.router.rtpCapabilities,
        paused: true,
        appData: { role: 'egress', ownerId: opts.ownerId },
      });
    } catch (err) {
      transport.close();
      throw err;
    }
    const egress = new RtpEgress(opts, transport, consumer);
    // Whichever of these fires first closes it; the reason names what went away.
    const why = (): string =>
      opts.router.closed
        ? 'the table media was rebuilt (its router closed)'
        : opts.producer.closed
          ? 'the table video stopped (its producer closed)'
          : 'the egress transport closed';
    consumer.observer.once('close', () => egress.close(why()));
    transport.observer.once('close', () => egress.close(why()));
    egress.#log.info({ target: opts.target, producerId: opts.producer.id }, 'rtp egress opened');
    return egress;
  }

  get id(): string {
    return this.#transport.id;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get producerId(): string {
    return this.#producerId;
  }

  info(clock: StudioClockMapping | undefined): EgressInfo {
    const rtp = this.#consumer.rtpParameters;
    const codec = rtp.codecs[0]!;
    return {
      egressId: this.id,
      producerId: this.#producerId,
      kind: 'video',
      mimeType: codec.mimeType,
      payloadType: codec.payloadType,
      ssrc: rtp.encodings?.[0]?.ssrc ?? 0,
      clockRate: codec.clockRate,
      rtpParameters: rtp,
      source: { ip: this.#transport.tuple.localAddress, port: this.#transport.tuple.localPort },
      clock: clock ?? null,
    };
  }

  /** Starts the RTP; a keyframe is asked for so that a decoder can begin at once. */
  async resume(): Promise<void> {
    await this.#consumer.resume();
    await this.#consumer.requestKeyFrame();
  }

  async requestKeyFrame(): Promise<void> {
    await this.#consumer.requestKeyFrame();
  }

  close(reason = 'closed by its owner'): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#transport.closed) this.#transport.close();
    this.#log.info({ reason }, 'rtp egress closed');
    this.emit('closed', reason);
    this.removeAllListeners();
  }
}
