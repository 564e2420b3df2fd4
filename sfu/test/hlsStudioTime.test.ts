import { decodeVideo, waitFor } from '@live-casino/testing';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decodeTimecode } from '@live-casino/protocol';
import { createSimulatedScene, TableFeed } from '@live-casino/studio/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchPlaylist, request, startTestSfu, type TestSfu } from './helpers.js';

const TABLE = 'roulette-1';

function segmentsOf(text: string): { pdt: number; uri: string }[] {
  const out: { pdt: number; uri: string }[] = [];
  let pdt = Number.NaN;
  for (const line of text.split('\n')) {
    if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) pdt = Date.parse(line.slice(25));
    else if (line && !line.startsWith('#')) out.push({ pdt, uri: line });
  }
  return out;
}

/**
 * The packager's program date times must be the studio time of each segment's first frame, read
 * back from the timecode burned into that frame. The packager here starts slowly (as on a busy
 * machine): frames queue on its stdin meanwhile, and an offset between the egress's time origin and
 * ffmpeg's would shift every date by a few frames. A packager that encodes grey (x264 told a wrong
 * frame rate) leaves no readable timecode.
 */
describe('HLS program date time on the studio clock', () => {
  let t: TestSfu;
  let feed: TableFeed | undefined;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hls-pdt-'));
    const slowFfmpeg = path.join(dir, 'slow-ffmpeg.sh');
    await writeFile(slowFfmpeg, '#!/bin/sh\nsleep 1.5\nexec ffmpeg "$@"\n');
    await chmod(slowFfmpeg, 0o755);
    t = await startTestSfu({
      SFU_HLS_ENABLED: 'true',
      SFU_HLS_SEGMENT_S: '0.5',
      SFU_HLS_LIST_SIZE: '6',
      FFMPEG_PATH: slowFfmpeg,
    });
  });
  afterAll(async () => {
    feed?.close();
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Every frame of a segment: its PTS (s) and the studio time burned into it. */
  async function framesOf(uri: string): Promise<{ ptsS: number; studioMs: number | null }[]> {
    const file = path.join(dir, path.basename(uri.split('?')[0]!));
    await writeFile(file, Buffer.from(await (await fetch(`${t.url}/hls/${TABLE}/${uri}`)).arrayBuffer()));
    const { frames, ptsS } = await decodeVideo({ file }, 640, 360);
    expect(ptsS.length).toBe(frames.length);
    return frames.map((frame, i) => ({ ptsS: ptsS[i]!, studioMs: decodeTimecode(frame, 640, 360) }));
  }

  async function expectExactDates(label: string, pick: (uri: string) => boolean): Promise<void> {
    const segments = await waitFor(
      `${label}: 3 segments`,
      async () => {
        const text = await fetchPlaylist(`${t.url}/hls/${TABLE}/index.m3u8?t=${await t.token(TABLE, 'view')}`);
        const s = text === undefined ? [] : segmentsOf(text).filter((x) => pick(x.uri));
        return s.length >= 3 ? s : undefined;
      },
      30_000,
      100,
    );
    for (const s of segments.slice(0, 3)) {
      const frames = await framesOf(s.uri);
      expect(frames.length, `${label}: frames of ${s.uri}`).toBeGreaterThan(0);
      const first = frames[0]!.ptsS;
      // A frame right after a packager restart may be too blocky for its timecode's CRC.
      const read = frames.filter((f) => f.studioMs !== null);
      expect(read.length, `${label}: readable timecodes in ${s.uri}`).toBeGreaterThanOrEqual(0.9 * frames.length);
      for (const f of read) {
        // Date + offset into the segment, exact up to the rounding of the date, the timecode and the PTS.
        const mapped = s.pdt + (f.ptsS - first) * 1000;
        expect(Math.abs(mapped - (f.studioMs as number)), `${label}: ${s.uri} at ${f.ptsS}`).toBeLessThanOrEqual(3);
      }
    }
  }

  it('dates every segment with the studio time of its first frame, also after a packager crash', async () => {
    const scene = createSimulatedScene('roulette', { tableName: 'PDT', seed: 7, epochMs: Date.now() });
    feed = await TableFeed.create({ tableId: TABLE, scene, target: { host: '127.0.0.1', port: 9 }, ssrc: 4242 });
    const publisher = await t.connect();
    const res = await request(publisher, 'publishRtp', {
      token: await t.token(TABLE, 'publish'),
      tableId: TABLE,
      source: 'camera-1',
      kind: 'video',
      rtpParameters: feed.rtpParameters,
    });
    expect(res.ok).toBe(true);
    const { ip, port } = (res as { data: { ip: string; port: number } }).data;
    await feed.setTarget({ host: ip, port });

    await expectExactDates('first run', (uri) => uri.includes('-1-'));
    const table = t.sfu.tables.get(TABLE)!;
    process.kill(table.hls!.ffmpegPid!, 'SIGKILL');
    await expectExactDates('after the crash', (uri) => uri.includes('-2-'));
  }, 120_000);
});
