import { waitFor } from '@live-casino/testing';
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchPlaylist, request, startTestSfu, type TestSfu, VP8_INGEST } from './helpers.js';

const TABLE = 'roulette-1';

function parsePlaylist(text: string): {
  sequence: number;
  segments: { pdt: number; duration: number; uri: string }[];
  discontinuities: number;
} {
  const sequence = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)?.[1] ?? Number.NaN);
  const segments: { pdt: number; duration: number; uri: string }[] = [];
  let pdt = Number.NaN;
  let duration = Number.NaN;
  for (const line of text.split('\n')) {
    if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) pdt = Date.parse(line.slice(25));
    else if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice(8));
    else if (line && !line.startsWith('#')) segments.push({ pdt, duration, uri: line });
  }
  return { sequence, segments, discontinuities: (text.match(/#EXT-X-DISCONTINUITY\n/g) ?? []).length };
}

describe('HLS egress', () => {
  let t: TestSfu;
  let encoder: ChildProcess | undefined;
  beforeAll(async () => {
    t = await startTestSfu({ SFU_HLS_ENABLED: 'true', SFU_HLS_SEGMENT_S: '0.5', SFU_HLS_LIST_SIZE: '6' });
  });
  afterAll(async () => {
    encoder?.kill('SIGKILL');
    await t.close();
  });

  it('packages a table into a live playlist on the studio clock, and survives an ffmpeg crash', async () => {
    const publisher = await t.connect();
    const token = await t.token(TABLE, 'publish');
    // ffmpeg sends RTCP from another socket than RTP: no rtcp-mux.
    const res = await request(publisher, 'publishRtp', {
      token,
      tableId: TABLE,
      source: 'camera-1',
      kind: 'video',
      rtpParameters: VP8_INGEST,
      rtcpMux: false,
    });
    expect(res.ok).toBe(true);
    const { port, rtcpPort } = (res as { data: { port: number; rtcpPort: number } }).data;
    expect(rtcpPort).toBeGreaterThan(0);
    // A stand-in encoder: VP8 over RTP with sender reports.
    encoder = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-re',
        '-f',
        'lavfi',
        '-i',
        'testsrc=size=320x240:rate=30',
        '-c:v',
        'libvpx',
        '-deadline',
        'realtime',
        '-cpu-used',
        '8',
        '-g',
        '15',
        '-b:v',
        '500k',
        '-f',
        'rtp',
        '-ssrc',
        '1111',
        '-payload_type',
        '96',
        `rtp://127.0.0.1:${port}?rtcpport=${rtcpPort}&pkt_size=1200`,
      ],
      { stdio: 'ignore' },
    );

    const url = `${t.url}/hls/${TABLE}/index.m3u8?t=${await t.token(TABLE, 'view', 300)}`;
    /** The playlist once `done` holds for it. */
    const playlistWhen = (what: string, done: (p: ReturnType<typeof parsePlaylist>) => boolean) =>
      waitFor(
        what,
        async () => {
          const text = await fetchPlaylist(url);
          const p = text === undefined ? undefined : parsePlaylist(text);
          return p && done(p) ? p : undefined;
        },
        20_000,
        100,
      );
    const first = await playlistWhen('a playlist with 3 segments', (p) => p.segments.length >= 3);
    // Program date times advance with the media: each starts where the previous one ends.
    for (let i = 1; i < first.segments.length; i++) {
      const prev = first.segments[i - 1]!;
      expect(first.segments[i]!.pdt - prev.pdt).toBeCloseTo(prev.duration * 1000, -1);
    }
    // ...and they are on the studio clock: recent, not ffmpeg's start second.
    expect(Math.abs(Date.now() - first.segments.at(-1)!.pdt)).toBeLessThan(5000);
    // Segment URIs carry the session the playlist's token opened.
    expect(first.segments[0]!.uri).toMatch(/^seg-[a-z0-9]+-1-[0-9]{6}\.ts\?s=[A-Za-z0-9_-]+\.[0-9]+\.[A-Za-z0-9_-]+$/);
    const seg = await fetch(`${t.url}/hls/${TABLE}/${first.segments[0]!.uri}`);
    expect(seg.status).toBe(200);
    expect(seg.headers.get('cache-control')).toMatch(/^private, max-age=\d+, immutable$/);
    expect(seg.headers.get('content-type')).toBe('video/mp2t');
    expect((await seg.arrayBuffer()).byteLength).toBeGreaterThan(1000);

    // Sliding window: the media sequence moves on.
    await playlistWhen('the window to slide', (p) => p.sequence > first.sequence);

    // Kill the packager: it is restarted and the playlist continues after a discontinuity.
    const table = t.sfu.tables.get(TABLE)!;
    const pid = table.hls!.ffmpegPid!;
    process.kill(pid, 'SIGKILL');
    const recovered = await playlistWhen(
      'segments after the crash',
      (p) => p.discontinuities > 0 && p.segments.at(-1)!.uri.includes('-2-'),
    );
    expect(table.hls!.serialize().restarts).toBe(1);
    expect(recovered.segments.length).toBeGreaterThan(0);
  }, 90_000);

  it('refuses unknown tables and path tricks with typed errors', async () => {
    expect((await fetch(`${t.url}/hls/nope/index.m3u8?t=${await t.token('nope', 'view')}`)).status).toBe(409);
    const traversal = await fetch(`${t.url}/hls/${TABLE}/..%2F..%2Fetc%2Fpasswd`);
    expect(traversal.status).toBe(400);
    expect(await traversal.json()).toMatchObject({ code: 'BAD_REQUEST' });
  });
});
