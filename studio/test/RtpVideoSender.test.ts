import dgram from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@live-casino/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/simulator/FeedLogger.js';
import {
  decodeAbsCaptureTime,
  isRtcp,
  ntpMiddle32,
  parseRtcpCompound,
  parseRtpPacket,
  parseVp8PayloadDescriptor,
  unixMsToNtp,
} from '@live-casino/media';
import { RtpVideoSender } from '../src/simulator/RtpVideoSender.js';

interface Sink {
  socket: dgram.Socket;
  port: number;
  packets: Buffer[];
  from: dgram.RemoteInfo[];
}

async function sink(): Promise<Sink> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const s: Sink = { socket, port: socket.address().port, packets: [], from: [] };
  socket.on('message', (message, rinfo) => {
    s.packets.push(message);
    s.from.push(rinfo);
  });
  return s;
}

const rtpOf = (s: Sink) => s.packets.filter((p) => !isRtcp(p)).map(parseRtpPacket);
const keyFrame = (size: number): Buffer => {
  const frame = Buffer.alloc(size, 0xab);
  frame[0] = 0x10;
  return frame;
};

describe('RtpVideoSender', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const fn of cleanup.splice(0)) fn();
  });

  async function setup(): Promise<{ rx: Sink; sender: RtpVideoSender; now: { ms: number } }> {
    const rx = await sink();
    const now = { ms: 1_760_000_000_000 };
    const sender = await RtpVideoSender.create({
      target: { host: '127.0.0.1', port: rx.port },
      ssrc: 0xabcd,
      payloadType: 96,
      absCaptureTimeExtId: 3,
      cname: 'studio-t',
      clock: () => now.ms,
      senderReportIntervalMs: 60_000,
      log: silentLogger,
    });
    cleanup.push(
      () => sender.close(),
      () => rx.socket.close(),
    );
    return { rx, sender, now };
  }

  it('fragments a frame into ≤1200-byte packets with one timestamp, the marker on the last, and abs-capture-time on all', async () => {
    const { rx, sender, now } = await setup();
    sender.sendFrame(keyFrame(5000), now.ms);
    sender.sendFrame(Buffer.from([0x11, 1, 2, 3]), now.ms + 33);
    // Loopback UDP arrives when it arrives: wait for the six packets and the SR, not a fixed time.
    await waitFor('6 RTP packets and an SR', () =>
      rtpOf(rx).length >= 6 && rx.packets.some(isRtcp) ? true : undefined,
    );
    const packets = rtpOf(rx);
    expect(packets).toHaveLength(6);
    expect(rx.packets.every((p) => p.length <= 1200)).toBe(true);
    const first = packets.slice(0, 5);
    expect(first.map((p) => p.marker)).toEqual([false, false, false, false, true]);
    expect(new Set(first.map((p) => p.timestamp)).size).toBe(1);
    expect(first.map((p) => parseVp8PayloadDescriptor(p.payload)?.startOfPartition)).toEqual([
      true,
      false,
      false,
      false,
      false,
    ]);
    expect(packets[5]).toMatchObject({ marker: true, timestamp: ((packets[0]?.timestamp ?? 0) + 2970) >>> 0 });
    for (const p of packets) {
      expect(p).toMatchObject({ ssrc: 0xabcd, payloadType: 96 });
      expect(p.extensions.has(3)).toBe(true);
    }
    expect(decodeAbsCaptureTime(packets[0]?.extensions.get(3) as Uint8Array)).toBeCloseTo(now.ms, 6);
    expect(decodeAbsCaptureTime(packets[5]?.extensions.get(3) as Uint8Array)).toBeCloseTo(now.ms + 33, 6);
    const pictureIds = packets.map((p) => parseVp8PayloadDescriptor(p.payload)?.pictureId ?? -1);
    expect(pictureIds[5]).toBe(((pictureIds[0] as number) + 1) % 0x8000);

    // The first frame triggers an SR at once, mapping "now" on the same clock as the frames.
    const sr = rx.packets.filter(isRtcp).flatMap((p) => parseRtcpCompound(p))[0];
    expect(sr?.type).toBe('sr');
    if (sr?.type === 'sr') {
      expect(sr.report).toMatchObject({
        ssrc: 0xabcd,
        ntpMs: now.ms,
        rtpTimestamp: packets[0]?.timestamp,
        packetCount: 5,
      });
      expect(sr.report.octetCount).toBe(5000 + 5 * 4);
    }
    expect(sender.stats).toMatchObject({ framesSent: 2, keyFramesSent: 1, packetsSent: 6, senderReportsSent: 1 });
  });

  it('retransmits NACKed packets, counts PLI/FIR and computes RTT from receiver reports', async () => {
    const { rx, sender, now } = await setup();
    sender.sendFrame(keyFrame(3000), now.ms);
    await waitFor('the key frame (3 packets)', () => (rtpOf(rx).length >= 3 ? true : undefined));
    const sent = rtpOf(rx);
    const seq = sent[1]?.sequenceNumber as number;
    const local = sender.localAddress;
    const send = (hex: string): void => rx.socket.send(Buffer.from(hex, 'hex'), local.port, '127.0.0.1');
    const u16 = (n: number): string => n.toString(16).padStart(4, '0');
    send(`81cd0003 00000001 0000abcd ${u16(seq)} 0001`.replaceAll(' ', ''));
    send('81ce0002 00000001 0000abcd'.replaceAll(' ', ''));
    send('84ce0004 00000001 00000000 0000abcd 01000000'.replaceAll(' ', ''));
    // RR: our last SR was sent at now.ms; the SFU held it 250 ms and its report arrives 300 ms after the SR.
    const lsr = ntpMiddle32(unixMsToNtp(now.ms));
    now.ms += 300;
    const hex32 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
    send(
      `81c90007 00000001 0000abcd 10000002 00000100 000000b4 ${hex32(lsr)} ${hex32(0.25 * 65536)}`.replaceAll(' ', ''),
    );
    await waitFor('the RR, the NACK and its 2 retransmissions', () =>
      sender.stats.receiverReport && sender.stats.firsReceived === 1 && rtpOf(rx).length >= sent.length + 2
        ? true
        : undefined,
    );

    const again = rtpOf(rx).slice(sent.length);
    expect(again.map((p) => p.sequenceNumber)).toEqual([seq, (seq + 1) & 0xffff]);
    const stats = sender.stats;
    expect(stats).toMatchObject({ nacksReceived: 1, retransmittedPackets: 2, plisReceived: 1, firsReceived: 1 });
    expect(stats.receiverReport?.fractionLost).toBeCloseTo(1 / 16, 6);
    expect(stats.receiverReport?.jitterMs).toBeCloseTo(2, 6);
    expect(stats.receiverReport?.rttMs).toBeCloseTo(50, 0);
  });

  it('moves to a new target, sending an SR there with its next frame, and keeps its clocks', async () => {
    const { rx, sender, now } = await setup();
    const rx2 = await sink();
    cleanup.push(() => rx2.socket.close());
    sender.sendFrame(keyFrame(100), now.ms);
    await sender.setTarget({ host: 'localhost', port: rx2.port });
    sender.sendFrame(Buffer.from([0x11, 0]), now.ms + 33);
    await waitFor('a packet at each target and an SR at the new one', () =>
      rtpOf(rx).length >= 1 && rtpOf(rx2).length >= 1 && rx2.packets.some(isRtcp) ? true : undefined,
    );
    const [a] = rtpOf(rx);
    const [b] = rtpOf(rx2);
    expect(b?.sequenceNumber).toBe(((a?.sequenceNumber ?? 0) + 1) & 0xffff);
    expect(b?.timestamp).toBe(((a?.timestamp ?? 0) + 2970) >>> 0);
    expect(rx2.packets.some(isRtcp)).toBe(true);
    // RTP and RTCP leave from one port (rtcp-mux), the one the SFU learns with comedia.
    expect(new Set([...rx.from, ...rx2.from].map((r) => r.port))).toEqual(new Set([sender.localAddress.port]));
    await expect(sender.setTarget({ host: '::1', port: 5000 })).rejects.toThrow(/IPv6/);
    await expect(sender.setTarget({ host: '127.0.0.1', port: 0 })).rejects.toThrow(RangeError);
  });

  it('closes idempotently and sends nothing afterwards', async () => {
    const { rx, sender, now } = await setup();
    let closed = 0;
    sender.on('closed', () => closed++);
    sender.close();
    sender.close();
    sender.sendFrame(keyFrame(100), now.ms);
    expect(closed).toBe(1);
    expect(sender.stats.packetsSent).toBe(0);
    // Nothing to wait for: a short look at the socket only backs up the count above.
    await sleep(30);
    expect(rx.packets).toHaveLength(0);
  });
});
