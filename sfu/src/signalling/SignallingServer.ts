import {
  AppError,
  type SfuAck,
  type SfuClientToServer,
  type SfuRequest,
  type SfuRequestName,
  SfuRequests,
  type SfuResponses,
  type SfuServerToClient,
  type StreamClaims,
  type StreamRole,
  toErrorBody,
  verifyStreamToken,
  type importStreamPublicKey,
} from '@live-casino/protocol';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import type { Server, Socket } from 'socket.io';
import type { SfuMetrics } from '../metrics.js';
import type { TableMedia } from '../TableMedia.js';

export type SfuSocket = Socket<SfuClientToServer, SfuServerToClient, Record<string, never>, SocketData>;

interface SocketData {
  /** Tables this socket has joined, with the role it joined as. */
  tables: Map<string, StreamRole>;
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
  'produce',
]);

/**
 * socket.io signalling of the sfu. Every request is answered through its acknowledgement; each
 * one carries a stream token that is verified for the table and role of that very call, so an
 * expired or revoked session cannot keep acting on an old connection.
 */
export class SignallingServer {
  readonly #deps: SignallingDeps;

  constructor(deps: SignallingDeps) {
    this.#deps = deps;
    deps.io.on('connection', (socket) => this.#onConnection(socket));
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
    socket.data.egressTables = new Set();
    socket.data.bucket = { tokens: this.#deps.rateLimit.burst, at: Date.now() };

    this.#handle(socket, 'join', async (req, claims) => {
      const table = await this.#deps.getOrCreateTable(req.tableId);
      if (claims.role === 'egress') throw new AppError('AUTH_FORBIDDEN_ROLE', 'an egress token cannot join');
      const { routerRtpCapabilities } = await table.join(socket.id, claims.role);
      socket.data.tables.set(req.tableId, claims.role);
      await socket.join(room(req.tableId));
      return { routerRtpCapabilities, role: claims.role };
    });
    this.#handle(socket, 'createTransport', async (req) =>
      this.#joined(socket, req.tableId).createWebRtcTransport(socket.id, req.direction),
    );
    this.#handle(socket, 'connectTransport', async (req) => {
      await this.#joined(socket, req.tableId).connectTransport(
        socket.id,
        req.transportId,
        req.dtlsParameters as ms.DtlsParameters,
      );
      return {};
    });
    this.#handle(socket, 'consume', async (req) => ({
      consumers: await this.#joined(socket, req.tableId).consume(
        socket.id,
        req.transportId,
        req.rtpCapabilities as ms.RtpCapabilities,
      ),
    }));
    this.#handle(socket, 'resumeConsumer', async (req) => {
      await this.#joined(socket, req.tableId).resumeConsumer(socket.id, req.consumerId);
      return {};
    });
    this.#handle(socket, 'produce', async (req) => ({
      producerId: await this.#joined(socket, req.tableId).produce(
        socket.id,
        req.transportId,
        req.kind,
        req.rtpParameters as ms.RtpParameters,
      ),
    }));
    this.#handle(socket, 'publishRtp', async (req) => {
      const table = await this.#deps.getOrCreateTable(req.tableId);
      return table.publishRtp(req.source, req.kind, req.rtpParameters as ms.RtpParameters, req.rtcpMux ?? true);
    });
    this.#handle(socket, 'openEgress', async (req) => {
      const table = await this.#deps.getOrCreateTable(req.tableId);
      // In the room first, so no clock mapping sent after the answer's snapshot is missed.
      await socket.join(room(req.tableId));
      socket.data.egressTables.add(req.tableId);
      return table.openEgress(socket.id, { ip: req.ip, port: req.port });
    });
    this.#handle(socket, 'resumeEgress', async (req) => {
      await this.#egressTable(req.tableId).resumeEgress(socket.id, req.egressId);
      return {};
    });
    this.#handle(socket, 'requestKeyFrame', async (req) => {
      await this.#egressTable(req.tableId).requestEgressKeyFrame(socket.id, req.egressId);
      return {};
    });
    this.#handle(socket, 'closeEgress', async (req) => {
      this.#egressTable(req.tableId).closeEgress(socket.id, req.egressId);
      return {};
    });

    socket.on('disconnect', () => {
      for (const tableId of socket.data.tables.keys()) this.#deps.findTable(tableId)?.leave(socket.id);
      socket.data.tables.clear();
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

  #handle<N extends SfuRequestName>(
    socket: SfuSocket,
    name: N,
    fn: (req: SfuRequest<N>, claims: StreamClaims) => Promise<SfuResponses[N]>,
  ): void {
    const { metrics, log, publicKey } = this.#deps;
    const handler = async (req: unknown, ack: unknown): Promise<void> => {
      // A request without an acknowledgement cannot be answered: drop it.
      if (typeof ack !== 'function') return;
      const started = performance.now();
      const reply = ack as (res: SfuAck<SfuResponses[N]>) => void;
      try {
        takeToken(socket.data.bucket, this.#deps.rateLimit);
        if (typeof req !== 'object' || req === null || Array.isArray(req)) {
          throw new AppError('BAD_REQUEST', `${name} expects an object`);
        }
        const body = req as Record<string, unknown>;
        // The token is checked before anything else is looked at.
        const claims = await verifyStreamToken(publicKey, body.token, {});
        const checker = checkers[name];
        if (!checker.Check(req)) {
          const first = checker.Errors(req).First();
          throw new AppError(
            'BAD_REQUEST',
            first ? `${name}: ${first.path || '/'} ${first.message}` : `${name}: invalid`,
          );
        }
        const valid = req as SfuRequest<N>;
        if (claims.tableId !== valid.tableId) {
          throw new AppError('AUTH_WRONG_TABLE', `token is for table ${claims.tableId}, not ${valid.tableId}`);
        }
        if (!ALLOWED_ROLES[name].includes(claims.role)) {
          throw new AppError('AUTH_FORBIDDEN_ROLE', `a ${claims.role} token cannot ${name}`);
        }
        const joinedAs = socket.data.tables.get(valid.tableId);
        if (PEER_REQUESTS.has(name) && joinedAs !== undefined && joinedAs !== claims.role) {
          throw new AppError('AUTH_FORBIDDEN_ROLE', `joined as ${joinedAs}, token says ${claims.role}`);
        }
        const data = await fn(valid, claims);
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
    socket.on(name as never, ((req: unknown, ack: unknown) => void handler(req, ack)) as never);
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
