import type { EgressInfo } from '@live-casino/protocol';
import { waitFor } from '@live-casino/testing';
import { generateKeyPairSync } from 'node:crypto';
import dgram from 'node:dgram';
import { serializeRtpPacket, serializeSenderReport } from '@live-casino/media';
import { type SfuRequestName, signStreamToken, type StudioClockMapping } from '@live-casino/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestSfu, type TestSfu, VP8_INGEST } from './helpers.js';

const TABLE = 'roulette-1';
/** The helpers' ingest, with the feedback the simulator announces (so keyframe requests become PLIs). */
const INGEST = {
  ...VP8_INGEST,
  codecs: [{ ...VP8_INGEST.codecs[0]!, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] }],
};
const EGRESS_CALLS = ['openEgress', 'resumeEgress', 'requestKeyFrame', 'closeEgress'] as const;

function egressPayload(name: SfuRequestName, token: string | undefined, port = 40_000): Record<string, unknown> {
  const base = { ...(token === undefined ? {} : { token }), tableId: TABLE };
  return name === 'openEgress' ? { ...base, ip: '127.0.0.1', port } : { ...base, egressId: 'abc' };
}

async function udpSocket(): Promise<{ socket: dgram.Socket; port: number; packets: Buffer[] }> {
  const socket = dgram.createSocket('udp4');
  const packets: Buffer[] = [];
  socket.on('message', (m) => packets.push(m));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return { socket, port: socket.address().port, packets };
}

/** A one-packet VP8 keyframe (RFC 7741 descriptor S=1 PID=0, then a frame tag with P=0). */
function vp8Packet(seq: number, timestamp: number, ssrc: number): Buffer {
  const payload = Buffer.from([0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01, 1, 2, 3, 4]);
  return serializeRtpPacket({ payloadType: 96, sequenceNumber: seq, timestamp, ssrc, marker: true }, [payload]);
}

/** RTCP sender report (RFC 3550 6.4.1) mapping `rtpTs` to `unixMs`. */
function senderReport(ssrc: number, unixMs: number, rtpTs: number): Buffer {
  return serializeSenderReport({ ssrc, ntpMs: unixMs, rtpTimestamp: rtpTs, packetCount: 0, octetCount: 0 });
}

describe('sfu RTP egress', () => {
  let t: TestSfu;
  beforeAll(async () => {
    t = await startTestSfu({ SFU_EGRESS_MAX_PER_TABLE: '2' });
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(EGRESS_CALLS)('%s refuses missing, expired, forged, wrong-table, view and publish tokens', async (name) => {
    const socket = await t.connect();
    const code = async (token: string | undefined, tableId = TABLE): Promise<string | undefined> => {
      const res = await request(socket, name, { ...egressPayload(name, token), tableId });
      return res.ok ? undefined : res.error.code;
    };
    expect(await code(undefined)).toBe('AUTH_TOKEN_MISSING');
    const expired = await signStreamToken(t.privateKey, { sub: 's', tableId: TABLE, role: 'egress' }, -5);
    expect(await code(expired)).toBe('AUTH_TOKEN_EXPIRED');
    const other = generateKeyPairSync('ed25519').privateKey;
    expect(await code(await signStreamToken(other, { sub: 's', tableId: TABLE, role: 'egress' }))).toBe(
      'AUTH_TOKEN_INVALID',
    );
    const valid = await t.token(TABLE, 'egress');
    expect(await code(`${valid.slice(0, -3)}abc`)).toBe('AUTH_TOKEN_INVALID');
    expect(await code(await t.token('baccarat-1', 'egress'))).toBe('AUTH_WRONG_TABLE');
    expect(await code(await t.token(TABLE, 'view'))).toBe('AUTH_FORBIDDEN_ROLE');
    expect(await code(await t.token(TABLE, 'publish'))).toBe('AUTH_FORBIDDEN_ROLE');
    socket.close();
  });

  it('an egress token opens egresses and nothing else', async () => {
    const socket = await t.connect();
    const token = await t.token(TABLE, 'egress');
    for (const [name, body] of [
      ['join', { token, tableId: TABLE }],
      ['createTransport', { token, tableId: TABLE, direction: 'recv' }],
      ['publishRtp', { token, tableId: TABLE, source: 'camera-9', kind: 'video', rtpParameters: VP8_INGEST }],
    ] as const) {
      const res = await request(socket, name, body);
      expect(res.ok ? undefined : res.error.code, name).toBe('AUTH_FORBIDDEN_ROLE');
    }
    socket.close();
  });

  it('refuses non-loopback targets, bad ports and tables without video, with typed errors', async () => {
    const socket = await t.connect();
    const token = await t.token(TABLE, 'egress');
    const open = async (body: Record<string, unknown>) => {
      const res = await request(socket, 'openEgress', { token, tableId: TABLE, ...body });
      return res.ok ? undefined : res.error.code;
    };
    // No video on the table yet.
    expect(await open({ ip: '127.0.0.1', port: 40_000 })).toBe('TABLE_NOT_LIVE');
    for (const ip of ['10.0.0.1', '192.168.1.20', '8.8.8.8', '0.0.0.0', '255.255.255.255']) {
      expect(await open({ ip, port: 40_000 }), ip).toBe('EGRESS_ADDRESS_FORBIDDEN');
    }
    for (const body of [
      { ip: 'localhost', port: 40_000 },
      { ip: '127.0.0.256', port: 40_000 },
      { ip: '::1', port: 40_000 },
      { ip: '127.0.0.1', port: 80 },
      { ip: '127.0.0.1', port: 70_000 },
      { ip: '127.0.0.1', port: '40000' },
      { ip: '127.0.0.1' },
      { ip: '127.0.0.1', port: 40_000, extra: true },
    ]) {
      expect(await open(body), JSON.stringify(body)).toBe('BAD_REQUEST');
    }
    for (const name of ['resumeEgress', 'requestKeyFrame', 'closeEgress'] as const) {
      const res = await request(socket, name, { token, tableId: TABLE, egressId: 'nope' });
      expect(res.ok ? undefined : res.error.code).toBe('EGRESS_NOT_FOUND');
    }
    expect((await t.sfu.stats()).tables.find((x) => x.tableId === TABLE)?.egresses ?? 0).toBe(0);
    socket.close();
  });

  it('sends the table video, paused until resumed, with the studio clock; bounded; closes with its socket', async () => {
    const publisher = await t.connect();
    const published = await request(publisher, 'publishRtp', {
      token: await t.token(TABLE, 'publish'),
      tableId: TABLE,
      source: 'camera-1',
      kind: 'video',
      rtpParameters: INGEST,
    });
    expect(published.ok).toBe(true);
    const ingestPort = (published as { data: { port: number } }).data.port;
    const encoder = await udpSocket();
    const ssrc = 1111;
    const rtpBase = 123_456;
    const studioBase = Date.now();
    let seq = 0;
    const sendFrame = (): void => {
      const n = seq++;
      encoder.socket.send(vp8Packet(n, rtpBase + n * 3000, ssrc), ingestPort, '127.0.0.1');
    };
    encoder.socket.send(senderReport(ssrc, studioBase, rtpBase), ingestPort, '127.0.0.1');

    const vision = await t.connect();
    const clocks: StudioClockMapping[] = [];
    vision.on('studioClock', (m) => clocks.push(m));
    const closedEvents: { egressId: string; reason: string }[] = [];
    vision.on('egressClosed', (ev) => closedEvents.push(ev));
    const token = await t.token(TABLE, 'egress');
    const sink = await udpSocket();
    const opened = await request(vision, 'openEgress', { token, tableId: TABLE, ip: '127.0.0.1', port: sink.port });
    if (!opened.ok) throw new Error(`openEgress refused: ${opened.error.code}`);
    const info = opened.data as EgressInfo;
    expect(info).toMatchObject({ mimeType: 'video/VP8', clockRate: 90000, source: { ip: '127.0.0.1' } });
    expect(info.ssrc).toBeGreaterThan(0);

    // Paused: the encoder sends, nothing reaches the sink.
    for (let i = 0; i < 5; i++) sendFrame();
    await waitFor('the ingest to count packets', async () => {
      const p = (await t.sfu.stats()).tables.find((x) => x.tableId === TABLE)?.producers[0];
      return p && p.bitrateBps > 0 ? p : undefined;
    });
    // (mediasoup's bandwidth probation packets, payload type 127 and ssrc 1234, do flow.)
    const rtpOut = () => sink.packets.filter((p) => p.length > 12 && (p[1]! & 0x7f) === info.payloadType);
    expect(rtpOut()).toHaveLength(0);

    // Resumed: a keyframe is asked for (RTCP PLI reaches the encoder), and RTP flows, timestamps untouched.
    const resumed = await request(vision, 'resumeEgress', { token, tableId: TABLE, egressId: info.egressId });
    expect(resumed.ok).toBe(true);
    const isPli = (p: Buffer) => p[1] === 206 && (p[0]! & 0x1f) === 1;
    await waitFor('a PLI at the encoder', () => (encoder.packets.some(isPli) ? true : undefined));
    for (let i = 0; i < 5; i++) sendFrame();
    await waitFor('RTP at the sink', () => (rtpOut().length >= 3 ? true : undefined));
    for (const p of rtpOut()) {
      expect(p.readUInt32BE(8)).toBe(info.ssrc);
      expect((p.readUInt32BE(4) - rtpBase) % 3000).toBe(0);
    }
    // Keyframe requests on demand.
    const plis = encoder.packets.filter(isPli).length;
    await new Promise((r) => setTimeout(r, 1100)); // mediasoup rate-limits PLIs to one a second
    const kf = await request(vision, 'requestKeyFrame', { token, tableId: TABLE, egressId: info.egressId });
    expect(kf.ok).toBe(true);
    await waitFor('another PLI', () => (encoder.packets.filter(isPli).length > plis ? true : undefined));

    // The studio clock arrives as it does for viewers.
    encoder.socket.send(senderReport(ssrc, studioBase + 10_000, rtpBase + 900_000 + 7), ingestPort, '127.0.0.1');
    const clock = await waitFor('a studio clock event', () => clocks.find((c) => c.producerId === info.producerId));
    expect(clock.clockRate).toBe(90000);

    // Bounded per table.
    const second = await udpSocket();
    expect(
      (await request(vision, 'openEgress', { token, tableId: TABLE, ip: '127.0.0.1', port: second.port })).ok,
    ).toBe(true);
    const third = await request(vision, 'openEgress', { token, tableId: TABLE, ip: '127.0.0.1', port: second.port });
    expect(third.ok ? undefined : third.error.code).toBe('EGRESS_LIMIT_REACHED');
    expect((await t.sfu.stats()).tables.find((x) => x.tableId === TABLE)?.egresses).toBe(2);

    // Another socket cannot touch this one's egress.
    const intruder = await t.connect();
    const stolen = await request(intruder, 'closeEgress', { token, tableId: TABLE, egressId: info.egressId });
    expect(stolen.ok ? undefined : stolen.error.code).toBe('EGRESS_NOT_FOUND');
    intruder.close();

    // The studio republishes: the egress's producer is gone, and its owner is told.
    const republished = await request(publisher, 'publishRtp', {
      token: await t.token(TABLE, 'publish'),
      tableId: TABLE,
      source: 'camera-1',
      kind: 'video',
      rtpParameters: INGEST,
    });
    expect(republished.ok).toBe(true);
    await waitFor('egressClosed events', () => (closedEvents.length >= 2 ? true : undefined));
    expect(closedEvents.map((e) => e.egressId)).toContain(info.egressId);
    expect(closedEvents[0]!.reason).toMatch(/producer closed/);
    expect((await t.sfu.stats()).tables.find((x) => x.tableId === TABLE)?.egresses).toBe(0);

    // Closing the socket closes its egresses.
    const again = await request(vision, 'openEgress', { token, tableId: TABLE, ip: '127.0.0.1', port: sink.port });
    expect(again.ok).toBe(true);
    expect((await t.sfu.stats()).tables.find((x) => x.tableId === TABLE)?.egresses).toBe(1);
    vision.close();
    await waitFor('the egress to close with its socket', async () =>
      (await t.sfu.stats()).tables.find((x) => x.tableId === TABLE)?.egresses === 0 ? true : undefined,
    );
    for (const s of [encoder.socket, sink.socket, second.socket]) s.close();
    publisher.close();
  }, 30_000);
});

describe('sfu RTP egress to remote addresses', () => {
  it('is allowed when the sfu is configured for it', async () => {
    const t = await startTestSfu({ SFU_WORKERS: '1', SFU_EGRESS_ALLOW_REMOTE: 'true' });
    try {
      const publisher = await t.connect();
      expect(
        (
          await request(publisher, 'publishRtp', {
            token: await t.token(TABLE, 'publish'),
            tableId: TABLE,
            source: 'camera-1',
            kind: 'video',
            rtpParameters: VP8_INGEST,
          })
        ).ok,
      ).toBe(true);
      const vision = await t.connect();
      // A documentation address (RFC 5737): nothing listens there, and nothing needs to.
      const res = await request(vision, 'openEgress', {
        token: await t.token(TABLE, 'egress'),
        tableId: TABLE,
        ip: '192.0.2.10',
        port: 40_000,
      });
      expect(res.ok).toBe(true);
    } finally {
      await t.close();
    }
  });
});
