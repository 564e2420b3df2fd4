/**
 * A player process of the bets bench: holds its share of the players' socket.io connections and
 * bets on the parent's orders (IPC, `swarmMessages.ts`). Several of these spread the client side
 * over the cores, so that the bench measures table-service, not its own event loop.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { TableAck, TableClientToServer, TableServerToClient } from '@live-casino/protocol';
import { io, type Socket } from 'socket.io-client';
import { mulberry32, pickBet, tally } from './betPlan.js';
import type { FromSwarm, PhaseResult, SwarmPlayer, ToSwarm } from './swarmMessages.js';

type PlayerSocket = Socket<TableServerToClient, TableClientToServer>;

const ACK_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 20_000;

interface Player {
  playerId: string;
  socket: PlayerSocket;
  bets: number;
}

const players: Player[] = [];
let random = mulberry32(1);

function send(msg: FromSwarm): void {
  process.send?.(msg);
}

async function connectOne(url: string, tableId: string, p: SwarmPlayer): Promise<Player> {
  const socket: PlayerSocket = io(url, {
    transports: ['websocket'],
    auth: { token: p.token },
    forceNew: true,
    reconnection: false,
    timeout: CONNECT_TIMEOUT_MS,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => reject(err));
    });
    const snap = await socket.timeout(CONNECT_TIMEOUT_MS).emitWithAck('subscribe', { tableId });
    if (!snap.ok) throw new Error(`subscribe: ${snap.error.code}`);
  } catch (err) {
    socket.disconnect();
    throw err;
  }
  return { playerId: p.playerId, socket, bets: 0 };
}

async function connectAll(msg: Extract<ToSwarm, { type: 'connect' }>): Promise<void> {
  random = mulberry32(msg.seed);
  const started = performance.now();
  const errors: Record<string, number> = {};
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < msg.players.length) {
      const p = msg.players[next++]!;
      try {
        players.push(await connectOne(msg.url, msg.tableId, p));
      } catch (err) {
        failed++;
        tally(errors, err instanceof Error ? err.message.slice(0, 80) : String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, msg.concurrency) }, worker));
  send({ type: 'connected', connected: players.length, failed, errors, ms: performance.now() - started });
}

type BetOutcome = { ok: true; betId: string } | { ok: false; code: string };

/**
 * Bets waiting for their ack, and when each gives up. One sweep a second times them all out, rather
 * than a timer per bet (`socket.timeout()`): at 10,000 bets a second the timers were a good part of
 * the players' processes, which share the machine with the service they measure.
 */
const awaitingAck = new Set<{ deadline: number; player: Player; resolve: (o: BetOutcome) => void }>();
setInterval(() => {
  const now = performance.now();
  for (const w of awaitingAck) {
    if (w.deadline > now) continue;
    awaitingAck.delete(w);
    w.resolve({ ok: false, code: w.player.socket.connected ? 'ACK_TIMEOUT' : 'DISCONNECTED' });
  }
}, 1000).unref();

/** Places one bet and resolves with its outcome; never rejects. */
function placeBet(player: Player, tag: string, roundId: string): Promise<BetOutcome> {
  const clientBetId = `${tag}-${player.bets++}`;
  const { bet, stake } = pickBet(random);
  return new Promise((resolve) => {
    const waiting = { deadline: performance.now() + ACK_TIMEOUT_MS, player, resolve };
    awaitingAck.add(waiting);
    player.socket.emit('placeBet', { clientBetId, roundId, bet, stake }, (res: TableAck<unknown>) => {
      // Too late: already counted as timed out.
      if (!awaitingAck.delete(waiting)) return;
      if (res.ok) resolve({ ok: true, betId: `${player.playerId}:${clientBetId}` });
      else resolve({ ok: false, code: res.error.code });
    });
  });
}

function newPhase(tag: string): PhaseResult & { startedAt: number; cpu: NodeJS.CpuUsage } {
  return {
    tag,
    sent: 0,
    acceptedIds: [],
    ackMs: [],
    sentAtMs: [],
    acceptedAckMs: [],
    acceptedByDeadline: 0,
    rejected: {},
    cpuMs: 0,
    maxLagMs: 0,
    startedAt: Date.now(),
    cpu: process.cpuUsage(),
  };
}

async function timed(
  phase: ReturnType<typeof newPhase>,
  player: Player,
  roundId: string,
  deadline: number,
): Promise<void> {
  const sentAt = performance.now();
  phase.sent++;
  phase.sentAtMs.push(Date.now() - phase.startedAt);
  const res = await placeBet(player, phase.tag, roundId);
  const ackMs = performance.now() - sentAt;
  phase.ackMs.push(ackMs);
  if (res.ok) {
    phase.acceptedIds.push(res.betId);
    phase.acceptedAckMs.push(ackMs);
    if (Date.now() <= deadline) phase.acceptedByDeadline++;
  } else tally(phase.rejected, res.code);
}

async function runPhase(msg: Extract<ToSwarm, { type: 'round' | 'saturate' }>): Promise<void> {
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const phase = newPhase(msg.tag);
  if (msg.type === 'round') {
    phase.startedAt = msg.startAt;
    await Promise.all(
      players.map(
        (player, i) =>
          new Promise<void>((resolve) => {
            const wait = Math.max(0, msg.startAt + msg.offsetsMs[i]! - Date.now());
            setTimeout(() => void timed(phase, player, msg.roundId, Number.POSITIVE_INFINITY).then(resolve), wait);
          }),
      ),
    );
  } else {
    await Promise.all(
      players.map(async (player) => {
        while (Date.now() < msg.until) await timed(phase, player, msg.roundId, msg.until);
      }),
    );
  }
  lag.disable();
  const cpu = process.cpuUsage(phase.cpu);
  const { startedAt: _s, cpu: _c, ...result } = phase;
  send({ type: 'phase', ...result, cpuMs: (cpu.user + cpu.system) / 1000, maxLagMs: lag.max / 1e6 });
}

function closeAll(): void {
  for (const p of players) p.socket.disconnect();
  process.disconnect?.();
  setTimeout(() => process.exit(0), 200).unref();
}

process.on('message', (msg: ToSwarm) => {
  const run = async () => {
    switch (msg.type) {
      case 'connect':
        return connectAll(msg);
      case 'round':
      case 'saturate':
        return runPhase(msg);
      case 'close':
        return closeAll();
      default:
        return assertUnreachable(msg);
    }
  };
  run().catch((err: unknown) => send({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
});
// Orphaned (the bench died): leave.
process.on('disconnect', () => {
  for (const p of players) p.socket.disconnect();
  process.exit(0);
});

function assertUnreachable(x: never): never {
  throw new Error(`unexpected message ${JSON.stringify(x)}`);
}
