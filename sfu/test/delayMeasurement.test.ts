import { ViewerDelaysResponse } from '@live-casino/protocol';
import { createSimulatedScene, TableFeed } from '@live-casino/studio/simulator';
import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatachannelViewer, shutdownWebRtc } from '@live-casino/load-tests';
import { waitFor } from '@live-casino/testing';
import { request, startTestSfu, type TestSfu } from './helpers.js';

const TABLE = 'roulette-1';
const MARGIN_MS = 150;

interface Segment {
  pdt: number;
  uri: string;
}

function segmentsOf(text: string): Segment[] {
  const out: Segment[] = [];
  let pdt = Number.NaN;
  for (const line of text.split('\n')) {
    if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) pdt = Date.parse(line.slice(25));
    else if (line && !line.startsWith('#')) out.push({ pdt, uri: line });
  }
  return out;
}

/**
 * Issue 10: the sfu measures each player's delay itself, from what it sees of that player's own
 * session (never the client's word), and serves it on its operations listener only. HLS needs a
 * view token for the playlist and the session it opens for segments.
 */
describe('sfu viewer delays and HLS access', () => {
  let t: TestSfu;
  let feed: TableFeed | undefined;
  const viewers: DatachannelViewer[] = [];
  beforeAll(async () => {
    t = await startTestSfu({
      SFU_HLS_ENABLED: 'true',
      SFU_HLS_SEGMENT_S: '0.5',
      SFU_HLS_LIST_SIZE: '6',
      SFU_VIEWER_DELAY_POLL_MS: '200',
      SFU_WEBRTC_PLAYOUT_MARGIN_MS: String(MARGIN_MS),
    });
    const scene = createSimulatedScene('roulette', { tableName: 'delays', seed: 3, epochMs: Date.now() });
    feed = await TableFeed.create({ tableId: TABLE, scene, target: { host: '127.0.0.1', port: 9 }, ssrc: 5151 });
    const publisher = await t.connect();
    const res = await request(publisher, 'publishRtp', {
      token: await t.token(TABLE, 'publish', 600, 'studio'),
      tableId: TABLE,
      source: 'camera-1',
      kind: 'video',
      rtpParameters: feed.rtpParameters,
    });
    expect(res.ok).toBe(true);
    const { ip, port } = (res as { data: { ip: string; port: number } }).data;
    await feed.setTarget({ host: ip, port });
  });
  afterAll(async () => {
    for (const v of viewers) v.close();
    feed?.close();
    await t.close();
    shutdownWebRtc();
  });

  async function delays(): Promise<ViewerDelaysResponse> {
    const res = await fetch(`${t.internalUrl}/internal/viewer-delays`);
    expect(res.status).toBe(200);
    const body: unknown = await res.json();
    expect(Value.Check(ViewerDelaysResponse, body)).toBe(true);
    return body as ViewerDelaysResponse;
  }

  const playlistUrl = (token: string) => `${t.url}/hls/${TABLE}/index.m3u8?t=${token}`;

  async function playlist(token: string): Promise<Segment[]> {
    return waitFor(
      'a playlist with 2 segments',
      async () => {
        const res = await fetch(playlistUrl(token));
        const s = res.ok ? segmentsOf(await res.text()) : [];
        return s.length >= 2 ? s : undefined;
      },
      30_000,
      100,
    );
  }

  it('measures a real WebRTC viewer: ingest + RTT/2 + margin, under its token subject', async () => {
    const viewer = await DatachannelViewer.create({
      sfuUrl: t.url,
      tableId: TABLE,
      token: await t.token(TABLE, 'view', 600, 'player-webrtc'),
    });
    viewers.push(viewer);
    await viewer.waitForRtp(20_000);
    const entry = await waitFor(
      'a WebRTC delay for player-webrtc',
      async () => (await delays()).viewers.find((v) => v.playerId === 'player-webrtc' && v.mode === 'webrtc'),
      30_000,
      200,
    );
    console.info(`measured WebRTC delay on loopback: ${entry.delayMs} ms`);
    expect(entry.tableId).toBe(TABLE);
    // Loopback: a few ms of ingest and RTT on top of the margin.
    expect(entry.delayMs).toBeGreaterThanOrEqual(MARGIN_MS);
    expect(entry.delayMs).toBeLessThan(MARGIN_MS + 1000);
    expect(Date.now() - entry.measuredAtMs).toBeLessThan(10_000);
    // Not on the players' port.
    expect((await fetch(`${t.url}/internal/viewer-delays`)).status).toBe(404);
  });

  it('measures an HLS session: fetch time minus the studio time of the segment it fetched', async () => {
    const segments = await playlist(await t.token(TABLE, 'view', 600, 'player-hls'));
    const newest = segments.at(-1)!;
    const before = Date.now();
    const res = await fetch(`${t.url}/hls/${TABLE}/${newest.uri}`);
    const after = Date.now();
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const entry = await waitFor('an HLS delay for player-hls', async () =>
      (await delays()).viewers.find((v) => v.playerId === 'player-hls' && v.mode === 'hls'),
    );
    console.info(`measured HLS delay of the newest segment: ${entry.delayMs} ms`);
    expect(entry.delayMs).toBeGreaterThanOrEqual(Math.round(before - newest.pdt));
    expect(entry.delayMs).toBeLessThanOrEqual(Math.round(after - newest.pdt));
    // An older segment fetched later raises the session's delay (it is the largest of recent fetches).
    await fetch(`${t.url}/hls/${TABLE}/${segments[0]!.uri}`).then((r) => r.arrayBuffer());
    const raised = await waitFor('the raised HLS delay', async () => {
      const e = (await delays()).viewers.find((v) => v.playerId === 'player-hls' && v.mode === 'hls');
      return e && e.delayMs >= Math.round(before - segments[0]!.pdt) ? e : undefined;
    });
    expect(raised.delayMs).toBeGreaterThan(entry.delayMs);
    // The WebRTC entry of the other player is its own line.
    expect((await delays()).viewers.filter((v) => v.playerId === 'player-hls')).toHaveLength(1);
  });

  it('without a view token of this table there is no playlist and no segment', async () => {
    const code = async (url: string) => {
      const res = await fetch(url);
      return { status: res.status, code: ((await res.json()) as { code: string }).code };
    };
    const base = `${t.url}/hls/${TABLE}/index.m3u8`;
    expect(await code(base)).toEqual({ status: 401, code: 'AUTH_TOKEN_MISSING' });
    expect(await code(`${base}?t=garbage`)).toEqual({ status: 401, code: 'AUTH_TOKEN_INVALID' });
    expect(await code(playlistUrl(await t.token(TABLE, 'view', -5)))).toEqual({
      status: 401,
      code: 'AUTH_TOKEN_EXPIRED',
    });
    expect(await code(playlistUrl(await t.token('baccarat-1', 'view')))).toEqual({
      status: 403,
      code: 'AUTH_WRONG_TABLE',
    });
    expect(await code(playlistUrl(await t.token(TABLE, 'publish')))).toEqual({
      status: 403,
      code: 'AUTH_FORBIDDEN_ROLE',
    });

    const segments = await playlist(await t.token(TABLE, 'view', 600, 'player-x'));
    const [file, session] = segments.at(-1)!.uri.split('?s=') as [string, string];
    const segment = `${t.url}/hls/${TABLE}/${file}`;
    expect(await code(segment)).toEqual({ status: 401, code: 'AUTH_TOKEN_MISSING' });
    const [subject, exp, signature] = session.split('.') as [string, string, string];
    // Another subject, a later expiry, a changed signature: the HMAC catches each one.
    const other = Buffer.from('player-y').toString('base64url');
    for (const forged of [`${other}.${exp}.${signature}`, `${subject}.${Number(exp) + 3600}.${signature}`]) {
      expect(await code(`${segment}?s=${forged}`)).toEqual({ status: 401, code: 'AUTH_TOKEN_INVALID' });
    }
    expect(await code(`${segment}?s=${subject}.${exp}.${'A'.repeat(signature.length)}`)).toEqual({
      status: 401,
      code: 'AUTH_TOKEN_INVALID',
    });
    // A session of one table opens no other table's segments.
    expect(await code(`${t.url}/hls/baccarat-1/${file}?s=${session}`)).toEqual({
      status: 401,
      code: 'AUTH_TOKEN_INVALID',
    });
    expect((await fetch(`${segment}?s=${session}`)).status).toBe(200);
  });

  it('a refreshed token is taken on the next playlist fetch: segments carry its later expiry', async () => {
    const first = await playlist(await t.token(TABLE, 'view', 20, 'player-z'));
    const second = await playlist(await t.token(TABLE, 'view', 600, 'player-z'));
    const expOf = (s: Segment) => Number(s.uri.split('?s=')[1]!.split('.')[1]);
    expect(expOf(second.at(-1)!)).toBeGreaterThan(expOf(first.at(-1)!) + 500);
    expect((await fetch(`${t.url}/hls/${TABLE}/${second.at(-1)!.uri}`)).status).toBe(200);
  });
});
