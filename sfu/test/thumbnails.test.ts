import { decodeVideo, waitFor } from '@live-casino/testing';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sfuThumbnailPath, THUMBNAIL_STUDIO_TIME_HEADER } from '@live-casino/protocol';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchPlaylist, request, startTestSfu, type TestSfu, VP8_INGEST } from './helpers.js';

const TABLE = 'roulette-1';
const TTL_MS = 3000;

/** Width and height from a JPEG's start-of-frame marker. */
function jpegSize(jpeg: Uint8Array): { width: number; height: number } | undefined {
  let at = 2;
  while (at + 9 < jpeg.length && jpeg[at] === 0xff) {
    const marker = jpeg[at + 1]!;
    if (marker >= 0xc0 && marker <= 0xc3) {
      return { height: (jpeg[at + 5]! << 8) | jpeg[at + 6]!, width: (jpeg[at + 7]! << 8) | jpeg[at + 8]! };
    }
    at += 2 + ((jpeg[at + 2]! << 8) | jpeg[at + 3]!);
  }
  return undefined;
}

/** The program date times of the playlist's segments. */
function segmentDates(playlist: string): number[] {
  return [...playlist.matchAll(/#EXT-X-PROGRAM-DATE-TIME:(.+)/g)].map((m) => Date.parse(m[1]!));
}

describe('lobby stills (GET /thumbs/:tableId.jpg)', () => {
  let t: TestSfu;
  let encoder: ChildProcess | undefined;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sfu-thumbs-'));
    // ffmpeg, except that a still's decode hangs (and says its pid) while the file `stuck` exists.
    const ffmpeg = path.join(dir, 'ffmpeg.sh');
    await writeFile(
      ffmpeg,
      `#!/bin/sh\ncase "$*" in *mjpeg*) if [ -e ${dir}/stuck ]; then echo $$ > ${dir}/stuck.pid; exec sleep 60; fi;; esac\nexec ffmpeg "$@"\n`,
    );
    await chmod(ffmpeg, 0o755);
    t = await startTestSfu({
      FFMPEG_PATH: ffmpeg,
      SFU_HLS_ENABLED: 'true',
      SFU_HLS_SEGMENT_S: '0.5',
      SFU_HLS_LIST_SIZE: '6',
      SFU_THUMBNAIL_TTL_MS: String(TTL_MS),
    });
  });
  afterAll(async () => {
    encoder?.kill('SIGKILL');
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  const thumb = (tableId: string, query = ''): Promise<Response> =>
    fetch(`${t.url}${sfuThumbnailPath(tableId)}${query}`);

  /** ffmpeg decodes started for stills so far, by outcome (the sfu's Prometheus counter). */
  async function decodes(): Promise<Record<string, number>> {
    const text = await (await fetch(`${t.internalUrl}/metrics`)).text();
    const out: Record<string, number> = {};
    for (const m of text.matchAll(/^sfu_thumbnail_decodes_total\{outcome="(\w+)"\} (\d+)$/gm))
      out[m[1]!] = Number(m[2]);
    return out;
  }

  it('refuses a bad table id and a table that is not live, with typed errors and no decode', async () => {
    for (const bad of ['Roulette_1', 'a.b', '-x', 'x'.repeat(65), '%2e%2e']) {
      const res = await thumb(bad);
      expect(res.status, bad).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'BAD_REQUEST' });
    }
    const res = await thumb('baccarat-9');
    expect(res.status).toBe(409);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.json()).toMatchObject({ code: 'TABLE_NOT_LIVE' });
    expect(await decodes()).toEqual({});
  });

  it('serves a 320-wide JPEG of the newest segment, one decode for concurrent viewers and per TTL', async () => {
    const publisher: Socket = await t.connect();
    const res = await request(publisher, 'publishRtp', {
      token: await t.token(TABLE, 'publish'),
      tableId: TABLE,
      source: 'camera-1',
      kind: 'video',
      rtpParameters: VP8_INGEST,
      rtcpMux: false,
    });
    expect(res.ok).toBe(true);
    const { port, rtcpPort } = (res as { data: { port: number; rtcpPort: number } }).data;

    // The table is published and packaged, but no segment is complete: nothing to show yet.
    expect(t.sfu.tables.get(TABLE)?.hls).toBeDefined();
    const early = await thumb(TABLE);
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ code: 'TABLE_NOT_LIVE' });

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
        'testsrc2=size=640x360:rate=30',
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
    const playlistUrl = `${t.url}/hls/${TABLE}/index.m3u8?t=${await t.token(TABLE, 'view', 300)}`;
    await waitFor(
      'a playlist with 2 segments',
      async () => {
        const text = await fetchPlaylist(playlistUrl);
        return text !== undefined && segmentDates(text).length >= 2 ? text : undefined;
      },
      30_000,
      100,
    );

    // Many lobby viewers at once: one ffmpeg run, the same still for all.
    const answers = await Promise.all(Array.from({ length: 12 }, () => thumb(TABLE)));
    const firstAnsweredAt = Date.now();
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.headers.get('content-type')).toBe('image/jpeg');
      expect(a.headers.get('cache-control')).toBe('public, max-age=3');
      expect(a.headers.get('access-control-allow-origin')).toBe('*');
      expect(a.headers.get('access-control-expose-headers')).toBe(THUMBNAIL_STUDIO_TIME_HEADER);
    }
    const bodies = await Promise.all(answers.map(async (a) => Buffer.from(await a.arrayBuffer())));
    const jpeg = bodies[0]!;
    expect(bodies.every((b) => b.equals(jpeg))).toBe(true);
    expect(await decodes()).toEqual({ ok: 1 });

    // A real JPEG, 320 wide with the video's aspect ratio, that a decoder reads as one picture.
    expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
    expect(jpegSize(jpeg)).toEqual({ width: 320, height: 180 });
    const file = path.join(dir, 'still.jpg');
    await writeFile(file, jpeg);
    expect((await decodeVideo({ file }, 320, 180)).frames).toHaveLength(1);

    // Its studio time is the date of a segment the playlist lists, and recent.
    const studioMs = Number(answers[0]!.headers.get(THUMBNAIL_STUDIO_TIME_HEADER));
    expect(answers.every((a) => Number(a.headers.get(THUMBNAIL_STUDIO_TIME_HEADER)) === studioMs)).toBe(true);
    const listed = segmentDates((await fetchPlaylist(playlistUrl)) ?? '');
    expect(listed).toContain(studioMs);
    expect(Math.abs(Date.now() - studioMs)).toBeLessThan(10_000);

    // Within the TTL the same still, whatever the query (the lobby adds a cache-busting one).
    const again = await thumb(TABLE, '?p=42');
    expect(again.status).toBe(200);
    if (Date.now() - firstAnsweredAt < TTL_MS) {
      expect(Buffer.from(await again.arrayBuffer()).equals(jpeg)).toBe(true);
      expect(Number(again.headers.get(THUMBNAIL_STUDIO_TIME_HEADER))).toBe(studioMs);
      expect(await decodes()).toEqual({ ok: 1 });
    }

    // After it, a newer still from a newer segment, with one more decode.
    await new Promise((resolve) => setTimeout(resolve, TTL_MS + 100));
    const later = await thumb(TABLE);
    expect(later.status).toBe(200);
    const laterMs = Number(later.headers.get(THUMBNAIL_STUDIO_TIME_HEADER));
    expect(laterMs).toBeGreaterThan(studioMs);
    const counts = await decodes();
    expect(counts.ok).toBeGreaterThanOrEqual(2);
    expect(counts.ok).toBeLessThanOrEqual(3);

    // A decode that hangs is killed after 3 s (and reaped: its pid is gone, not a zombie); the
    // previous still, a few seconds old, is served meanwhile.
    await writeFile(path.join(dir, 'stuck'), '');
    await new Promise((resolve) => setTimeout(resolve, TTL_MS + 100));
    const asked = Date.now();
    const stale = await thumb(TABLE);
    expect(Date.now() - asked).toBeGreaterThanOrEqual(2900);
    expect(stale.status).toBe(200);
    expect(Number(stale.headers.get(THUMBNAIL_STUDIO_TIME_HEADER))).toBe(laterMs);
    const stuckPid = Number(await readFile(path.join(dir, 'stuck.pid'), 'utf8'));
    await waitFor(
      'the hung decoder to be killed and reaped',
      async () => {
        try {
          process.kill(stuckPid, 0);
          return undefined;
        } catch (err) {
          return (err as NodeJS.ErrnoException).code === 'ESRCH' ? true : undefined;
        }
      },
      5000,
      50,
    );
    expect(await decodes()).toEqual({ ...counts, aborted: 1 });
    await rm(path.join(dir, 'stuck'));

    // The encoder dies (its RTP producer stays open): once no segment has come for 10 s, no still
    // rather than a frozen one passed off as live.
    encoder.kill('SIGKILL');
    const stoppedAt = Date.now();
    const gone = await waitFor(
      'the still to go with the stream',
      async () => {
        const r = await thumb(TABLE);
        return r.status === 200 ? undefined : r;
      },
      30_000,
      200,
    );
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(9000);
    expect(gone.status).toBe(409);
    expect(await gone.json()).toMatchObject({ code: 'TABLE_NOT_LIVE' });
    // Meanwhile the last segment was decoded once at most, not once per TTL.
    expect((await decodes()).ok).toBeLessThanOrEqual(counts.ok! + 1);
    publisher.close();
  }, 90_000);
});
