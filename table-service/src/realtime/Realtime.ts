import {
  AppError,
  type ChatMute,
  type ChatUnmute,
  type TableAck,
  type TableClientToServer,
  type TableRequest,
  type TableRequestName,
  TableRequests,
  type TableResponses,
  type TableServerToClient,
  type TableSnapshot,
  toErrorBody,
} from '@live-casino/protocol';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import type { Role, Session, SessionTokens } from '../auth/SessionTokens.js';
import type { Chat } from '../chat/Chat.js';
import { type BetIntake, refusalMessage } from '../bets/BetIntake.js';
import type { Database } from '../db/Database.js';
import type { TableMetrics } from '../metrics.js';
import { listAlerts } from '../rounds/Alerts.js';
import { type Rounds, walletAccountId } from '../rounds/Rounds.js';
import { DEFAULT_SOCKET_RATE_LIMITS, SocketRateLimits, type SocketRateLimitsConfig } from './SocketRateLimits.js';

interface SocketData {
  token: string | undefined;
  limits: SocketRateLimits;
}

type TableSocket = Socket<TableClientToServer, TableServerToClient, Record<string, never>, SocketData>;

const checkers = Object.fromEntries(
  Object.entries(TableRequests).map(([name, schema]) => [name, TypeCompiler.Compile(schema)]),
) as { [N in TableRequestName]: ReturnType<typeof TypeCompiler.Compile<(typeof TableRequests)[N]>> };

export interface RealtimeOptions {
  httpServer: HttpServer;
  db: Database;
  rounds: Rounds;
  intake: BetIntake;
  chat: Chat;
  sessions: SessionTokens;
  tableIds: ReadonlySet<string>;
  log: Logger;
  /** Cross-node fan-out (the Redis streams adapter); in-memory when absent. */
  adapter?: ServerOptions['adapter'];
  /** Bets answered over the socket are counted and timed here. */
  metrics?: Pick<TableMetrics, 'betDone'>;
  /** Token buckets per socket; DEFAULT_SOCKET_RATE_LIMITS when absent. */
  rateLimits?: SocketRateLimitsConfig;
}

/**
 * Realtime for players and the studio: round events pushed after commit with the table's
 * round-log sequence number, bets over the socket, and alerts to the pit bosses who subscribed.
 * Nothing here is a source of truth: a client that misses an event resyncs from the snapshot (or,
 * for alerts, GET /v1/alerts).
 */
export class Realtime {
  readonly io: Server<TableClientToServer, TableServerToClient, Record<string, never>, SocketData>;
  readonly #opts: RealtimeOptions;

  constructor(opts: RealtimeOptions) {
    this.#opts = opts;
    this.io = new Server(opts.httpServer, {
      cors: { origin: true },
      maxHttpBufferSize: 16 * 1024,
      ...(opts.adapter ? { adapter: opts.adapter } : {}),
    });
    opts.rounds.on('event', (ev) => this.io.to(room(ev.tableId)).emit('round', ev));
    opts.rounds.on('alert', (alert) => this.io.to(ALERTS_ROOM).emit('alert', alert));
    // Events come after commit; only the node that moved the round sees it, and the adapter carries
    // the balances to the players' sockets on every node.
    opts.rounds.on('event', (ev) => {
      if (ev.event === ev.round.state && (ev.round.state === 'SETTLED' || ev.round.state === 'VOIDED')) {
        void this.#sendRoundBalances(ev.round.roundId);
      }
    });
    // A bet taken while the close was on its way and then refunded as late: its player hears at once.
    opts.rounds.on('betsRefunded', ({ bets }) => {
      for (const bet of bets) {
        this.io.to(playerRoom(bet.playerId)).emit('betRefused', {
          betId: bet.betId,
          clientBetId: bet.betId.slice(bet.playerId.length + 1),
          roundId: bet.roundId,
          tableId: bet.tableId,
          stake: bet.stake,
          currency: bet.currency,
          code: 'TABLE_BETTING_CLOSED',
          reason: bet.reason,
          message: `refunded: ${refusalMessage(bet.reason)}`,
        });
      }
      for (const playerId of new Set(bets.map((b) => b.playerId))) void this.#sendWalletBalance(playerId);
    });
    this.io.on('connection', (socket) => this.#onConnection(socket));
  }

  /** The table's current round and the sequence number it is current as of. */
  async snapshot(tableId: string): Promise<TableSnapshot> {
    if (!this.#opts.tableIds.has(tableId)) throw new AppError('TABLE_NOT_FOUND', `no table ${tableId}`);
    // Read in one statement so the round and the seq belong together.
    const { rows } = await this.#opts.db.query<{ seq: number | null }>(
      'SELECT max(seq) AS seq FROM round_log WHERE table_id = $1',
      [tableId],
    );
    const round = await this.#opts.rounds.current(tableId);
    return { tableId, seq: rows[0]?.seq ?? 0, round: round ? { ...round } : null };
  }

  #onConnection(socket: TableSocket): void {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    socket.data.token = typeof auth?.token === 'string' ? auth.token : undefined;
    socket.data.limits = new SocketRateLimits(this.#opts.rateLimits ?? DEFAULT_SOCKET_RATE_LIMITS, performance.now());
    if (socket.data.token !== undefined) {
      // A player's sockets share a room, for what is theirs alone (balances, refused bets).
      this.#opts.sessions
        .verify(socket.data.token)
        .then((session) => (session.role === 'player' ? socket.join(playerRoom(session.userId)) : undefined))
        .catch(() => undefined);
    }
    socket.on(
      'subscribe',
      this.#handler(socket, 'subscribe', undefined, async (req) => {
        const snap = await this.snapshot(req.tableId);
        await socket.join(room(req.tableId));
        return snap;
      }),
    );
    socket.on(
      'unsubscribe',
      this.#handler(socket, 'unsubscribe', undefined, async (req) => {
        await socket.leave(room(req.tableId));
        return {};
      }),
    );
    socket.on(
      'placeBet',
      this.#handler(socket, 'placeBet', 'player', async (req, session) => {
        const bet = await this.#opts.intake.place(session!.userId, req);
        // Absent on a replay: the balance did not move. This socket has it in the ack; the player's
        // other sockets (a second tab, the phone) hear it. One frame per bet, not two: at thousands of
        // bets a second the second frame was a tenth of the service's time (writev) and as much again
        // in every client.
        if (bet.balance !== undefined && this.#mayHaveOtherSockets(socket, session!.userId)) {
          socket.to(playerRoom(session!.userId)).emit('balance', { amount: bet.balance, currency: bet.currency });
        }
        return { ...bet };
      }),
    );
    socket.on(
      'cancelBet',
      this.#handler(socket, 'cancelBet', 'player', async (req, session) => {
        const bet = await this.#opts.intake.cancel(session!.userId, req.clientBetId);
        void this.#sendWalletBalance(session!.userId);
        return { ...bet };
      }),
    );
    socket.on(
      'reportDelay',
      this.#handler(socket, 'reportDelay', 'player', async (req, session) => {
        return this.#opts.intake.reportDelay(session!.userId, req.tableId);
      }),
    );
    socket.on(
      'sendChat',
      this.#handler(socket, 'sendChat', ['player', 'dealer', 'pitboss'], async (req, session) => {
        const { message, replayed } = await this.#opts.chat.send(session!, req);
        // The sender has it in the answer at once; the room (the sender's other tabs too) in order.
        if (!replayed) this.io.to(room(req.tableId)).emit('chat', message);
        return message;
      }),
    );
    socket.on(
      'subscribeAlerts',
      this.#handler(socket, 'subscribeAlerts', 'pitboss', async () => {
        await socket.join(ALERTS_ROOM);
        return { alerts: await listAlerts(this.#opts.db.pool, { open: true, limit: 500 }) };
      }),
    );
  }

  /** The listener of one request: rate limit, session and role, schema, then `fn`, answered by the ack. */
  #handler<N extends TableRequestName>(
    socket: TableSocket,
    name: N,
    /** The role (or one of the roles) the request needs, checked on every request; undefined: anyone. */
    role: Role | readonly Role[] | undefined,
    fn: (req: TableRequest<N>, session: Session | undefined) => Promise<TableResponses[N]>,
  ): (req: TableRequest<N>, ack: (res: TableAck<TableResponses[N]>) => void) => void {
    const handler = async (req: TableRequest<N>, send: (res: TableAck<TableResponses[N]>) => void): Promise<void> => {
      // A client that sends no acknowledgement gets no answer, and no work is done for it.
      if (typeof send !== 'function') return;
      const startedAt = performance.now();
      const reply = (res: TableAck<TableResponses[N]>): void => {
        send(res);
        if (name !== 'placeBet') return;
        const data = res.ok ? (res.data as { tableId?: string }) : undefined;
        const sent: unknown = req;
        const roundId =
          typeof sent === 'object' && sent !== null && 'roundId' in sent && typeof sent.roundId === 'string'
            ? sent.roundId
            : undefined;
        const outcome = res.ok ? 'placed' : res.error.code;
        this.#opts.metrics?.betDone('socket', (performance.now() - startedAt) / 1000, roundId, outcome, data?.tableId);
      };
      // Before anything else: a flood must cost no session check and no database work.
      const waitMs = socket.data.limits.take(name, startedAt);
      if (waitMs > 0) {
        reply({
          ok: false,
          error: {
            code: 'RATE_LIMITED',
            message: `too many ${name} on this connection: retry in ${Math.ceil(waitMs)} ms`,
            retryAfterS: Math.ceil(waitMs / 1000),
          },
        });
        return;
      }
      try {
        let session: Session | undefined;
        if (role) {
          // Checked on every request, so an expired session cannot keep betting on an old socket.
          session = await this.#opts.sessions.verify(socket.data.token);
          const roles: readonly Role[] = typeof role === 'string' ? [role] : role;
          if (!roles.includes(session.role)) {
            throw new AppError('AUTH_FORBIDDEN_ROLE', `${name} needs a ${roles.join(' or ')} session`);
          }
        }
        const checker = checkers[name];
        if (!checker.Check(req)) {
          const first = checker.Errors(req).First();
          throw new AppError(
            'BAD_REQUEST',
            first ? `${name}: ${first.path || '/'} ${first.message}` : `${name}: invalid`,
          );
        }
        reply({ ok: true, data: await fn(req, session) });
      } catch (err) {
        const body = toErrorBody(err);
        if (body.code === 'INTERNAL') this.#opts.log.error({ err, request: name }, 'realtime request failed');
        reply({ ok: false, error: body });
      }
    };
    return (req, ack) => void handler(req, ack);
  }

  /**
   * Whether a player may have a socket besides this one. On one node (the in-memory adapter) the
   * room says; across nodes only the adapter knows, so the event goes out. Spares the broadcast
   * machinery per bet (a tenth of the service's time under load) for the usual player: one socket.
   */
  #mayHaveOtherSockets(socket: TableSocket, playerId: string): boolean {
    if (this.#opts.adapter) return true;
    const members = this.io.sockets.adapter.rooms.get(playerRoom(playerId));
    return members !== undefined && (members.size > 1 || !members.has(socket.id));
  }

  #sendBalance(playerId: string, amount: number, currency: string): void {
    this.io.to(playerRoom(playerId)).emit('balance', { amount, currency });
  }

  async #sendWalletBalance(playerId: string): Promise<void> {
    try {
      const { rows } = await this.#opts.db.query<{ balance: string; currency: string }>(
        'SELECT balance, currency FROM accounts WHERE id = $1',
        [walletAccountId(playerId)],
      );
      if (rows[0]) this.#sendBalance(playerId, Number(rows[0].balance), rows[0].currency);
    } catch (err) {
      // A notification only: the client still has GET /v1/me.
      this.#opts.log.warn({ err, playerId }, 'balance notification failed');
    }
  }

  /** Every player with a bet on the round, their wallet as it is now: one query for the whole round. */
  async #sendRoundBalances(roundId: string): Promise<void> {
    try {
      const { rows } = await this.#opts.db.query<{ owner: string; balance: string; currency: string }>(
        `SELECT owner, balance, currency FROM accounts
          WHERE id IN (SELECT DISTINCT $2 || player_id FROM bets WHERE round_id = $1)`,
        [roundId, walletAccountId('')],
      );
      for (const row of rows) this.#sendBalance(row.owner, Number(row.balance), row.currency);
    } catch (err) {
      this.#opts.log.warn({ err, roundId }, 'balance notifications failed');
    }
  }

  /** A pit boss muted a player: every socket of theirs hears it. */
  notifyMuted(mute: ChatMute): void {
    this.io.to(playerRoom(mute.playerId)).emit('chatMuted', mute);
  }

  /** A pit boss lifted a player's mute: every socket of theirs hears it. */
  notifyUnmuted(unmute: ChatUnmute): void {
    this.io.to(playerRoom(unmute.playerId)).emit('chatUnmuted', unmute);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
  }
}

/** Pit bosses' sockets that asked for alerts (every table). */
const ALERTS_ROOM = 'staff:alerts';

function room(tableId: string): string {
  return `table:${tableId}`;
}

/** Every socket of one player (joined on connect when the socket has a player session). */
function playerRoom(playerId: string): string {
  return `player:${playerId}`;
}
