import {
  ErrorBodySchema,
  type SfuAck,
  type SfuClientToServer,
  type SfuRequest,
  type SfuRequestName,
  type SfuResponses,
  type SfuServerToClient,
} from '@live-casino/protocol';
import { io, type Socket } from 'socket.io-client';
import { checker } from './checker.js';
import { ClientError } from './ClientError.js';

export type SfuSocket = Socket<SfuServerToClient, SfuClientToServer>;
type TimedSfuSocket = ReturnType<SfuSocket['timeout']>;

/** A request's body without what the client adds to every request (the token and the table). */
export type SfuRequestBody<N extends SfuRequestName> = Omit<SfuRequest<N>, 'token' | 'tableId'>;

/** An sfu refusal or failure, with the request it answered. */
export class SfuRequestError extends ClientError {
  readonly request: SfuRequestName;

  constructor(request: SfuRequestName, error: ClientError) {
    super(error.code, error.message, { retryAfterS: error.retryAfterS });
    this.request = request;
  }
}

export interface SfuClientOptions {
  sfuUrl: string;
  tableId: string;
  /** The stream token to present: asked for before every request, so a renewed grant is used at once. */
  token: () => string | Promise<string>;
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** socket.io transports, in order (default WebSocket only; browsers add long-polling behind strict proxies). */
  transports?: ('websocket' | 'polling')[];
}

// One sender per request: socket.io's typed emitWithAck cannot follow a generic event name, a
// mapped object of them can (the request's name and body stay correlated).
type Senders = {
  [N in SfuRequestName]: (socket: TimedSfuSocket, req: SfuRequest<N>) => Promise<SfuAck<SfuResponses[N]>>;
};
const senders: Senders = {
  join: (s, r) => s.emitWithAck('join', r),
  createTransport: (s, r) => s.emitWithAck('createTransport', r),
  connectTransport: (s, r) => s.emitWithAck('connectTransport', r),
  consume: (s, r) => s.emitWithAck('consume', r),
  resumeConsumer: (s, r) => s.emitWithAck('resumeConsumer', r),
  refreshToken: (s, r) => s.emitWithAck('refreshToken', r),
  produce: (s, r) => s.emitWithAck('produce', r),
  publishRtp: (s, r) => s.emitWithAck('publishRtp', r),
  openEgress: (s, r) => s.emitWithAck('openEgress', r),
  resumeEgress: (s, r) => s.emitWithAck('resumeEgress', r),
  requestKeyFrame: (s, r) => s.emitWithAck('requestKeyFrame', r),
  closeEgress: (s, r) => s.emitWithAck('closeEgress', r),
};

const isErrorBody = checker(ErrorBodySchema);

/**
 * One request on an sfu socket of the caller's own (a process that manages its socket itself,
 * tests that send what a client would not): the typed acknowledgement, or a rejection after
 * `timeoutMs`.
 */
export function sendSfuRequest<N extends SfuRequestName>(
  socket: SfuSocket,
  name: N,
  req: SfuRequest<N>,
  timeoutMs = 10_000,
): Promise<SfuAck<SfuResponses[N]>> {
  return senders[name](socket.timeout(timeoutMs), req);
}

/**
 * One socket.io connection to the sfu for one table: the stream token and the table added to
 * every request (the sfu checks the token on each), acknowledgements turned into results or
 * typed errors, and the sfu's events (studio clock, media reset, token expiry, egress closed).
 */
export class SfuClient {
  readonly socket: SfuSocket;
  readonly tableId: string;
  readonly #opts: SfuClientOptions;
  readonly #timeoutMs: number;

  private constructor(socket: SfuSocket, opts: SfuClientOptions) {
    this.socket = socket;
    this.tableId = opts.tableId;
    this.#opts = opts;
    this.#timeoutMs = opts.requestTimeoutMs ?? 10_000;
  }

  /** Connects (no automatic reconnection: a new connection means a new join, the caller's call). */
  static async connect(opts: SfuClientOptions): Promise<SfuClient> {
    const transports = opts.transports ?? ['websocket'];
    const socket: SfuSocket = io(opts.sfuUrl, {
      transports,
      tryAllTransports: transports.length > 1,
      reconnection: false,
      forceNew: true,
      timeout: opts.connectTimeoutMs ?? 10_000,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', (err) =>
          reject(new ClientError('NETWORK_UNREACHABLE', `cannot connect to sfu ${opts.sfuUrl}: ${err.message}`)),
        );
      });
    } catch (err) {
      socket.close();
      throw err;
    }
    return new SfuClient(socket, opts);
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  async request<N extends SfuRequestName>(name: N, body: SfuRequestBody<N>): Promise<SfuResponses[N]> {
    const token = await this.#opts.token();
    const req = { ...body, token, tableId: this.tableId } as SfuRequest<N>;
    let ack: SfuAck<SfuResponses[N]>;
    try {
      ack = await sendSfuRequest(this.socket, name, req, this.#timeoutMs);
    } catch {
      throw new SfuRequestError(name, new ClientError('TIMEOUT', `${name}: no answer within ${this.#timeoutMs} ms`));
    }
    if (typeof ack !== 'object' || ack === null) {
      throw new SfuRequestError(name, new ClientError('BAD_RESPONSE', `${name}: no answer`));
    }
    if (ack.ok) return ack.data;
    if (!isErrorBody(ack.error)) {
      throw new SfuRequestError(name, new ClientError('BAD_RESPONSE', `${name}: a refusal outside the contract`));
    }
    throw new SfuRequestError(name, ClientError.fromBody(ack.error, `sfu ${name}`));
  }

  close(): void {
    this.socket.close();
  }
}
