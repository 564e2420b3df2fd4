import { sendTableRequest, TableServiceClient } from '@live-casino/clients';
/**
 * Issue 10, acceptance 1, end to end: the past-posting attack of point 1, played as a hostile player
 * would against the whole platform (`Platform.start`, from the built dist: `npm run build` first),
 * on a roulette and a baccarat table at once.
 *
 * The attacker is a signed-in demo player with a real WebRTC view of the table (node-datachannel; it
 * reads the studio time of each frame it receives from the RTP timestamps and the sfu's studio clock
 * mapping) and an HLS session of the same table that it fetches deliberately late, so that the sfu
 * measures a long HLS delay for it. It claims `reportDelay { mode: 'hls', playoutDelayMs: 5800 }`.
 * Then, round after round, once its fast view shows the outcome beginning (baccarat: the first card
 * leaving the shoe; roulette: anything after the close plus the allowance the server answered), it
 * bets on a frame from before the close (close − 1 ms, close − 500 ms, or no frame at all): every
 * such bet must be refused. Bets sent in the close-in-flight gap (after the frame where betting
 * closes, before the close is known) on a frame at or after the close must not stand either: refused,
 * or refunded with a `betRefused` event. An honest bet well inside the window must be accepted and
 * settle (so that the test cannot pass by refusing everything), and the ledger must stay sound.
 *
 * Timing is only ever waited for, never asserted: a slow machine makes the test slower, not red.
 * About two minutes for three rounds a table (PAST_POSTING_ROUNDS to change it).
 */
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type {
  BetRefusedEvent,
  DelayAnswer,
  GameBet,
  RoundDto,
  StreamGrant,
  TableAck,
  TableClientToServer,
  TableRequest,
  TableRequestName,
  TableResponses,
  TableServerToClient,
  ViewerDelaysResponse,
} from '@live-casino/protocol';
import { BACCARAT_TIMELINE, ROULETTE_TIMELINE } from '@live-casino/studio/simulator';
import pg from 'pg';
import { pino } from 'pino';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '@live-casino/testing';
import { Platform, REPO_ROOT } from '@live-casino/testing/platform';
import { checkLedger, Database } from '@live-casino/table-service';
import { DatachannelViewer, shutdownWebRtc } from '../src/viewers/DatachannelViewer.js';

const ROUNDS = Number(process.env.PAST_POSTING_ROUNDS ?? 3);
const CLAIMED_HLS_DELAY_MS = 5800;
const STAKE = 100;

type Game = 'roulette' | 'baccarat';

interface TableUnderAttack {
  tableId: string;
  game: Game;
  /** The demo player who attacks this table. */
  username: string;
  /** Studio time from the round's opening frame to its closing frame, in the simulator's script. */
  closeAfterOpenMs: number;
  honestBet: GameBet;
  lateBet: GameBet;
  /**
   * How long after the close the attacker waits on its fast view before each volley of late bets:
   * the first moment the outcome begins to show, then later ones when it shows more.
   */
  lateOffsetsMs(allowanceMs: number | null): { label: string; afterCloseMs: number }[];
}

/** The first card of a coup leaves the shoe a slide and a turn before it lies face up. */
const FIRST_CARD_OUT_MS =
  (BACCARAT_TIMELINE.firstFour[0] as number) -
  BACCARAT_TIMELINE.slideMs -
  BACCARAT_TIMELINE.turnMs -
  BACCARAT_TIMELINE.bettingClosed;

const TABLES: TableUnderAttack[] = [
  {
    tableId: 'roulette-attack',
    game: 'roulette',
    username: 'demo7',
    closeAfterOpenMs: ROULETTE_TIMELINE.bettingClosed,
    honestBet: { type: 'black' },
    lateBet: { type: 'red' },
    lateOffsetsMs: (allowanceMs) => [
      // Past the late time the server said this player has (0 at roulette: the ball is in flight).
      { label: 'past-allowance', afterCloseMs: (allowanceMs ?? 0) + 1 },
      { label: 'close-plus-1s', afterCloseMs: 1000 },
      { label: 'ball-drops', afterCloseMs: ROULETTE_TIMELINE.ballDrops - ROULETTE_TIMELINE.bettingClosed },
    ],
  },
  {
    tableId: 'baccarat-attack',
    game: 'baccarat',
    username: 'demo8',
    closeAfterOpenMs: BACCARAT_TIMELINE.bettingClosed,
    honestBet: { type: 'banker' },
    lateBet: { type: 'player' },
    lateOffsetsMs: () => [
      { label: 'first-card-out', afterCloseMs: FIRST_CARD_OUT_MS },
      {
        label: 'first-card-up',
        afterCloseMs: (BACCARAT_TIMELINE.firstFour[0] as number) - BACCARAT_TIMELINE.bettingClosed,
      },
      {
        label: 'four-cards-up',
        afterCloseMs: (BACCARAT_TIMELINE.firstFour[3] as number) - BACCARAT_TIMELINE.bettingClosed,
      },
    ],
  },
];

/** A round as its events carry it. */
type RoundView = RoundDto;

type AttemptKind = 'honest' | 'late' | 'gap';

interface Attempt {
  tableId: string;
  round: number;
  roundId: string;
  kind: AttemptKind;
  label: string;
  clientBetId: string;
  frameStudioMs: number | undefined;
  /** Date.now() when sent: the studio clock, since the studio runs on this machine. */
  sentAtMs: number;
  /** Whether this client had heard of the close when it sent the bet. */
  closeKnownAtSend: boolean;
  answer: TableAck<TableResponses['placeBet']>;
  /** The close of the round, once known. */
  closesAtStudioMs?: number;
  revealsAtStudioMs?: number | null;
  refused?: BetRefusedEvent;
  /** The bet's status after the round settled; undefined: no bet was ever recorded. */
  finalStatus?: string;
}

interface TableReport {
  table: TableUnderAttack;
  playerId: string;
  measured: { webrtc: number | undefined; hls: number | undefined };
  delayAnswer: DelayAnswer;
  /** How old the latest frame of the fast view was, sampled once a round: its real delay. */
  viewDelaysMs: number[];
  attempts: Attempt[];
}

type TableSocket = Socket<TableServerToClient, TableClientToServer>;

async function request<N extends TableRequestName>(
  socket: TableSocket,
  name: N,
  body: TableRequest<N>,
): Promise<TableAck<TableResponses[N]>> {
  return sendTableRequest(socket, name, body);
}

/**
 * The attacker's slow HLS session: it fetches the playlist with its token, waits, then fetches the
 * oldest segment listed, so that every segment it takes is seconds old (the sfu measures its delay
 * from exactly that) and nothing it fetched could show it anything sooner.
 */
function startSlowHls(hlsUrl: string): { stop(): void; segments(): number } {
  let stopped = false;
  let segments = 0;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  void (async () => {
    while (!stopped) {
      try {
        const res = await fetch(hlsUrl, { signal: AbortSignal.timeout(5000) });
        const playlist = res.ok ? await res.text() : '';
        const oldest = playlist.split('\n').find((line) => line !== '' && !line.startsWith('#'));
        await sleep(1000);
        if (oldest && !stopped) {
          const segment = await fetch(new URL(oldest, hlsUrl), { signal: AbortSignal.timeout(5000) });
          if (segment.ok) segments++;
          await segment.arrayBuffer();
        }
      } catch {
        // Not live yet, or the platform is stopping: try again.
      }
      await sleep(1000);
    }
  })();
  return {
    stop: () => {
      stopped = true;
    },
    segments: () => segments,
  };
}

let platform: Platform | undefined;
let dataDir: string;
let database: { url: string; admin: string; name: string } | undefined;
const cleanups: (() => void | Promise<void>)[] = [];

beforeAll(async () => {
  for (const built of ['sfu/dist/main.js', 'table-service/dist/main.js', 'studio/dist/publisher/main.js']) {
    if (!existsSync(path.join(REPO_ROOT, built))) throw new Error(`${built} missing: run \`npm run build\` first`);
  }
  dataDir = mkdtempSync(path.join(tmpdir(), 'past-posting-'));
  // Without DATABASE_URL, table-service runs an embedded PostgreSQL in here as another OS user.
  chmodSync(dataDir, 0o755);
  const env: Record<string, string> = {};
  if (process.env.DATABASE_URL) {
    // A database of its own on the test server (table-service creates and migrates it).
    const url = new URL(process.env.DATABASE_URL);
    const name = `past_posting_${process.pid}_${Date.now().toString(36)}`;
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    const own = url.toString();
    url.pathname = '/postgres';
    database = { url: own, admin: url.toString(), name };
  }
  const rtcMinPort = 47_000 + (process.pid % 20) * 40;
  platform = await Platform.start({
    dataDir,
    tableServicePort: await freePort(),
    sfuPort: await freePort(),
    sfuInternalPort: await freePort(),
    visionPort: await freePort(),
    rtcMinPort,
    rtcMaxPort: rtcMinPort + 39,
    sfuWorkers: 1,
    tables: TABLES.map((t) => ({ tableId: t.tableId, name: t.tableId, game: t.game })),
    vision: false,
    output: 'quiet',
    logLevel: 'warn',
    env,
  });
  await platform.waitLive(60_000);
}, 120_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await platform?.stop();
  shutdownWebRtc();
  if (database) {
    const admin = new pg.Client({ connectionString: database.admin });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(database.name)} WITH (FORCE)`);
    await admin.end();
  }
  if (dataDir && !process.env.PAST_POSTING_KEEP) rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

/** One attacker at one table, for ROUNDS rounds. */
async function attackTable(p: Platform, table: TableUnderAttack): Promise<TableReport> {
  const tableService = new TableServiceClient({ baseUrl: p.urls.tableService });
  const session = await tableService.login(table.username, 'demo-password');
  const login = { token: session.token, playerId: session.player.id };
  const grant: StreamGrant = await tableService.streamGrant(table.tableId);

  // The fast view: a real WebRTC consumer of the table, reading each frame's studio time.
  const viewer = await DatachannelViewer.create({
    sfuUrl: grant.sfuUrl,
    tableId: table.tableId,
    token: grant.token,
    name: `attacker-${table.tableId}`,
  });
  cleanups.push(() => viewer.close());
  const frameAtLeast = (studioMs: number, what: string): Promise<number> =>
    waitFor(
      `${table.tableId}: a frame at or past ${what}`,
      () => {
        const frame = viewer.latestFrameStudioMs();
        return frame !== null && frame >= studioMs ? frame : undefined;
      },
      30_000,
      5,
    );
  await waitFor(`${table.tableId}: studio time of the WebRTC view`, () => viewer.latestFrameStudioMs() ?? undefined);

  // The slow view the attacker pretends to watch.
  const hls = startSlowHls(grant.hlsUrl);
  cleanups.push(() => hls.stop());

  const socket: TableSocket = io(p.urls.tableService, {
    transports: ['websocket'],
    auth: { token: login.token },
    forceNew: true,
    reconnection: false,
  });
  cleanups.push(() => {
    socket.close();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const rounds = new Map<string, RoundView>();
  const opened: { round: RoundView; receivedAtMs: number }[] = [];
  const refusedEvents = new Map<string, BetRefusedEvent>();
  socket.on('round', (ev) => {
    if (ev.tableId !== table.tableId) return;
    const round = ev.round;
    rounds.set(round.roundId, round);
    if (ev.event === 'BETTING_OPEN') opened.push({ round, receivedAtMs: Date.now() });
  });
  socket.on('betRefused', (ev) => refusedEvents.set(ev.clientBetId, ev));
  const subscribed = await request(socket, 'subscribe', { tableId: table.tableId });
  expect(subscribed.ok, JSON.stringify(subscribed)).toBe(true);

  // What the sfu measured for this player's own sessions (the server's word, not the client's).
  const measuredBySfu = async (): Promise<{ webrtc: number | undefined; hls: number | undefined }> => {
    const res = await fetch(`${p.urls.sfuInternal}/internal/viewer-delays`, { signal: AbortSignal.timeout(2000) });
    const { viewers } = (await res.json()) as ViewerDelaysResponse;
    const mine = viewers.filter((v) => v.playerId === login.playerId && v.tableId === table.tableId);
    return {
      webrtc: mine.find((v) => v.mode === 'webrtc')?.delayMs,
      hls: mine.find((v) => v.mode === 'hls')?.delayMs,
    };
  };
  await waitFor(
    `${table.tableId}: the sfu measuring the attacker's WebRTC and HLS sessions`,
    async () => {
      const m = await measuredBySfu();
      return m.webrtc !== undefined && m.hls !== undefined && hls.segments() >= 2 ? m : undefined;
    },
    60_000,
    250,
  );
  const claim = (): Promise<TableAck<DelayAnswer>> =>
    request(socket, 'reportDelay', { mode: 'hls', playoutDelayMs: CLAIMED_HLS_DELAY_MS, tableId: table.tableId });
  // table-service polls the sfu once a second: wait until it knows what the sfu measured.
  let delayAnswer = await waitFor(
    `${table.tableId}: table-service knowing the attacker's measured delay`,
    async () => {
      const ack = await claim();
      return ack.ok && ack.data.measuredDelayMs !== null ? ack.data : undefined;
    },
    30_000,
    600,
  );
  const measured = await measuredBySfu();

  const attempts: Attempt[] = [];
  let sequence = 0;
  const placeBet = async (
    roundIndex: number,
    round: RoundView,
    kind: AttemptKind,
    label: string,
    frameStudioMs: number | undefined,
  ): Promise<Attempt> => {
    const clientBetId = `${kind}-${roundIndex}-${label}-${sequence++}`;
    const sentAtMs = Date.now();
    const closeKnownAtSend = (rounds.get(round.roundId)?.closesAtStudioMs ?? null) !== null;
    const answer = await request(socket, 'placeBet', {
      clientBetId,
      roundId: round.roundId,
      bet: kind === 'honest' ? table.honestBet : table.lateBet,
      stake: STAKE,
      ...(frameStudioMs === undefined ? {} : { frameStudioMs: Math.floor(frameStudioMs) }),
    });
    const attempt: Attempt = {
      tableId: table.tableId,
      round: roundIndex,
      roundId: round.roundId,
      kind,
      label,
      clientBetId,
      frameStudioMs: frameStudioMs === undefined ? undefined : Math.floor(frameStudioMs),
      sentAtMs,
      closeKnownAtSend,
      answer,
    };
    attempts.push(attempt);
    return attempt;
  };

  const setupDoneAt = Date.now();
  let taken = 0;
  const attacked: RoundView[] = [];
  const viewDelaysMs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // A round whose opening this client saw live, with its window still ahead.
    const { round } = await waitFor(
      `${table.tableId}: round ${r + 1} opening`,
      () => {
        while (taken < opened.length) {
          const next = opened[taken++]!;
          if (next.receivedAtMs >= setupDoneAt && Date.now() < next.round.opensAtStudioMs + 3000) return next;
        }
        return undefined;
      },
      60_000,
    );
    attacked.push(round);
    const expectedCloseMs = round.opensAtStudioMs + table.closeAfterOpenMs;

    // The control: an honest bet on a frame well inside the window.
    const honestFrame = await frameAtLeast(round.opensAtStudioMs + 1000, 'the open window');
    viewDelaysMs.push(Math.round(Date.now() - (viewer.latestFrameStudioMs() ?? honestFrame)));
    await placeBet(r, round, 'honest', 'open-window', honestFrame);
    const fresh = await claim();
    if (fresh.ok) delayAnswer = fresh.data;

    // The close in flight: the studio films the closing frame, the close is not known yet. The
    // script's close falls on the first frame at or after it (a frame lasts 33 ms), so a frame 34 ms
    // past it is at or after the close. One bet goes just before that frame exists (the window takes
    // frames up to 150 ms ahead of arrival as clock skew), one as it is filmed, one without a frame,
    // and one on that frame as the WebRTC view shows it.
    const afterCloseFrameMs = expectedCloseMs + 34;
    const studioClockAt = (ms: number) =>
      waitFor(
        `${table.tableId}: the studio clock reaching ${ms}`,
        () => (Date.now() >= ms ? true : undefined),
        30_000,
        1,
      );
    await studioClockAt(expectedCloseMs - 20);
    const gap = [placeBet(r, round, 'gap', 'ahead', afterCloseFrameMs)];
    await studioClockAt(afterCloseFrameMs);
    gap.push(placeBet(r, round, 'gap', 'studio-clock', afterCloseFrameMs));
    gap.push(placeBet(r, round, 'gap', 'no-frame', undefined));
    const closingFrame = await frameAtLeast(afterCloseFrameMs, 'the closing frame');
    gap.push(placeBet(r, round, 'gap', 'webrtc-frame', closingFrame));
    await Promise.all(gap);

    const closesAtStudioMs = await waitFor(`${table.tableId}: round ${r + 1} closing`, () => {
      return rounds.get(round.roundId)?.closesAtStudioMs ?? undefined;
    });
    // The attack proper: the outcome is showing on the fast view; bet on a frame from before it.
    for (const { label, afterCloseMs } of table.lateOffsetsMs(delayAnswer.allowanceMs)) {
      await frameAtLeast(closesAtStudioMs + afterCloseMs, label);
      await Promise.all([
        placeBet(r, round, 'late', `${label}.close-1`, closesAtStudioMs - 1),
        placeBet(r, round, 'late', `${label}.close-500`, closesAtStudioMs - 500),
        placeBet(r, round, 'late', `${label}.no-frame`, undefined),
      ]);
    }
  }

  // Each round settled: what became of every bet, from the platform's own records.
  for (const round of attacked) {
    const settled = await waitFor(
      `${table.tableId}: round ${round.roundId} settling`,
      async () => {
        const res = await fetch(`${p.urls.tableService}/v1/rounds/${round.roundId}`, {
          headers: { authorization: `Bearer ${login.token}` },
          signal: AbortSignal.timeout(5000),
        });
        const body = (await res.json()) as {
          round: RoundView;
          bets: { clientBetId: string; status: string }[];
        };
        return body.round.state === 'SETTLED' ? body : undefined;
      },
      60_000,
      500,
    );
    for (const attempt of attempts.filter((a) => a.roundId === round.roundId)) {
      attempt.closesAtStudioMs = settled.round.closesAtStudioMs ?? undefined;
      attempt.revealsAtStudioMs = settled.round.revealsAtStudioMs;
      attempt.finalStatus = settled.bets.find((b) => b.clientBetId === attempt.clientBetId)?.status;
      attempt.refused = refusedEvents.get(attempt.clientBetId);
    }
  }
  return { table, playerId: login.playerId, measured, delayAnswer, viewDelaysMs, attempts };
}

const STANDING = new Set(['placed', 'won', 'lost', 'push']);
const refusedAsClosed = (a: Attempt): boolean => !a.answer.ok && a.answer.error.code === 'TABLE_BETTING_CLOSED';
/** A gap bet is one on a frame at or after the close (or, without a frame, sent after it). */
const reallyAfterClose = (a: Attempt): boolean =>
  a.closesAtStudioMs !== undefined && (a.frameStudioMs ?? a.sentAtMs) >= a.closesAtStudioMs;

function describeAttempt(a: Attempt): string {
  const close = a.closesAtStudioMs;
  const rel = (ms: number | undefined | null) =>
    ms === undefined || ms === null || close === undefined ? String(ms) : `C${ms - close >= 0 ? '+' : ''}${ms - close}`;
  return JSON.stringify({
    table: a.tableId,
    round: a.roundId,
    bet: a.clientBetId,
    frame: rel(a.frameStudioMs),
    sent: rel(a.sentAtMs),
    reveal: rel(a.revealsAtStudioMs),
    closeKnownAtSend: a.closeKnownAtSend,
    answer: a.answer,
    betRefused: a.refused?.reason,
    finalStatus: a.finalStatus,
  });
}

describe('past posting (issue 10, acceptance 1)', () => {
  it(`refuses every late bet of an attacker with a fast WebRTC view and a claimed HLS delay, ${ROUNDS} rounds a table`, async () => {
    const p = platform as Platform;
    const reports = await Promise.all(TABLES.map((t) => attackTable(p, t)));

    const problems: string[] = [];
    for (const { table, playerId, measured, delayAnswer, viewDelaysMs, attempts } of reports) {
      const late = attempts.filter((a) => a.kind === 'late');
      const gap = attempts.filter((a) => a.kind === 'gap');
      const honest = attempts.filter((a) => a.kind === 'honest');
      const gapAfterClose = gap.filter(reallyAfterClose);
      console.log(
        [
          `[past-posting] ${table.tableId} (${table.game}), attacker ${playerId}:`,
          `  sfu measured webrtc ${measured.webrtc} ms, hls ${measured.hls} ms; claimed hls ${CLAIMED_HLS_DELAY_MS} ms; the fast view's frames were ${viewDelaysMs.join(', ')} ms old`,
          `  answer: measured ${delayAnswer.measuredDelayMs} ms, allowance ${delayAnswer.allowanceMs} ms, reveal cap ${delayAnswer.revealCapMs} ms`,
          `  late bets after the outcome began to show: ${late.length} attempts, ${late.filter(refusedAsClosed).length} refused, ${late.filter((a) => a.answer.ok).length} accepted`,
          `  close-in-flight bets (frame at/after the close): ${gapAfterClose.length} (${gapAfterClose.filter((a) => !a.closeKnownAtSend).length} sent before the close was known), ` +
            `${gapAfterClose.filter(refusedAsClosed).length} refused, ${gapAfterClose.filter((a) => a.answer.ok && a.refused).length} taken then refunded, ` +
            `${gapAfterClose.filter((a) => a.finalStatus !== undefined && STANDING.has(a.finalStatus)).length} stood` +
            (gap.length > gapAfterClose.length
              ? `; ${gap.length - gapAfterClose.length} not after the close, not judged`
              : ''),
          `  honest bets: ${honest.length}, ${honest.filter((a) => a.answer.ok).length} accepted, ${honest.filter((a) => a.finalStatus && ['won', 'lost', 'push'].includes(a.finalStatus)).length} settled`,
        ].join('\n'),
      );
      for (const a of late) {
        if (!refusedAsClosed(a) || (a.finalStatus !== undefined && a.finalStatus !== 'refunded')) {
          problems.push(`late bet not refused: ${describeAttempt(a)}`);
        }
      }
      for (const a of gapAfterClose) {
        const stood = a.finalStatus !== undefined && STANDING.has(a.finalStatus);
        if (stood) problems.push(`close-in-flight bet stood: ${describeAttempt(a)}`);
        else if (a.answer.ok && !a.refused) problems.push(`refunded without a betRefused event: ${describeAttempt(a)}`);
        else if (!a.answer.ok && a.answer.error.code !== 'TABLE_BETTING_CLOSED') {
          problems.push(`refused for another reason: ${describeAttempt(a)}`);
        }
      }
      for (const a of honest) {
        if (!a.answer.ok || !a.finalStatus || !['won', 'lost', 'push'].includes(a.finalStatus)) {
          problems.push(`honest bet not accepted and settled: ${describeAttempt(a)}`);
        }
      }
      expect(late.length).toBe(ROUNDS * 9);
      expect(honest.length).toBe(ROUNDS);
    }
    expect(problems).toEqual([]);

    // Money conserved through all of it (`npm run ledger:check`).
    const db = await Database.create({
      databaseUrl: database?.url,
      dataDir: path.join(dataDir, 'pg'),
      log: pino({ level: 'silent' }),
      poolMax: 2,
      migrate: false,
    });
    try {
      const report = await checkLedger(db.pool);
      console.log(`[past-posting] ledger: ${report.ok ? 'sound' : 'VIOLATED'} over ${report.transfers} transfers`);
      expect(report.violations).toEqual([]);
      expect(report.ok).toBe(true);
    } finally {
      await db.close();
    }
  }, 300_000);
});
