import type {
  ConsumerParameters,
  DtlsFingerprint,
  IceCandidate,
  RtpCapabilities,
  RtpCodecParameters,
  TransportParameters,
} from './mediasoupTypes.js';

/**
 * Pure SDP glue between mediasoup's consumer-side parameters and a WebRTC stack that only speaks
 * SDP (libdatachannel here). The sfu is the offerer, as mediasoup-client's RemoteSdp makes it for
 * a recv transport: one sendonly m-section per consumer, BUNDLEd, with `a=ice-lite` (mediasoup's
 * WebRtcTransports are ICE-lite, so the viewer is the controlling agent) and `a=setup:actpass`,
 * leaving the viewer free to pick its DTLS role in the answer.
 */

export const TRANSPORT_CC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';

export interface RemoteOfferOptions {
  transport: TransportParameters;
  consumers: readonly ConsumerParameters[];
  /** Candidate protocols to offer; libdatachannel (libjuice) does ICE over UDP only. */
  candidateProtocols?: readonly ('udp' | 'tcp')[];
  /** o= session id; any number, fixed so the output is reproducible. */
  sessionId?: string;
}

export function buildRemoteOffer(opts: RemoteOfferOptions): string {
  const { transport, consumers } = opts;
  if (consumers.length === 0) throw new TypeError('a remote offer needs at least one consumer');
  const protocols = new Set(opts.candidateProtocols ?? ['udp', 'tcp']);
  const fingerprint = preferredFingerprint(transport.dtlsParameters.fingerprints);
  if (!fingerprint) throw new TypeError('the transport has no DTLS fingerprint');
  const mids = consumers.map((c, i) => c.rtpParameters.mid ?? String(i));
  if (new Set(mids).size !== mids.length) throw new TypeError(`duplicate mids in consumers: ${mids.join(' ')}`);

  const lines: string[] = [
    'v=0',
    `o=- ${opts.sessionId ?? '10000'} 1 IN IP4 0.0.0.0`,
    's=-',
    't=0 0',
    ...(transport.iceParameters.iceLite !== false ? ['a=ice-lite'] : []),
    `a=group:BUNDLE ${mids.join(' ')}`,
    'a=msid-semantic: WMS *',
    // mediasoup may send one- and two-byte header extensions.
    'a=extmap-allow-mixed',
    `a=fingerprint:${fingerprint.algorithm} ${fingerprint.value}`,
  ];
  consumers.forEach((consumer, i) => {
    lines.push(...mediaSection(consumer, mids[i] as string, transport, protocols));
  });
  return `${lines.join('\r\n')}\r\n`;
}

function mediaSection(
  consumer: ConsumerParameters,
  mid: string,
  transport: TransportParameters,
  protocols: ReadonlySet<string>,
): string[] {
  const { rtpParameters } = consumer;
  const payloads = rtpParameters.codecs.map((c) => c.payloadType);
  const lines = [
    `m=${consumer.kind} 7 UDP/TLS/RTP/SAVPF ${payloads.join(' ')}`,
    'c=IN IP4 127.0.0.1',
    `a=mid:${mid}`,
    'a=sendonly',
    `a=ice-ufrag:${transport.iceParameters.usernameFragment}`,
    `a=ice-pwd:${transport.iceParameters.password}`,
    'a=ice-options:renomination',
  ];
  for (const candidate of transport.iceCandidates) {
    if (protocols.has(candidate.protocol)) lines.push(`a=${candidateLine(candidate)}`);
  }
  lines.push('a=end-of-candidates', 'a=setup:actpass', 'a=rtcp-mux', 'a=rtcp-rsize');
  for (const codec of rtpParameters.codecs) lines.push(...codecLines(codec));
  for (const ext of rtpParameters.headerExtensions ?? []) lines.push(`a=extmap:${ext.id} ${ext.uri}`);

  const cname = rtpParameters.rtcp?.cname;
  const encoding = rtpParameters.encodings?.[0];
  const streamId = cname ?? `stream-${consumer.producerId}`;
  lines.push(`a=msid:${streamId} ${consumer.id}`);
  const ssrc = encoding?.ssrc;
  const rtxSsrc = encoding?.rtx?.ssrc;
  if (ssrc !== undefined && rtxSsrc !== undefined) lines.push(`a=ssrc-group:FID ${ssrc} ${rtxSsrc}`);
  for (const id of [ssrc, rtxSsrc]) {
    if (id === undefined) continue;
    if (cname) lines.push(`a=ssrc:${id} cname:${cname}`);
    lines.push(`a=ssrc:${id} msid:${streamId} ${consumer.id}`);
  }
  return lines;
}

/** sha-256 when offered (what every WebRTC stack checks), else mediasoup-client's choice, the last. */
export function preferredFingerprint(fingerprints: readonly DtlsFingerprint[]): DtlsFingerprint | undefined {
  return fingerprints.find((f) => f.algorithm.toLowerCase() === 'sha-256') ?? fingerprints.at(-1);
}

export function candidateLine(candidate: IceCandidate): string {
  const address = candidate.address ?? candidate.ip;
  if (!address) throw new TypeError(`ICE candidate ${candidate.foundation} has no address`);
  // mediasoup mandates rtcp-mux, so every candidate is component 1 (RTP).
  const parts = [
    `candidate:${candidate.foundation}`,
    '1',
    candidate.protocol,
    String(candidate.priority),
    address,
    String(candidate.port),
    'typ',
    candidate.type,
  ];
  if (candidate.tcpType) parts.push('tcptype', candidate.tcpType);
  return parts.join(' ');
}

function codecLines(codec: RtpCodecParameters): string[] {
  const match = /^(audio|video)\/(.+)$/i.exec(codec.mimeType);
  if (!match) throw new TypeError(`invalid codec mimeType ${codec.mimeType}`);
  const name = match[2] as string;
  const channels = codec.channels && codec.channels > 1 ? `/${codec.channels}` : '';
  const lines = [`a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${channels}`];
  const params = Object.entries(codec.parameters ?? {});
  if (params.length > 0) lines.push(`a=fmtp:${codec.payloadType} ${params.map(([k, v]) => `${k}=${v}`).join(';')}`);
  for (const fb of codec.rtcpFeedback ?? []) {
    lines.push(`a=rtcp-fb:${codec.payloadType} ${fb.type}${fb.parameter ? ` ${fb.parameter}` : ''}`);
  }
  return lines;
}

/**
 * What a viewer that never decodes can honestly receive: every codec and header extension the
 * router offers, minus transport-wide congestion control, whose per-packet feedback libdatachannel
 * does not generate (without it mediasoup falls back to REMB, which libdatachannel's
 * RtcpReceivingSession does send). Extensions mediasoup only receives, and its internal ones
 * (`urn:mediasoup:…`, which no browser offers), are left out.
 */
export function viewerRtpCapabilities(router: RtpCapabilities): RtpCapabilities {
  return {
    codecs: (router.codecs ?? []).map((codec) => ({
      ...codec,
      rtcpFeedback: (codec.rtcpFeedback ?? []).filter((fb) => fb.type !== 'transport-cc'),
    })),
    headerExtensions: (router.headerExtensions ?? []).filter(
      (ext) =>
        ext.uri !== TRANSPORT_CC_URI &&
        !ext.uri.startsWith('urn:mediasoup:') &&
        (ext.direction === undefined || ext.direction === 'sendrecv' || ext.direction === 'sendonly'),
    ),
  };
}

export interface LocalAnswer {
  fingerprint: DtlsFingerprint;
  /** The viewer's DTLS role as the answer states it: `active` is client, `passive` server. */
  dtlsRole: 'client' | 'server';
}

/** Reads the DTLS fingerprint and role the local WebRTC stack put in its answer. */
export function parseLocalAnswer(sdp: string): LocalAnswer {
  const fingerprintMatch = /^a=fingerprint:(\S+) (\S+)\s*$/m.exec(sdp);
  if (!fingerprintMatch) throw new TypeError('the local answer has no a=fingerprint');
  const setup = /^a=setup:(\S+)\s*$/m.exec(sdp)?.[1];
  let dtlsRole: LocalAnswer['dtlsRole'];
  switch (setup) {
    case 'active':
    case undefined:
      // RFC 5763: an answerer that says nothing is active.
      dtlsRole = 'client';
      break;
    case 'passive':
      dtlsRole = 'server';
      break;
    default:
      throw new TypeError(`the local answer has a=setup:${setup}, which an answer cannot have`);
  }
  return {
    fingerprint: { algorithm: (fingerprintMatch[1] as string).toLowerCase(), value: fingerprintMatch[2] as string },
    dtlsRole,
  };
}
