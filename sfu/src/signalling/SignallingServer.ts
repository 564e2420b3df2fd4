import {
  AppError,
  type SfuAck,
  type SfuClientToServer,
  type SfuRequest,
  type SfuRequestName,
  SfuRequests,
  type SfuResponses,
  type SfuServerToClient,
  type StreamRole,
  readStreamToken,
  toErrorBody,
  type VerifiedStreamToken,
  type importStreamPublicKey,
} from '@live-casino/protocol';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import type { Server, Socket } from 'socket.io';
import type { SfuMetrics } from '../metrics.js';
import type { TableMedia } from '../TableMedia.js';

export type SfuSocket = Socket<SfuClientToServer, SfuServerToClient, Record<string, never>, SocketData>;

/** A socket's peer on one table, held while its latest token is valid. */
interface PeerSession {
  role: StreamRole;
  expiresAtMs: number;
  /** Closes the peer when its token expires unrefreshed. */
  timer: NodeJS.Timeout | undefined;
}

interface SocketData {
  /** Tables this socket has joined, with the role it joined as and until when its token holds. */
  tables: Map<string, PeerSession>;
  /** The subject of the first valid token this socket presented; every later token must match. */
  subject: string | undefined;
  /** Disconnects a socket that never presents a valid token. */
  authTimer: NodeJS.Timeout | undefined;
  /** Tables this socket has opened RTP egresses on (they close with the socket). */
  egressTables: Set<string>;
  /** Token bucket against request floods. */
  bucket: { tokens: number; at: number };
}

export interface SignallingDeps {
  io: Server<SfuClientToServer, SfuServerToClient, Record<string, never>, SocketData>;
  publicKey: Awaited<ReturnType<typeof importStreamPublicKey>>;
  getOrCreateTable: (tableId: string) => Promise<TableMedia>;
  findTable: (tableId: string) => TableMedia | undefined;
  metrics: SfuMetrics;
  log: Logger;
  rateLimit: { burst: number; perSecond: number };
  caps: {
    /** Sockets one subject may hold (egress sockets of services are bounded per table instead). */
    socketsPerSubject: number;
    /** WebRTC transports one subject may hold over all its sockets and tables. */
    transportsPerSubject: number;
    /** A socket with no valid token after this long is disconnected. */
    authTimeoutMs: number;
  };
}

const checkers = Object.fromEntries(
  Object.entries(SfuRequests).map(([name, schema]) => [name, TypeCompiler.Compile(schema)]),
) as { [N in SfuRequestName]: ReturnType<typeof TypeCompiler.Compile<(typeof SfuRequests)[N]>> };

const PEER: readonly StreamRole[] = ['view', 'publish'];
const EGRESS: readonly StreamRole[] = ['egress'];

/** The token roles each request accepts. An egress token opens egresses and nothing else. */
const ALLOWED_ROLES: Record<SfuRequestName, readonly StreamRole[]> = {
  join: PEER,
  createTransport: PEER,
  connectTransport: PEER,
  consume: PEER,
  resumeConsumer: PEER,
  refreshToken: PEER,
  produce: ['publish'],
  publishRtp: ['publish'],
  openEgress: EGRESS,
  resumeEgress: EGRESS,
  requestKeyFrame: EGRESS,
  closeEgress: EGRESS,
};

/** Requests that act on the socket's peer of a table (and so must match the role it joined as). */
const PEER_REQUESTS: ReadonlySet<SfuRequestName> = new Set([
  'createTransport',
  'connectTransport',
  'consume',
  'resumeConsumer',
  'refreshToken',
  'produce',
]);

/**
 * socket.io signalling of the sfu. Every request is answered through its acknowledgement; each
 * one carries a stream token that is verified for the table and role of that very call, so an
 * expired or revoked session cannot keep acting on an old connection. A socket belongs to the
 * subject of its first token; a subject holds a bounded number of sockets and transports; a peer
 * lives as long as its latest token (join, refreshToken, or any later request of the peer), and
 * its transports are closed when that token expires.
 */
export class SignallingServer {
  readonly #deps: SignallingDeps;
  /** Subject → ids of the sockets bound to it (egress-only sockets excepted). */
  readonly #subjects = new Map<string, Set<string>>();

  constructor(deps: SignallingDeps) {
    this.#deps = deps;
    deps.io.on('connection', (socket) => this.#onConnection(socket));
  }

  /** Stops every timer (the sfu is closing). */
  close(): void {
    for (const socket of this.#deps.io.sockets.sockets.values()) {
      clearTimeout(socket.data.authTimer);
      for (const peer of socket.data.tables?.values() ?? []) clearTimeout(peer.timer);
    }
  }

  /** Sends mediareset to the peers a table lost, so their clients join again by themselves. */
  attachTable(table: TableMedia): void {
    const { io } = this.#deps;
    table.on('mediareset', (peerIds, reason) => {
      for (const id of peerIds) io.to(id).emit('mediaReset', { tableId: table.tableId, reason });
    });
    table.on('clock', (mapping) =>
      io.to(room(table.tableId)).emit('studioClock', { ...mapping, tableId: table.tableId }),
    );
    table.on('produceradded', ({ producerId, kind }) =>
      io.to(room(table.tableId)).emit('producerAdded', { tableId: table.tableId, producerId, kind }),
    );
    table.on('egressclosed', ({ ownerId, egressId, reason }) =>
      io.to(ownerId).emit('egressClosed', { tableId: table.tableId, egressId, reason }),
    );
  }

  #onConnection(socket: SfuSocket): void {
    socket.data.tables = new Map();
    socket.data.subject = undefined;
    socket.data.egressTables = new Set();
    socket.data.bucket = { tokens: this.#deps.rateLimit.burst, at: Date.now() };
    socket.data.authTimer = setTimeout(() => {
      if (socket.data.subject === undefined) socket.disconnect(true);
    }, this.#deps.caps.authTimeoutMs);

    socket.on(
      'join',
      this.#handler(socket, 'join', async (req, { claims, expiresAtMs }) => {
        const table = await this.#deps.getOrCreateTable(req.tableId);
        if (claims.role === 'egress') throw new AppError('AUTH_FORBIDDEN_ROLE', 'an egress token cannot join');
        const { routerRtpCapabilities } = await table.join(socket.id, claims.role, claims.sub);
        clearTimeout(socket.data.tables.get(req.tableId)?.timer);
        socket.data.tables.set(req.tableId, { role: claims.role, expiresAtMs: 0, timer: undefined });
        this.#holdUntil(socket, req.tableId, expiresAtMs);
        await socket.join(room(req.tableId));
        return { routerRtpCapabilities, role: claims.role };
      }),
    );
    socket.on(
      'createTransport',
      this.#handler(socket, 'createTransport', async (req, { claims }) => {
        const table = this.#joined(socket, req.tableId);
        const cap = this.#deps.caps.transportsPerSubject;
        // Counted and reserved without an await in between, so concurrent requests cannot overshoot.
        if (this.#transportsOf(claims.sub) >= cap) {
          throw new AppError('STREAM_LIMIT_REACHED', `one viewer may hold ${cap} media transports`);
        }
        return table.createWebRtcTransport(socket.id, req.direction);
      }),
    );
    socket.on(
      'connectTransport',
      this.#handler(socket, 'connectTransport', async (req) => {
        await this.#joined(socket, req.tableId).connectTransport(
          socket.id,
          req.transportId,
          req.dtlsParameters as ms.DtlsParameters,
        );
        return {};
      }),
    );
    socket.on(
      'consume',
      this.#handler(socket, 'consume', async (req) => ({
        consumers: await this.#joined(socket, req.tableId).consume(
          socket.id,
          req.transportId,
          req.rtpCapabilities as ms.RtpCapabilities,
        ),
      })),
    );
    socket.on(
      'resumeConsumer',
      this.#handler(socket, 'resumeConsumer', async (req) => {
        await this.#joined(socket, req.tableId).resumeConsumer(socket.id, req.consumerId);
        return {};
      }),
    );
    // #handler has already moved the peer's expiry to this token's (same subject, table and role).
    socket.on(
      'refreshToken',
      this.#handler(socket, 'refreshToken', async (req) => {
        this.#joined(socket, req.tableId);
        return { expiresAt: socket.data.tables.get(req.tableId)?.expiresAtMs ?? 0 };
      }),
    );
    socket.on(
      'produce',
      this.#handler(socket, 'produce', async (req) => ({
        producerId: await this.#joined(socket, req.tableId).produce(
          socket.id,
          req.transportId,
          req.kind,
          req.rtpParameters as ms.RtpParameters,
        ),
      })),
    );
    socket.on(
      'publishRtp',
      this.#handler(socket, 'publishRtp', async (req) => {
        const table = await this.#deps.getOrCreateTable(req.tableId);
        return table.publishRtp(req.source, req.kind, req.rtpParameters as ms.RtpParameters, req.rtcpMux ?? true);
      }),
    );
    socket.on(
      'openEgress',
      this.#handler(socket, 'openEgress', async (req) => {
        const table = await this.#deps.getOrCreateTable(req.tableId);
        // In the room first, so no clock mapping sent after the answer's snapshot is missed.
        await socket.join(room(req.tableId));
        socket.data.egressTables.add(req.tableId);
        return table.openEgress(socket.id, { ip: req.ip, port: req.port });
      }),
    );
    socket.on(
      'resumeEgress',
      this.#handler(socket, 'resumeEgress', async (req) => {
        await this.#egressTable(req.tableId).resumeEgress(socket.id, req.egressId);
        return {};
      }),
    );
    socket.on(
      'requestKeyFrame',
      this.#handler(socket, 'requestKeyFrame', async (req) => {
        await this.#egressTable(req.tableId).requestEgressKeyFrame(socket.id, req.egressId);
        return {};
      }),
    );
    socket.on(
      'closeEgress',
      this.#handler(socket, 'closeEgress', async (req) => {
        this.#egressTable(req.tableId).closeEgress(socket.id, req.egressId);
        return {};
      }),
    );

    socket.on('disconnect', () => {
      clearTimeout(socket.data.authTimer);
      for (const [tableId, peer] of socket.data.tables) {
        clearTimeout(peer.timer);
        this.#deps.findTable(tableId)?.leave(socket.id);
      }
      socket.data.tables.clear();
      const subject = socket.data.subject;
      const sockets = subject === undefined ? undefined : this.#subjects.get(subject);
      if (sockets?.delete(socket.id) && sockets.size === 0) this.#subjects.delete(subject as string);
      for (const tableId of socket.data.egressTables) this.#deps.findTable(tableId)?.closeEgressesOf(socket.id);
      socket.data.egressTables.clear();
    });
  }

  #egressTable(tableId: string): TableMedia {
    const table = this.#deps.findTable(tableId);
    if (!table) throw new AppError('EGRESS_NOT_FOUND', 'open an egress first');
    return table;
  }

  #joined(socket: SfuSocket, tableId: string): TableMedia {
    const table = this.#deps.findTable(tableId);
    if (!table || !socket.data.tables.has(tableId)) throw new AppError('TABLE_NOT_LIVE', 'join the table first');
    return table;
  }

  /**
   * Binds the socket to the token's subject on its first valid token; afterwards only tokens of
   * that subject are taken, so a token lent to (or taken by) someone else is useless on a socket
   * that is already someone's.
   */
  #bind(socket: SfuSocket, { claims, jti }: VerifiedStreamToken): void {
    const bound = socket.data.subject;
    if (bound !== undefined) {
      if (bound !== claims.sub) {
        throw new AppError('STREAM_TOKEN_WRONG_SUBJECT', 'this connection belongs to another viewer');
      }
      return;
    }
    // Service machines (the vision worker) take egress only, bounded per table by the table.
    if (claims.role !== 'egress') {
      const sockets = this.#subjects.get(claims.sub) ?? new Set<string>();
      const cap = this.#deps.caps.socketsPerSubject;
      if (sockets.size >= cap) {
        this.#deps.log.info({ socket: socket.id, jti, sockets: sockets.size }, 'socket cap reached for a subject');
        throw new AppError('STREAM_LIMIT_REACHED', `one viewer may hold ${cap} connections to the media server`);
      }
      sockets.add(socket.id);
      this.#subjects.set(claims.sub, sockets);
    }
    socket.data.subject = claims.sub;
    clearTimeout(socket.data.authTimer);
  }

  /** WebRTC transports (open and opening) of every socket of a subject, over all its tables. */
  #transportsOf(subject: string): number {
    let n = 0;
    for (const id of this.#subjects.get(subject) ?? []) {
      const socket = this.#deps.io.sockets.sockets.get(id);
      if (!socket) continue;
      for (const tableId of socket.data.tables.keys()) n += this.#deps.findTable(tableId)?.transportCount(id) ?? 0;
    }
    return n;
  }

  /** Holds the socket's peer on a table until `expiresAtMs` (never shortens it). */
  #holdUntil(socket: SfuSocket, tableId: string, expiresAtMs: number): void {
    const peer = socket.data.tables.get(tableId);
    if (!peer || expiresAtMs <= peer.expiresAtMs) return;
    peer.expiresAtMs = expiresAtMs;
    clearTimeout(peer.timer);
    peer.timer = setTimeout(() => this.#expire(socket, tableId, peer), Math.max(0, expiresAtMs - Date.now()));
  }

  /** The peer's token ran out unrefreshed: its transports and consumers go, and the client is told. */
  #expire(socket: SfuSocket, tableId: string, peer: PeerSession): void {
    if (socket.data.tables.get(tableId) !== peer) return;
    const lateBy = Date.now() - peer.expiresAtMs;
    if (lateBy < 0) {
      peer.timer = setTimeout(() => this.#expire(socket, tableId, peer), -lateBy);
      return;
    }
    socket.data.tables.delete(tableId);
    this.#deps.findTable(tableId)?.leave(socket.id);
    if (!socket.data.egressTables.has(tableId)) void socket.leave(room(tableId));
    socket.emit('tokenExpired', { tableId });
    this.#deps.log.info({ socket: socket.id, tableId, lateByMs: lateBy }, 'stream token expired: peer closed');
  }

  /** The listener of one request: rate limit, token, schema, table and role, then `fn`. */
  #handler<N extends SfuRequestName>(
    socket: SfuSocket,
    name: N,
    fn: (req: SfuRequest<N>, token: VerifiedStreamToken) => Promise<SfuResponses[N]>,
  ): (req: SfuRequest<N>, ack: (res: SfuAck<SfuResponses[N]>) => void) => void {
    const { metrics, log, publicKey } = this.#deps;
    const handler = async (req: SfuRequest<N>, reply: (res: SfuAck<SfuResponses[N]>) => void): Promise<void> => {
      // A request without an acknowledgement cannot be answered: drop it.
      if (typeof reply !== 'function') return;
      const started = performance.now();
      // What the client sent, unchecked until the schema has seen it.
      const sent: unknown = req;
      try {
        takeToken(socket.data.bucket, this.#deps.rateLimit);
        if (typeof sent !== 'object' || sent === null || Array.isArray(sent)) {
          throw new AppError('BAD_REQUEST', `${name} expects an object`);
        }
        // The token is checked before anything else is looked at.
        const token = await readStreamToken(publicKey, 'token' in sent ? sent.token : undefined, {});
        const { claims } = token;
        const checker = checkers[name];
        if (!checker.Check(sent)) {
          const first = checker.Errors(sent).First();
          throw new AppError(
            'BAD_REQUEST',
            first ? `${name}: ${first.path || '/'} ${first.message}` : `${name}: invalid`,
          );
        }
        const valid = req;
        if (claims.tableId !== valid.tableId) {
          throw new AppError('AUTH_WRONG_TABLE', `token is for table ${claims.tableId}, not ${valid.tableId}`);
        }
        if (!ALLOWED_ROLES[name].includes(claims.role)) {
          throw new AppError('AUTH_FORBIDDEN_ROLE', `a ${claims.role} token cannot ${name}`);
        }
        this.#bind(socket, token);
        const joinedAs = socket.data.tables.get(valid.tableId)?.role;
        if (PEER_REQUESTS.has(name) && joinedAs !== undefined) {
          if (joinedAs !== claims.role) {
            throw new AppError('AUTH_FORBIDDEN_ROLE', `joined as ${joinedAs}, token says ${claims.role}`);
          }
          // A valid token of the peer's own subject, table and role: the peer lives as long as it.
          this.#holdUntil(socket, valid.tableId, token.expiresAtMs);
        }
        const data = await fn(valid, token);
        metrics.signalling.inc({ request: name, outcome: 'ok' });
        reply({ ok: true, data });
      } catch (err) {
        const body = toErrorBody(err);
        metrics.signalling.inc({ request: name, outcome: body.code });
        if (body.code === 'INTERNAL') log.error({ err, request: name, socket: socket.id }, 'signalling request failed');
        else log.debug({ request: name, code: body.code, socket: socket.id }, 'signalling request refused');
        reply({ ok: false, error: body });
      } finally {
        metrics.signallingSeconds.observe({ request: name }, (performance.now() - started) / 1000);
      }
    };
    return (req, ack) => void handler(req, ack);
  }
}

function room(tableId: string): string {
  return `table:${tableId}`;
}

function takeToken(bucket: { tokens: number; at: number }, limit: { burst: number; perSecond: number }): void {
  const now = Date.now();
  bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
  bucket.at = now;
  if (bucket.tokens < 1) throw new AppError('RATE_LIMITED', 'too many signalling requests');
  bucket.tokens -= 1;
}
