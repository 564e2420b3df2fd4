/**
 * Issue 4, acceptance 2 and 3, end to end: the whole platform (sfu, table-service, the studio
 * simulator with its simulated dealers, the vision worker) as `npm start` runs it, from the built
 * dist (`npm run build` or `tsc -b` first). For ROUNDS consecutive rounds of a roulette and a
 * baccarat table, every reading that reaches table-service must be the simulator's truth (the
 * scene, replayed here from the seed and epoch the simulator logs), the deciding one's delay from
 * the studio time of the frame where the ball settled / the last card lay face up is measured and
 * printed (held to 500 ms with VISION_LATENCY_STRICT=1: tests do not fail on timing by default),
 * and table-service must confirm the round with it. Every WRONG_EVERY-th result the simulated
 * dealer enters is deliberately wrong: that round must hold with an alert (the test then resolves
 * it as the pit boss, so the table goes on).
 *
 * The tables run their real timelines (27 s a roulette round, 25 s a baccarat coup): about
 * 10 minutes for 20 rounds. VISION_LIVE_ROUNDS shortens it for a quick local run.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Card, CardPosition } from '@live-casino/protocol/games/baccarat';
import { BACCARAT_TIMELINE, BaccaratScene, ROULETTE_TIMELINE, RouletteScene } from '@live-casino/studio/simulator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STAFF_PASSWORDS, Platform, REPO_ROOT } from '@live-casino/testing/platform';
import { freePort } from '@live-casino/testing';

const ROUNDS = Number(process.env.VISION_LIVE_ROUNDS ?? 20);
/** The dealer errs on every WRONG_EVERY-th result it enters (SimulatedDealer counts them). */
const WRONG_EVERY = 8;
const LATENCY_LIMIT_MS = 500;
const ROULETTE = 'roulette-live';
const BACCARAT = 'baccarat-live';

interface RoundView {
  roundId: string;
  state: string;
  opensAtStudioMs: number;
  result: unknown;
  confirmedReadingId: string | null;
  hold: { reason: string; alertId: string } | null;
}

interface Reading {
  readingId: string;
  studioMs: number;
  receivedAtMs: number;
  confidence: number;
  result: { pocket: number } | { cards: Card[]; positions: CardPosition[] };
}

interface RoundOutcome {
  tableId: string;
  sceneRound: number;
  roundId: string;
  /** Studio time of the frame that decided the round (ball settled / last card face up). */
  decidedAtMs: number;
  readings: Reading[];
  deciding: Reading | null;
  latencyMs: number | null;
  final: RoundView;
  dealerWasWrong: boolean;
  alertRaised: boolean;
  problems: string[];
}

async function json<T>(url: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

const sameCard = (a: Card, b: Card): boolean => a.rank === b.rank && a.suit === b.suit;
const quantile = (xs: number[], q: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] as number;

let platform: Platform | undefined;
let dataDir: string;
let database: { admin: string; name: string } | undefined;

beforeAll(async () => {
  for (const built of [
    'sfu/dist/main.js',
    'table-service/dist/main.js',
    'studio/dist/publisher/main.js',
    'vision/dist/live/main.js',
  ]) {
    if (!existsSync(path.join(REPO_ROOT, built))) throw new Error(`${built} missing: run \`npm run build\` first`);
  }
  dataDir = mkdtempSync(path.join(tmpdir(), 'vision-live-'));
  // Without DATABASE_URL, table-service runs an embedded PostgreSQL in here as another OS user.
  chmodSync(dataDir, 0o755);
  const env: Record<string, string> = {
    SIMULATED_DEALER_WRONG_EVERY: String(WRONG_EVERY),
    AUTH_RATE_LIMIT_MAX: '1000',
  };
  if (process.env.DATABASE_URL) {
    // A database of its own on the test server (table-service creates and migrates it).
    const url = new URL(process.env.DATABASE_URL);
    const name = `vision_live_${process.pid}_${Date.now().toString(36)}`;
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    url.pathname = '/postgres';
    database = { admin: url.toString(), name };
  }
  const rtcMinPort = 46_000 + (process.pid % 20) * 40;
  platform = await Platform.start({
    dataDir,
    tableServicePort: await freePort(),
    sfuPort: await freePort(),
    // Its own operations port too: 4444 is `npm start`'s.
    sfuInternalPort: await freePort(),
    visionPort: await freePort(),
    rtcMinPort,
    rtcMaxPort: rtcMinPort + 39,
    sfuWorkers: 1,
    tables: [
      { tableId: ROULETTE, name: 'Vision Roulette', game: 'roulette' },
      { tableId: BACCARAT, name: 'Vision Baccarat', game: 'baccarat' },
    ],
    vision: true,
    output: 'quiet',
    logLevel: 'warn',
    env,
  });
  await platform.waitLive(60_000);
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  if (database) {
    const admin = new pg.Client({ connectionString: database.admin });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(database.name)} WITH (FORCE)`);
    await admin.end();
  }
  if (dataDir && !process.env.VISION_LIVE_KEEP) rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

/** The simulator's scenes, replayed from the seed and epoch it logged for each table. */
function replayScenes(): Map<string, { scene: RouletteScene | BaccaratScene; epochMs: number }> {
  const log = readFileSync(path.join(dataDir, 'logs', 'studio-simulator.log'), 'utf8');
  const scenes = new Map<string, { scene: RouletteScene | BaccaratScene; epochMs: number }>();
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as {
      msg?: string;
      tableId?: string;
      game?: string;
      seed?: number;
      epochMs?: number;
    };
    if (entry.msg !== 'table scene' || !entry.tableId) continue;
    const opts = { tableName: entry.tableId, seed: entry.seed as number, epochMs: entry.epochMs as number };
    const scene = entry.game === 'roulette' ? new RouletteScene(opts) : new BaccaratScene(opts);
    scenes.set(entry.tableId, { scene, epochMs: opts.epochMs });
  }
  return scenes;
}

describe('live vision', () => {
  it(
    `reads ${ROUNDS} consecutive rounds of roulette and baccarat correctly, each within ${LATENCY_LIMIT_MS} ms, and catches wrong dealer entries`,
    async () => {
      const p = platform as Platform;
      const base = p.urls.tableService;
      const pitboss = await json<{ token: string }>(`${base}/v1/auth/staff-login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'pitboss', password: DEMO_STAFF_PASSWORDS.pitboss }),
      });
      expect(pitboss.status).toBe(200);
      const auth = { authorization: `Bearer ${pitboss.body.token}` };

      // The worker must be reading both tables (models loaded, video flowing) before rounds count.
      const readyBy = Date.now() + 120_000;
      let health: { status?: string } | undefined;
      while (Date.now() < readyBy) {
        health = (await json<{ status: string }>(`${p.urls.vision}/health`).catch(() => undefined))?.body;
        if (health?.status === 'ok') break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(health?.status, JSON.stringify(health)).toBe('ok');
      const countFrom = Date.now();

      const scenes = replayScenes();
      expect([...scenes.keys()].sort()).toEqual([BACCARAT, ROULETTE]);
      const outcomes: RoundOutcome[] = [];
      const seen = new Map<string, RoundView & { tableId: string }>();
      const finished = new Set<string>();
      const resolving = new Set<string>();
      const done = (tableId: string): number => outcomes.filter((o) => o.tableId === tableId).length;

      const judge = async (view: RoundView & { tableId: string }): Promise<RoundOutcome> => {
        const { scene, epochMs: epoch } = scenes.get(view.tableId) as {
          scene: RouletteScene | BaccaratScene;
          epochMs: number;
        };
        const roulette = scene instanceof RouletteScene;
        const cycle = roulette ? ROULETTE_TIMELINE.cycle : BACCARAT_TIMELINE.cycle;
        const sceneRound = Math.floor((view.opensAtStudioMs - epoch) / cycle);
        const start = epoch + sceneRound * cycle;
        const problems: string[] = [];
        const { body } = await json<{ readings: Reading[] }>(`${base}/v1/rounds/${view.roundId}/readings`, {
          headers: auth,
        });
        const readings = body.readings;
        let decidedAtMs: number;
        let deciding: Reading | null = null;
        if (scene instanceof RouletteScene) {
          const pocket = scene.pocketOf(sceneRound);
          decidedAtMs = start + ROULETTE_TIMELINE.ballSettled;
          for (const r of readings) {
            if (!('pocket' in r.result) || r.result.pocket !== pocket) {
              problems.push(`reading ${JSON.stringify(r.result)} but the ball is in ${pocket}`);
            }
          }
          deciding = readings.find((r) => 'pocket' in r.result && r.result.pocket === pocket) ?? null;
        } else {
          const coup = scene.coupOf(sceneRound);
          const T = BACCARAT_TIMELINE;
          const n = coup.cards.length;
          decidedAtMs = start + (n === 4 ? (T.firstFour[3] as number) : n === 5 ? T.firstThird : T.secondThird);
          for (const r of readings) {
            if (!('cards' in r.result)) {
              problems.push(`reading ${JSON.stringify(r.result)} is not a hand`);
              continue;
            }
            // Every reading is the hand as dealt so far: a prefix of the coup, in dealing order.
            const { cards, positions } = r.result;
            const prefix = coup.cards.slice(0, cards.length);
            const matches = prefix.every((d, i) => positions[i] === d.position && sameCard(d.card, cards[i] as Card));
            if (!matches) {
              problems.push(
                `reading ${positions.map((q, i) => `${q}=${cards[i]?.rank}${cards[i]?.suit}`).join(' ')} is not the deal ${coup.cards.map((d) => `${d.position}=${d.card.rank}${d.card.suit}`).join(' ')}`,
              );
            }
          }
          deciding = readings.find((r) => 'cards' in r.result && r.result.cards.length === n) ?? null;
        }
        if (!deciding) problems.push('no reading of the whole result');
        const latencyMs = deciding ? deciding.receivedAtMs - decidedAtMs : null;
        // Timing is measured and printed always; it fails the test only when asked (the machine's
        // load is not the product's fault): VISION_LATENCY_STRICT=1, as the README's run does.
        if (latencyMs !== null && latencyMs > LATENCY_LIMIT_MS && process.env.VISION_LATENCY_STRICT === '1')
          problems.push(`reading arrived ${latencyMs} ms after the frame`);
        const truth = scene instanceof RouletteScene ? { pocket: scene.pocketOf(sceneRound) } : null;
        const dealerCards = (view.result as { cards?: Card[] } | null)?.cards;
        const dealerWasWrong =
          truth !== null
            ? (view.result as { pocket?: number } | null)?.pocket !== truth.pocket
            : !!dealerCards &&
              !(scene as BaccaratScene)
                .coupOf(sceneRound)
                .cards.every((d, i) => dealerCards[i] && sameCard(d.card, dealerCards[i] as Card));
        let alertRaised = false;
        if (dealerWasWrong) {
          if (view.hold?.reason !== 'disagreement')
            problems.push(`wrong dealer entry not held: ${JSON.stringify(view.hold)}`);
          const alerts = await json<{ roundId: string | null; alertId: string }[]>(`${base}/v1/alerts?limit=50`, {
            headers: auth,
          });
          alertRaised = alerts.body.some((a) => a.roundId === view.roundId && a.alertId === view.hold?.alertId);
          if (!alertRaised) problems.push('no alert for the held round');
        } else if (!view.confirmedReadingId) {
          problems.push(`not confirmed by vision (state ${view.state}, hold ${JSON.stringify(view.hold)})`);
        }
        return {
          tableId: view.tableId,
          sceneRound,
          roundId: view.roundId,
          decidedAtMs,
          readings,
          deciding,
          latencyMs,
          final: view,
          dealerWasWrong,
          alertRaised,
          problems,
        };
      };

      // Follow both tables' rounds until each has ROUNDS judged (bounded by time).
      const deadline = Date.now() + (ROUNDS + 4) * 30_000;
      while (Date.now() < deadline && (done(ROULETTE) < ROUNDS || done(BACCARAT) < ROUNDS)) {
        for (const tableId of [ROULETTE, BACCARAT]) {
          const current = (await json<{ round: RoundView | null }>(`${base}/v1/tables/${tableId}/round`)).body.round;
          const counted = current !== null && current.opensAtStudioMs >= countFrom;
          if (current && counted) seen.set(current.roundId, { ...current, tableId });
          // A held round (counted: judged first, for its hold and alert) is resolved with the
          // truth, as a pit boss would, so that the table goes on.
          if (current?.hold && !resolving.has(current.roundId)) {
            resolving.add(current.roundId);
            const { scene, epochMs } = scenes.get(tableId) as { scene: RouletteScene | BaccaratScene; epochMs: number };
            if (counted) {
              const outcome = await judge({ ...current, tableId });
              if (done(tableId) < ROUNDS) outcomes.push(outcome);
              finished.add(current.roundId);
            }
            const cycle = scene instanceof RouletteScene ? ROULETTE_TIMELINE.cycle : BACCARAT_TIMELINE.cycle;
            const sceneRound = Math.floor((current.opensAtStudioMs - epochMs) / cycle);
            const truth =
              scene instanceof RouletteScene
                ? { pocket: scene.pocketOf(sceneRound) }
                : { cards: scene.coupOf(sceneRound).cards.map((d) => d.card) };
            const resolved = await json(`${base}/v1/rounds/${current.roundId}/resolve`, {
              method: 'POST',
              headers: { ...auth, 'content-type': 'application/json' },
              body: JSON.stringify({ result: truth }),
            });
            if (resolved.status !== 200) {
              process.stdout.write(`could not resolve ${current.roundId}: ${JSON.stringify(resolved.body)}\n`);
            }
          }
          // Rounds no longer current (or confirmed) are over: judge each once.
          for (const view of seen.values()) {
            if (view.tableId !== tableId || finished.has(view.roundId)) continue;
            const over =
              current?.roundId !== view.roundId || view.state === 'RESULT_CONFIRMED' || view.state === 'SETTLED';
            if (!over || done(tableId) >= ROUNDS) continue;
            finished.add(view.roundId);
            outcomes.push(await judge(view));
          }
        }
        await new Promise((r) => setTimeout(r, 200));
      }

      const latencies = outcomes.flatMap((o) => (o.latencyMs === null ? [] : [o.latencyMs]));
      const summary = {
        rounds: outcomes.length,
        latencyMs: latencies.length
          ? { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), max: Math.max(...latencies) }
          : null,
        byTable: Object.fromEntries(
          [ROULETTE, BACCARAT].map((t) => {
            const l = outcomes.filter((o) => o.tableId === t && o.latencyMs !== null).map((o) => o.latencyMs as number);
            return [t, l.length ? { p50: quantile(l, 0.5), p95: quantile(l, 0.95), max: Math.max(...l) } : null];
          }),
        ),
        wrongDealerEntries: outcomes.filter((o) => o.dealerWasWrong).length,
        withinLimit: latencies.filter((l) => l <= LATENCY_LIMIT_MS).length,
        vision: (await json(`${p.urls.vision}/health`)).body,
      };
      process.stdout.write(`vision live acceptance: ${JSON.stringify(summary)}\n`);
      const failures = outcomes.filter((o) => o.problems.length > 0);
      expect(
        failures.map((o) => `${o.tableId} round ${o.sceneRound}: ${o.problems.join('; ')}`),
        JSON.stringify(summary),
      ).toEqual([]);
      expect(done(ROULETTE)).toBe(ROUNDS);
      expect(done(BACCARAT)).toBe(ROUNDS);
      // Every round judged was a distinct, consecutive round of its table.
      for (const tableId of [ROULETTE, BACCARAT]) {
        const rounds = outcomes
          .filter((o) => o.tableId === tableId)
          .map((o) => o.sceneRound)
          .sort((a, b) => a - b);
        expect(rounds, tableId).toEqual(rounds.map((_, i) => (rounds[0] as number) + i));
      }
      if (ROUNDS >= WRONG_EVERY + 1) {
        expect(outcomes.filter((o) => o.tableId === ROULETTE && o.dealerWasWrong).length).toBeGreaterThan(0);
        expect(outcomes.filter((o) => o.tableId === BACCARAT && o.dealerWasWrong).length).toBeGreaterThan(0);
      }
    },
    (ROUNDS + 8) * 30_000,
  );
});
