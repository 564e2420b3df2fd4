// End-to-end check of a mediasoup-worker binary with a REAL WebRTC peer
// (werift, a pure TypeScript WebRTC stack) on 127.0.0.1:
//
//   DirectTransport producer --> WebRtcTransport consumer --SRTP--> werift (recv)
//   werift (send) --SRTP--> WebRtcTransport producer --> DirectTransport consumer
//
// It checks that ICE connects, that the DTLS handshake completes
// (transport.dtlsState === 'connected'; this is where the kTLS BIO crash showed
// up), and that VP8 RTP flows both ways through SRTP (exercises the libsrtp2
// port of SrtpSession in both directions).
//
// runSrtpSuites() additionally pushes RTP through a pair of SRTP PlainTransports
// for each of the four crypto suites mediasoup supports (werift only negotiates
// one of them over DTLS).
//
// Shared by scripts/mediasoup-worker/smoke.mjs and sfu/test/workerBinary.test.ts.

import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// Resolve dependencies from the repository root (mediasoup and werift are
// installed there, this file lives outside any workspace).
const requireFromRoot = createRequire(path.join(here, '..', '..', 'package.json'));

const VP8_SSRC_SERVER_TO_CLIENT = 11111111;
const VP8_PAYLOAD = Buffer.from([
  // VP8 payload descriptor: S=1, PID=0.
  0x10,
  // VP8 payload header: P=0 (key frame) + size bits, then start code and 64x48.
  0x00,
  0x00,
  0x00,
  0x9d,
  0x01,
  0x2a,
  0x40,
  0x00,
  0x30,
  0x00,
  ...Array.from({ length: 64 }, (_, i) => i & 0xff),
]);

function rtpPacket({ payloadType, ssrc, seq, timestamp }) {
  const header = Buffer.alloc(12);
  header[0] = 0x80; // V=2
  header[1] = 0x80 | (payloadType & 0x7f); // marker + PT
  header.writeUInt16BE(seq & 0xffff, 2);
  header.writeUInt32BE(timestamp >>> 0, 4);
  header.writeUInt32BE(ssrc >>> 0, 8);
  return Buffer.concat([header, VP8_PAYLOAD]);
}

function rtpPayload(buf) {
  if (buf.length < 12) return Buffer.alloc(0);
  const cc = buf[0] & 0x0f;
  const hasExt = (buf[0] & 0x10) !== 0;
  let off = 12 + cc * 4;
  if (hasExt) off += 4 + buf.readUInt16BE(off + 2) * 4;
  const padding = (buf[0] & 0x20) !== 0 ? buf[buf.length - 1] : 0;
  return buf.subarray(off, buf.length - padding);
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function mediaSections(sdp) {
  const parts = sdp.split(/\r?\n(?=m=)/);
  return { session: parts[0], media: parts.slice(1) };
}

function buildOffer({ iceParameters, iceCandidates, dtlsParameters, payloadType, consumer }) {
  const fp = dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256');
  if (!fp) throw new Error('mediasoup returned no sha-256 DTLS fingerprint');
  const ssrc = consumer.rtpParameters.encodings[0].ssrc;
  const cname = consumer.rtpParameters.rtcp.cname;
  const candidates = iceCandidates.map(
    (c) => `a=candidate:${c.foundation} 1 ${c.protocol} ${c.priority} ${c.address} ${c.port} typ ${c.type}`,
  );
  const common = [
    'c=IN IP4 127.0.0.1',
    `a=ice-ufrag:${iceParameters.usernameFragment}`,
    `a=ice-pwd:${iceParameters.password}`,
    `a=fingerprint:sha-256 ${fp.value}`,
    'a=setup:actpass',
    'a=rtcp-mux',
    'a=rtcp-rsize',
    `a=rtpmap:${payloadType} VP8/90000`,
    `a=rtcp-fb:${payloadType} nack`,
    `a=rtcp-fb:${payloadType} nack pli`,
    `a=rtcp-fb:${payloadType} ccm fir`,
    ...candidates,
    'a=end-of-candidates',
  ];
  return [
    'v=0',
    'o=mediasoup-smoke 1 1 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=ice-lite',
    'a=group:BUNDLE 0 1',
    'a=msid-semantic: WMS *',
    // mid 0: server -> client (the consumer).
    `m=video 7 UDP/TLS/RTP/SAVPF ${payloadType}`,
    'a=mid:0',
    'a=sendonly',
    'a=msid:smoke-stream smoke-track',
    ...common,
    `a=ssrc:${ssrc} cname:${cname}`,
    // mid 1: client -> server (a producer on the WebRtcTransport).
    `m=video 7 UDP/TLS/RTP/SAVPF ${payloadType}`,
    'a=mid:1',
    'a=recvonly',
    ...common,
    '',
  ].join('\r\n');
}

/**
 * @param {{ workerBin: string, timeoutMs?: number, log?: (msg: string) => void }} options
 */
export async function runWebRtcLoopback({ workerBin, timeoutMs = 20000, log = () => {} }) {
  if (!workerBin) throw new Error('workerBin (MEDIASOUP_WORKER_BIN) is required');

  const mediasoup = requireFromRoot('mediasoup');
  const { RTCPeerConnection, RTCRtpCodecParameters, MediaStreamTrack, RtpPacket } = requireFromRoot('werift');

  const result = {
    workerPid: 0,
    iceState: '',
    dtlsState: '',
    clientConnectionState: '',
    rtpServerToClient: 0,
    rtpClientToServer: 0,
  };
  const cleanups = [];
  let workerDied;
  const died = new Promise((_, reject) => {
    workerDied = reject;
  });
  died.catch(() => {});
  const guard = (promise, what) => withTimeout(Promise.race([promise, died]), timeoutMs, what);

  try {
    const worker = await mediasoup.createWorker({ workerBin, logLevel: 'warn' });
    cleanups.push(() => worker.close());
    result.workerPid = worker.pid;
    worker.on('died', (error) => workerDied(new Error(`mediasoup-worker died: ${error}`)));
    log(`worker pid ${worker.pid} (${workerBin})`);

    const router = await worker.createRouter({
      mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }],
    });
    const vp8 = router.rtpCapabilities.codecs.find((c) => c.mimeType === 'video/VP8');
    const payloadType = vp8.preferredPayloadType;
    // Client capabilities: the router's, without RTX, to keep the SDP minimal.
    const clientCaps = {
      codecs: router.rtpCapabilities.codecs.filter((c) => c.mimeType !== 'video/rtx'),
      headerExtensions: [],
    };

    // Source of server -> client media.
    const direct = await router.createDirectTransport();
    const directProducer = await direct.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType, clockRate: 90000 }],
        encodings: [{ ssrc: VP8_SSRC_SERVER_TO_CLIENT }],
      },
    });

    const transport = await router.createWebRtcTransport({
      listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
    });
    const iceConnected = new Promise((resolve) => {
      transport.on('icestatechange', (s) => {
        log(`server ICE state: ${s}`);
        if (s === 'connected' || s === 'completed') resolve(s);
      });
    });
    const dtlsConnected = new Promise((resolve, reject) => {
      transport.on('dtlsstatechange', (s) => {
        log(`server DTLS state: ${s}`);
        if (s === 'connected') resolve(s);
        if (s === 'failed' || s === 'closed') reject(new Error(`server DTLS state ${s}`));
      });
    });

    const consumer = await transport.consume({
      producerId: directProducer.id,
      rtpCapabilities: clientCaps,
    });

    // --- werift peer -------------------------------------------------------
    const pc = new RTCPeerConnection({
      iceServers: [],
      iceUseIpv6: false,
      iceAdditionalHostAddresses: ['127.0.0.1'],
      codecs: {
        audio: [],
        video: [
          new RTCRtpCodecParameters({
            mimeType: 'video/VP8',
            clockRate: 90000,
            payloadType,
            rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
          }),
        ],
      },
    });
    cleanups.push(() => pc.close());
    const clientConnected = new Promise((resolve, reject) => {
      pc.connectionStateChange.subscribe((s) => {
        log(`client connection state: ${s}`);
        if (s === 'connected') resolve(s);
        if (s === 'failed') reject(new Error('werift connection failed'));
      });
    });

    let gotServerToClient;
    const serverToClient = new Promise((resolve) => {
      gotServerToClient = resolve;
    });
    pc.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp) => {
        if (rtp.header.ssrc !== consumer.rtpParameters.encodings[0].ssrc) return;
        if (!rtp.payload.equals(VP8_PAYLOAD)) return;
        result.rtpServerToClient++;
        gotServerToClient();
      });
    });

    const offer = buildOffer({
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
      payloadType,
      consumer,
    });
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });

    const sendTransceiver = pc.getTransceivers().find((t) => t.mid === '1');
    if (!sendTransceiver) throw new Error('werift did not create a transceiver for mid 1');
    const sendTrack = new MediaStreamTrack({ kind: 'video' });
    sendTransceiver.setDirection('sendonly');
    await sendTransceiver.sender.replaceTrack(sendTrack);

    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    const answerSdp = pc.localDescription.sdp;

    const fpMatch = answerSdp.match(/a=fingerprint:(\S+) (\S+)/);
    if (!fpMatch) throw new Error(`no fingerprint in werift answer:\n${answerSdp}`);
    const setup = answerSdp.match(/a=setup:(\S+)/)?.[1];
    const role = setup === 'passive' ? 'server' : 'client';
    await transport.connect({
      dtlsParameters: { role, fingerprints: [{ algorithm: fpMatch[1], value: fpMatch[2] }] },
    });
    log(`client is DTLS ${role} (a=setup:${setup})`);

    // The client's sending SSRC (mid 1).
    const mid1 = mediaSections(answerSdp).media.find((m) => /\r?\na=mid:1(\r?\n|$)/.test(m));
    const clientSsrc = Number(mid1?.match(/a=ssrc:(\d+) /)?.[1] ?? sendTransceiver.sender.ssrc);
    const serverProducer = await transport.produce({
      kind: 'video',
      rtpParameters: {
        mid: '1',
        codecs: [{ mimeType: 'video/VP8', payloadType, clockRate: 90000 }],
        encodings: [{ ssrc: clientSsrc }],
      },
    });
    const sink = await router.createDirectTransport();
    const sinkConsumer = await sink.consume({
      producerId: serverProducer.id,
      rtpCapabilities: clientCaps,
    });
    let gotClientToServer;
    const clientToServer = new Promise((resolve) => {
      gotClientToServer = resolve;
    });
    sinkConsumer.on('rtp', (buf) => {
      if (!rtpPayload(buf).equals(VP8_PAYLOAD)) return;
      result.rtpClientToServer++;
      gotClientToServer();
    });

    result.iceState = await guard(iceConnected, 'server ICE connected');
    result.dtlsState = await guard(dtlsConnected, 'server DTLS connected');
    result.clientConnectionState = await guard(clientConnected, 'werift connectionState connected');
    if (transport.dtlsState !== 'connected') {
      throw new Error(`transport.dtlsState is ${transport.dtlsState}`);
    }

    // Pump VP8 key frames both ways until each side has received one.
    let seq = 1;
    const pump = setInterval(() => {
      const ts = seq * 3000;
      directProducer.send(rtpPacket({ payloadType, ssrc: VP8_SSRC_SERVER_TO_CLIENT, seq, timestamp: ts }));
      sendTrack.writeRtp(RtpPacket.deSerialize(rtpPacket({ payloadType, ssrc: clientSsrc, seq, timestamp: ts })));
      seq++;
    }, 50);
    cleanups.push(() => clearInterval(pump));

    await guard(serverToClient, 'RTP mediasoup -> werift (SRTP encrypt in worker)');
    await guard(clientToServer, 'RTP werift -> mediasoup (SRTP decrypt in worker)');

    result.iceState = transport.iceState;
    result.dtlsState = transport.dtlsState;
    return result;
  } finally {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch {
        // ignore cleanup errors
      }
    }
  }
}

export const SRTP_CRYPTO_SUITES = [
  'AEAD_AES_256_GCM',
  'AEAD_AES_128_GCM',
  'AES_CM_128_HMAC_SHA1_80',
  'AES_CM_128_HMAC_SHA1_32',
];

/**
 * For each SRTP crypto suite: DirectTransport producer -> PlainTransport A
 * (SRTP encrypt) -> UDP 127.0.0.1 -> PlainTransport B (SRTP decrypt) ->
 * DirectTransport consumer; checks the payload arrives intact.
 *
 * @param {{ workerBin: string, timeoutMs?: number, log?: (msg: string) => void }} options
 * @returns {Promise<Record<string, number>>} packets received per suite
 */
export async function runSrtpSuites({ workerBin, timeoutMs = 10000, log = () => {} }) {
  if (!workerBin) throw new Error('workerBin (MEDIASOUP_WORKER_BIN) is required');
  const mediasoup = requireFromRoot('mediasoup');
  const worker = await mediasoup.createWorker({ workerBin, logLevel: 'warn' });
  let workerDied;
  const died = new Promise((_, reject) => {
    workerDied = reject;
  });
  died.catch(() => {});
  worker.on('died', (error) => workerDied(new Error(`mediasoup-worker died: ${error}`)));
  const received = {};
  try {
    const mediaCodecs = [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }];
    for (const suite of SRTP_CRYPTO_SUITES) {
      const sender = await worker.createRouter({ mediaCodecs });
      const receiver = await worker.createRouter({ mediaCodecs });
      const payloadType = sender.rtpCapabilities.codecs.find((c) => c.mimeType === 'video/VP8').preferredPayloadType;
      const caps = {
        codecs: sender.rtpCapabilities.codecs.filter((c) => c.mimeType !== 'video/rtx'),
        headerExtensions: [],
      };
      const plainOpts = {
        listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
        rtcpMux: true,
        comedia: false,
        enableSrtp: true,
        srtpCryptoSuite: suite,
      };
      const a = await sender.createPlainTransport(plainOpts);
      const b = await receiver.createPlainTransport(plainOpts);
      await a.connect({ ip: '127.0.0.1', port: b.tuple.localPort, srtpParameters: b.srtpParameters });
      await b.connect({ ip: '127.0.0.1', port: a.tuple.localPort, srtpParameters: a.srtpParameters });

      const source = await sender.createDirectTransport();
      const producer = await source.produce({
        kind: 'video',
        rtpParameters: {
          codecs: [{ mimeType: 'video/VP8', payloadType, clockRate: 90000 }],
          encodings: [{ ssrc: VP8_SSRC_SERVER_TO_CLIENT }],
        },
      });
      const consumer = await a.consume({ producerId: producer.id, rtpCapabilities: caps });
      const remoteProducer = await b.produce({
        kind: 'video',
        rtpParameters: {
          codecs: consumer.rtpParameters.codecs,
          encodings: consumer.rtpParameters.encodings,
          headerExtensions: consumer.rtpParameters.headerExtensions,
          rtcp: consumer.rtpParameters.rtcp,
        },
      });
      const sink = await receiver.createDirectTransport();
      const sinkConsumer = await sink.consume({ producerId: remoteProducer.id, rtpCapabilities: caps });

      received[suite] = 0;
      const got = new Promise((resolve) => {
        sinkConsumer.on('rtp', (buf) => {
          if (!rtpPayload(buf).equals(VP8_PAYLOAD)) return;
          received[suite]++;
          resolve();
        });
      });
      let seq = 1;
      const pump = setInterval(() => {
        producer.send(rtpPacket({ payloadType, ssrc: VP8_SSRC_SERVER_TO_CLIENT, seq, timestamp: seq * 3000 }));
        seq++;
      }, 20);
      try {
        await withTimeout(Promise.race([got, died]), timeoutMs, `RTP over SRTP ${suite}`);
      } finally {
        clearInterval(pump);
      }
      log(`SRTP ${suite}: ok (${received[suite]} pkt)`);
      sender.close();
      receiver.close();
    }
    return received;
  } finally {
    worker.close();
  }
}
