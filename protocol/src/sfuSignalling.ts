import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { ErrorBody } from './errors.js';

/**
 * The sfu's signalling contract over socket.io. Every request carries a stream token (checked on
 * every call, not only at connect) and is answered through the socket.io acknowledgement with a
 * `SfuAck`. Media objects (rtpParameters, dtlsParameters...) are checked here for shape and size;
 * mediasoup checks their meaning and a failure there becomes MEDIA_BAD_PARAMETERS.
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

export interface SfuResponses {
  join: { routerRtpCapabilities: unknown; role: 'view' | 'publish' };
  createTransport: TransportInfo;
  connectTransport: Record<string, never>;
  consume: { consumers: ConsumerInfo[] };
  resumeConsumer: Record<string, never>;
  produce: { producerId: string };
  publishRtp: { producerId: string; ip: string; port: number; rtcpPort?: number };
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
}

export type StaticOf<T extends TSchema> = Static<T>;
