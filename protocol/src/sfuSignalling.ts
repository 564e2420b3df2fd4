import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { ErrorBody } from './errors.js';

/**
 * The sfu's signalling contract over socket.io. Every request carries a stream token (checked on
 * every call, not only at connect) and is answered through the socket.io acknowledgement with a
 * `SfuAck`. Media objects (rtpParameters, dtlsParameters...) are checked here for shape and size;
 * mediasoup checks their meaning and a failure there becomes MEDIA_BAD_PARAMETERS.
 *
 * A socket belongs to the subject of the first token it presents: a token of another subject on
 * it is refused (STREAM_TOKEN_WRONG_SUBJECT), and a subject holds a bounded number of sockets and
 * WebRTC transports (STREAM_LIMIT_REACHED).
 */

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });
export const TableId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9-]*$' });
const Token = Type.String({ minLength: 1, maxLength: 4096 });
/** An opaque JSON object owned by mediasoup, bounded so it cannot be used to exhaust memory. */
const MediaObject = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 32 });

export const DtlsParameters = Type.Object(
  {
    role: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('client'), Type.Literal('server')])),
    fingerprints: Type.Array(
      Type.Object({
        algorithm: Type.String({ maxLength: 16 }),
        value: Type.String({ maxLength: 256 }),
      }),
      { minItems: 1, maxItems: 8 },
    ),
  },
  { additionalProperties: false },
);

export const RtpCapabilities = Type.Object(
  {
    codecs: Type.Optional(Type.Array(MediaObject, { maxItems: 64 })),
    headerExtensions: Type.Optional(Type.Array(MediaObject, { maxItems: 64 })),
  },
  { additionalProperties: false },
);

export const RtpParameters = Type.Object(
  {
    mid: Type.Optional(Type.String({ maxLength: 32 })),
    codecs: Type.Array(MediaObject, { minItems: 1, maxItems: 16 }),
    headerExtensions: Type.Optional(Type.Array(MediaObject, { maxItems: 32 })),
    encodings: Type.Optional(Type.Array(MediaObject, { maxItems: 8 })),
    rtcp: Type.Optional(MediaObject),
  },
  { additionalProperties: false },
);

export const MediaKind = Type.Union([Type.Literal('audio'), Type.Literal('video')]);

/** A dotted-quad IPv4 address (each part 0-255). */
export const Ipv4Address = Type.String({
  maxLength: 15,
  pattern: '^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$',
});

export const SfuRequests = {
  /** Viewer or publisher joins a table: gets the router capabilities of its router. */
  join: Type.Object({ token: Token, tableId: TableId }, { additionalProperties: false }),
  createTransport: Type.Object(
    {
      token: Token,
      tableId: TableId,
      direction: Type.Union([Type.Literal('send'), Type.Literal('recv')]),
    },
    { additionalProperties: false },
  ),
  connectTransport: Type.Object(
    { token: Token, tableId: TableId, transportId: Id, dtlsParameters: DtlsParameters },
    { additionalProperties: false },
  ),
  /** Consume every producer of the table on a recv transport; consumers start paused. */
  consume: Type.Object(
    { token: Token, tableId: TableId, transportId: Id, rtpCapabilities: RtpCapabilities },
    { additionalProperties: false },
  ),
  resumeConsumer: Type.Object({ token: Token, tableId: TableId, consumerId: Id }, { additionalProperties: false }),
  /**
   * Hands the sfu a fresh token for a joined table (same subject, table and role) before the
   * current one expires. The peer keeps its transports and consumers; without a refresh the sfu
   * closes them when the token expires and sends `tokenExpired`.
   */
  refreshToken: Type.Object({ token: Token, tableId: TableId }, { additionalProperties: false }),
  /** WebRTC publisher (dealer console camera). */
  produce: Type.Object(
    { token: Token, tableId: TableId, transportId: Id, kind: MediaKind, rtpParameters: RtpParameters },
    { additionalProperties: false },
  ),
  /**
   * RTP ingest from an encoder (hardware, ffmpeg, the table simulator): the sfu opens a
   * PlainTransport (comedia, rtcp-mux) and a producer with the given parameters, and answers the
   * address to send to. Calling it again for the same source replaces the previous ingest.
   */
  publishRtp: Type.Object(
    {
      token: Token,
      tableId: TableId,
      source: Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z0-9-]+$' }),
      kind: MediaKind,
      rtpParameters: RtpParameters,
      /**
       * RTCP on the RTP port (the default, as WebRTC does). Encoders that send RTCP from another
       * socket than RTP (ffmpeg's rtp muxer does) need it off and get an `rtcpPort`.
       */
      rtcpMux: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  /**
   * A machine consumer (the vision worker) takes the table's video as plain RTP: the sfu opens a
   * PlainTransport (rtcp-mux, RTCP sender reports included) sending to `ip:port`, with a consumer
   * that stays paused until `resumeEgress`. Only loopback addresses unless the sfu allows others
   * (EGRESS_ADDRESS_FORBIDDEN); a bounded number per table (EGRESS_LIMIT_REACHED). Needs an
   * `egress` token; the egress closes with the socket.
   */
  openEgress: Type.Object(
    {
      token: Token,
      tableId: TableId,
      ip: Ipv4Address,
      port: Type.Integer({ minimum: 1024, maximum: 65535 }),
    },
    { additionalProperties: false },
  ),
  /** Starts the egress's RTP flowing, beginning with a keyframe (the sfu asks the studio for one). */
  resumeEgress: Type.Object({ token: Token, tableId: TableId, egressId: Id }, { additionalProperties: false }),
  /** A keyframe for a decoder that restarted or lost packets (RTCP PLI toward the studio). */
  requestKeyFrame: Type.Object({ token: Token, tableId: TableId, egressId: Id }, { additionalProperties: false }),
  closeEgress: Type.Object({ token: Token, tableId: TableId, egressId: Id }, { additionalProperties: false }),
} as const;

export type SfuRequestName = keyof typeof SfuRequests;
export type SfuRequest<N extends SfuRequestName> = Static<(typeof SfuRequests)[N]>;

/**
 * RFC 3550 6.4.1 mapping of a producer's RTP clock onto the studio clock, learned by the sfu from
 * the publisher's RTCP sender reports. Because the sfu forwards RTP timestamps unchanged, a viewer
 * turns the `rtpTimestamp` of the frame on screen into its studio capture time with it.
 */
export interface StudioClockMapping {
  producerId: string;
  rtpTimestamp: number;
  studioTimeMs: number;
  clockRate: number;
}

export interface TransportInfo {
  id: string;
  iceParameters: unknown;
  iceCandidates: unknown[];
  dtlsParameters: unknown;
}

export interface ConsumerInfo {
  id: string;
  producerId: string;
  kind: 'audio' | 'video';
  rtpParameters: unknown;
  clock: StudioClockMapping | null;
}

/** What an egress receiver needs to read the RTP it is sent. */
export interface EgressInfo {
  egressId: string;
  /** The origin producer (clock mappings in `studioClock` events are keyed by it). */
  producerId: string;
  kind: 'video';
  mimeType: string;
  payloadType: number;
  ssrc: number;
  clockRate: number;
  /** The consumer's full mediasoup rtpParameters, for receivers that need more (header extensions). */
  rtpParameters: unknown;
  /** Where the sfu sends from (and takes RTCP from): receivers may ignore packets from anywhere else. */
  source: { ip: string; port: number };
  /** The current RTP→studio-time mapping, or null until the studio's first sender report. */
  clock: StudioClockMapping | null;
}

export interface SfuResponses {
  join: { routerRtpCapabilities: unknown; role: 'view' | 'publish' };
  createTransport: TransportInfo;
  connectTransport: Record<string, never>;
  consume: { consumers: ConsumerInfo[] };
  resumeConsumer: Record<string, never>;
  /** Unix ms until which the peer is now held. */
  refreshToken: { expiresAt: number };
  produce: { producerId: string };
  publishRtp: { producerId: string; ip: string; port: number; rtcpPort?: number };
  openEgress: EgressInfo;
  resumeEgress: Record<string, never>;
  requestKeyFrame: Record<string, never>;
  closeEgress: Record<string, never>;
}

export type SfuAck<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

export type SfuClientToServer = {
  [N in SfuRequestName]: (req: SfuRequest<N>, ack: (res: SfuAck<SfuResponses[N]>) => void) => void;
};

export interface SfuServerToClient {
  /** New RTP→studio-time mapping for a producer of a table the client consumes. */
  studioClock: (mapping: StudioClockMapping & { tableId: string }) => void;
  /** The table's media was rebuilt (worker died, publisher replaced): join again. */
  mediaReset: (ev: { tableId: string; reason: string }) => void;
  producerAdded: (ev: { tableId: string; producerId: string; kind: 'audio' | 'video' }) => void;
  /**
   * The peer's token expired unrefreshed: its transports and consumers are closed. Fetch a new
   * grant and join again.
   */
  tokenExpired: (ev: { tableId: string }) => void;
  /** An egress of this socket closed (its producer or router went away): open a new one. */
  egressClosed: (ev: { tableId: string; egressId: string; reason: string }) => void;
}

export type StaticOf<T extends TSchema> = Static<T>;
