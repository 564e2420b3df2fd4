import nodeDataChannel from 'node-datachannel';
import * as sdpTransform from 'sdp-transform';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConsumerParameters, RtpCapabilities, TransportParameters } from '../src/viewers/mediasoupTypes.js';
import {
  buildRemoteOffer,
  candidateLine,
  parseLocalAnswer,
  preferredFingerprint,
  TRANSPORT_CC_URI,
  viewerRtpCapabilities,
} from '../src/viewers/remoteOffer.js';

/** What mediasoup 3.27 answered for a recv transport and a VP8 consumer (trimmed). */
const TRANSPORT: TransportParameters = {
  id: '1c5bea1c-83fe-4a28-a217-bfd31709b4d9',
  iceParameters: { usernameFragment: 'x0mnh7cujf2irl8a', password: 'rkuhkayb5ziajph4w6xq97kasx3ulojg', iceLite: true },
  iceCandidates: [
    {
      foundation: 'udpcandidate',
      priority: 1076302079,
      ip: '127.0.0.1',
      address: '127.0.0.1',
      protocol: 'udp',
      port: 45501,
      type: 'host',
    },
    {
      foundation: 'tcpcandidate',
      priority: 1076276479,
      ip: '127.0.0.1',
      address: '127.0.0.1',
      protocol: 'tcp',
      port: 46162,
      type: 'host',
      tcpType: 'passive',
    },
  ],
  dtlsParameters: {
    role: 'auto',
    fingerprints: [
      { algorithm: 'sha-512', value: 'A6:E5' },
      {
        algorithm: 'sha-256',
        value: '65:74:78:3F:8D:D0:85:0C:11:83:96:BB:D0:47:03:FD:7F:DD:D0:B5:40:AF:08:52:CE:EA:AA:1A:D2:55:0E:C2',
      },
      { algorithm: 'sha-1', value: '36:EF:34:37:6B:F5:8D:13:1B:5F:55:79:88:85:AD:C2:3E:2D:0F:FA' },
    ],
  },
};

const VP8_CONSUMER: ConsumerParameters = {
  id: 'cfcd5c66-62d2-41bc-9695-6664f02007a2',
  producerId: 'fa483346-d260-4386-bc0c-4c140447eb0b',
  kind: 'video',
  rtpParameters: {
    mid: '0',
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: 101,
        clockRate: 90000,
        parameters: {},
        rtcpFeedback: [
          { type: 'nack', parameter: '' },
          { type: 'nack', parameter: 'pli' },
          { type: 'ccm', parameter: 'fir' },
          { type: 'goog-remb', parameter: '' },
        ],
      },
      { mimeType: 'video/rtx', payloadType: 102, clockRate: 90000, parameters: { apt: 101 }, rtcpFeedback: [] },
    ],
    headerExtensions: [
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 },
      { uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', id: 4 },
      { uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time', id: 10 },
    ],
    encodings: [{ ssrc: 299304253, rtx: { ssrc: 299304254 } }],
    rtcp: { cname: 'roulette-1-camera-1', reducedSize: true },
  },
};

const OPUS_CONSUMER: ConsumerParameters = {
  id: 'a1',
  producerId: 'p2',
  kind: 'audio',
  rtpParameters: {
    mid: '1',
    codecs: [
      {
        mimeType: 'audio/opus',
        payloadType: 100,
        clockRate: 48000,
        channels: 2,
        parameters: { minptime: 10, useinbandfec: 1 },
        rtcpFeedback: [{ type: 'transport-cc' }],
      },
    ],
    headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: 10 }],
    encodings: [{ ssrc: 5555 }],
    rtcp: { cname: 'roulette-1-sound' },
  },
};

describe('buildRemoteOffer', () => {
  it('writes the sfu side of a recv transport as mediasoup-client does', () => {
    const sdp = buildRemoteOffer({ transport: TRANSPORT, consumers: [VP8_CONSUMER] });
    expect(sdp).toBe(
      [
        'v=0',
        'o=- 10000 1 IN IP4 0.0.0.0',
        's=-',
        't=0 0',
        'a=ice-lite',
        'a=group:BUNDLE 0',
        'a=msid-semantic: WMS *',
        'a=extmap-allow-mixed',
        'a=fingerprint:sha-256 65:74:78:3F:8D:D0:85:0C:11:83:96:BB:D0:47:03:FD:7F:DD:D0:B5:40:AF:08:52:CE:EA:AA:1A:D2:55:0E:C2',
        'm=video 7 UDP/TLS/RTP/SAVPF 101 102',
        'c=IN IP4 127.0.0.1',
        'a=mid:0',
        'a=sendonly',
        'a=ice-ufrag:x0mnh7cujf2irl8a',
        'a=ice-pwd:rkuhkayb5ziajph4w6xq97kasx3ulojg',
        'a=ice-options:renomination',
        'a=candidate:udpcandidate 1 udp 1076302079 127.0.0.1 45501 typ host',
        'a=candidate:tcpcandidate 1 tcp 1076276479 127.0.0.1 46162 typ host tcptype passive',
        'a=end-of-candidates',
        'a=setup:actpass',
        'a=rtcp-mux',
        'a=rtcp-rsize',
        'a=rtpmap:101 VP8/90000',
        'a=rtcp-fb:101 nack',
        'a=rtcp-fb:101 nack pli',
        'a=rtcp-fb:101 ccm fir',
        'a=rtcp-fb:101 goog-remb',
        'a=rtpmap:102 rtx/90000',
        'a=fmtp:102 apt=101',
        'a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid',
        'a=extmap:4 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
        'a=extmap:10 http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time',
        'a=msid:roulette-1-camera-1 cfcd5c66-62d2-41bc-9695-6664f02007a2',
        'a=ssrc-group:FID 299304253 299304254',
        'a=ssrc:299304253 cname:roulette-1-camera-1',
        'a=ssrc:299304253 msid:roulette-1-camera-1 cfcd5c66-62d2-41bc-9695-6664f02007a2',
        'a=ssrc:299304254 cname:roulette-1-camera-1',
        'a=ssrc:299304254 msid:roulette-1-camera-1 cfcd5c66-62d2-41bc-9695-6664f02007a2',
        '',
      ].join('\r\n'),
    );
  });

  it('parses back (sdp-transform) to the same parameters, one bundled m-section per consumer', () => {
    const sdp = buildRemoteOffer({ transport: TRANSPORT, consumers: [VP8_CONSUMER, OPUS_CONSUMER] });
    const parsed = sdpTransform.parse(sdp);
    expect(parsed.icelite).toBe('ice-lite');
    expect(parsed.groups).toEqual([{ type: 'BUNDLE', mids: '0 1' }]);
    expect(parsed.media.map((m) => [m.type, String(m.mid), m.direction, m.setup])).toEqual([
      ['video', '0', 'sendonly', 'actpass'],
      ['audio', '1', 'sendonly', 'actpass'],
    ]);
    const [video, audio] = parsed.media;
    expect(video?.rtp).toEqual([
      { payload: 101, codec: 'VP8', rate: 90000 },
      { payload: 102, codec: 'rtx', rate: 90000 },
    ]);
    expect(video?.ssrcGroups).toEqual([{ semantics: 'FID', ssrcs: '299304253 299304254' }]);
    expect(new Set(video?.ssrcs?.map((s) => s.id))).toEqual(new Set([299304253, 299304254]));
    expect(video?.ext?.map((e) => e.value)).toEqual([1, 4, 10]);
    expect(audio?.rtp).toEqual([{ payload: 100, codec: 'opus', rate: 48000, encoding: 2 }]);
    expect(audio?.fmtp).toEqual([{ payload: 100, config: 'minptime=10;useinbandfec=1' }]);
    expect(audio?.rtcpFb).toEqual([{ payload: 100, type: 'transport-cc' }]);
    expect(audio?.ssrcGroups ?? []).toEqual([]);
    for (const m of parsed.media) {
      expect(m.iceUfrag).toBe(TRANSPORT.iceParameters.usernameFragment);
      expect(m.candidates).toHaveLength(2);
      expect(m.rtcpMux).toBe('rtcp-mux');
    }
  });

  it('offers only the candidate protocols asked for', () => {
    const sdp = buildRemoteOffer({ transport: TRANSPORT, consumers: [VP8_CONSUMER], candidateProtocols: ['udp'] });
    const candidates = sdpTransform.parse(sdp).media[0]?.candidates ?? [];
    expect(candidates.map((c) => c.transport)).toEqual(['udp']);
  });

  it('leaves ice-lite out only when mediasoup says it is not lite', () => {
    const full = { ...TRANSPORT, iceParameters: { ...TRANSPORT.iceParameters, iceLite: false } };
    expect(buildRemoteOffer({ transport: full, consumers: [VP8_CONSUMER] })).not.toContain('a=ice-lite');
  });

  it('numbers m-sections itself when consumers come without a mid', () => {
    const noMid = (c: ConsumerParameters): ConsumerParameters => {
      const { mid: _mid, ...rtpParameters } = c.rtpParameters;
      return { ...c, rtpParameters };
    };
    const sdp = buildRemoteOffer({ transport: TRANSPORT, consumers: [noMid(VP8_CONSUMER), noMid(OPUS_CONSUMER)] });
    expect(sdp).toContain('a=group:BUNDLE 0 1');
  });

  it('refuses what cannot make an offer', () => {
    expect(() => buildRemoteOffer({ transport: TRANSPORT, consumers: [] })).toThrow(/at least one consumer/);
    expect(() => buildRemoteOffer({ transport: TRANSPORT, consumers: [VP8_CONSUMER, VP8_CONSUMER] })).toThrow(
      /duplicate mids/,
    );
    const noFingerprint = { ...TRANSPORT, dtlsParameters: { fingerprints: [] } };
    expect(() => buildRemoteOffer({ transport: noFingerprint, consumers: [VP8_CONSUMER] })).toThrow(/fingerprint/);
    const badCodec = {
      ...VP8_CONSUMER,
      rtpParameters: {
        ...VP8_CONSUMER.rtpParameters,
        codecs: [{ mimeType: 'VP8', payloadType: 96, clockRate: 90000 }],
      },
    };
    expect(() => buildRemoteOffer({ transport: TRANSPORT, consumers: [badCodec] })).toThrow(/mimeType/);
  });

  it('is accepted by libdatachannel, which answers recvonly as the DTLS client', () => {
    const pc = new nodeDataChannel.PeerConnection('sdp-test', { iceServers: [] });
    try {
      pc.setRemoteDescription(buildRemoteOffer({ transport: TRANSPORT, consumers: [VP8_CONSUMER] }), 'offer');
      const answer = pc.localDescription();
      expect(answer?.type).toBe('answer');
      const media = sdpTransform.parse(answer?.sdp ?? '').media;
      expect(media.map((m) => [m.type, String(m.mid), m.direction])).toEqual([['video', '0', 'recvonly']]);
      expect(parseLocalAnswer(answer?.sdp ?? '').dtlsRole).toBe('client');
    } finally {
      pc.close();
    }
  });
});

afterAll(() => nodeDataChannel.cleanup());

describe('candidateLine', () => {
  it('takes the old `ip` field when `address` is missing', () => {
    const { address: _a, ...old } = TRANSPORT.iceCandidates[0] as TransportParameters['iceCandidates'][number];
    expect(candidateLine(old)).toBe('candidate:udpcandidate 1 udp 1076302079 127.0.0.1 45501 typ host');
    expect(() => candidateLine({ ...old, ip: undefined })).toThrow(/no address/);
  });
});

describe('preferredFingerprint', () => {
  it('picks sha-256, else the last one', () => {
    expect(preferredFingerprint(TRANSPORT.dtlsParameters.fingerprints)?.algorithm).toBe('sha-256');
    expect(
      preferredFingerprint([
        { algorithm: 'sha-512', value: 'a' },
        { algorithm: 'sha-1', value: 'b' },
      ]),
    ).toEqual({
      algorithm: 'sha-1',
      value: 'b',
    });
    expect(preferredFingerprint([])).toBeUndefined();
  });
});

describe('parseLocalAnswer', () => {
  const answer = (setup: string | null): string =>
    [
      'v=0',
      'a=fingerprint:SHA-256 AB:CD:EF',
      'm=video 9 UDP/TLS/RTP/SAVPF 101',
      ...(setup ? [`a=setup:${setup}`] : []),
    ].join('\r\n');

  it('maps a=setup to the DTLS role mediasoup must be told', () => {
    expect(parseLocalAnswer(answer('active'))).toEqual({
      fingerprint: { algorithm: 'sha-256', value: 'AB:CD:EF' },
      dtlsRole: 'client',
    });
    expect(parseLocalAnswer(answer('passive')).dtlsRole).toBe('server');
    expect(parseLocalAnswer(answer(null)).dtlsRole).toBe('client');
  });

  it('refuses an answer without fingerprint or with actpass', () => {
    expect(() => parseLocalAnswer('v=0\r\na=setup:active\r\n')).toThrow(/fingerprint/);
    expect(() => parseLocalAnswer(answer('actpass'))).toThrow(/actpass/);
  });
});

describe('viewerRtpCapabilities', () => {
  const router: RtpCapabilities = {
    codecs: [
      {
        kind: 'video',
        mimeType: 'video/VP8',
        preferredPayloadType: 101,
        clockRate: 90000,
        rtcpFeedback: [{ type: 'nack' }, { type: 'transport-cc' }, { type: 'goog-remb' }],
      },
      { kind: 'video', mimeType: 'video/rtx', preferredPayloadType: 102, clockRate: 90000, parameters: { apt: 101 } },
    ],
    headerExtensions: [
      { kind: 'video', uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', preferredId: 1, direction: 'sendrecv' },
      { kind: 'video', uri: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id', preferredId: 2, direction: 'recvonly' },
      { kind: 'video', uri: TRANSPORT_CC_URI, preferredId: 5, direction: 'sendrecv' },
      { kind: 'video', uri: 'urn:mediasoup:params:rtp-hdrext:packet-id', preferredId: 12, direction: 'sendrecv' },
      { kind: 'video', uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time', preferredId: 10 },
    ],
  };

  it('drops transport-cc, receive-only and mediasoup-internal extensions, keeps the codecs', () => {
    const caps = viewerRtpCapabilities(router);
    expect(caps.codecs?.map((c) => c.mimeType)).toEqual(['video/VP8', 'video/rtx']);
    expect(caps.codecs?.[0]?.rtcpFeedback).toEqual([{ type: 'nack' }, { type: 'goog-remb' }]);
    expect(caps.headerExtensions?.map((e) => e.preferredId)).toEqual([1, 10]);
  });
});
