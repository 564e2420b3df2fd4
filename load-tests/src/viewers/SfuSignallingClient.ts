import type {
  ErrorBody,
  SfuAck,
  SfuClientToServer,
  SfuRequest,
  SfuRequestName,
  SfuResponses,
  SfuServerToClient,
} from '@live-casino/protocol';
import { io, type Socket } from 'socket.io-client';

export class SfuRequestError extends Error {
  override name = 'SfuRequestError';
  readonly code: ErrorBody['code'] | 'TIMEOUT';
  readonly request: SfuRequestName;

  constructor(request: SfuRequestName, code: ErrorBody['code'] | 'TIMEOUT', message: string) {
    super(`${request}: ${code}: ${message}`);
    this.request = request;
    this.code = code;
  }
}

export interface SfuSignallingClientOptions {
  sfuUrl: string;
  token: string;
  tableId: string;
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
}

type RequestBody<N extends SfuRequestName> = Omit<SfuRequest<N>, 'token' | 'tableId'>;

/**
 * One socket.io connection to the sfu for one table, with the stream token added to every
 * request (the sfu checks it on every call) and acknowledgements turned into results or errors.
 */
export class SfuSignallingClient {
  readonly socket: Socket<SfuServerToClient, SfuClientToServer>;
  readonly #token: string;
  readonly #tableId: string;
  readonly #timeoutMs: number;

  private constructor(socket: Socket<SfuServerToClient, SfuClientToServer>, opts: SfuSignallingClientOptions) {
    this.socket = socket;
    this.#token = opts.token;
    this.#tableId = opts.tableId;
    this.#timeoutMs = opts.requestTimeoutMs ?? 10_000;
  }

  static async connect(opts: SfuSignallingClientOptions): Promise<SfuSignallingClient> {
    const socket: Socket<SfuServerToClient, SfuClientToServer> = io(opts.sfuUrl, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: opts.connectTimeoutMs ?? 10_000,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', (err) =>
          reject(new Error(`cannot connect to sfu ${opts.sfuUrl}: ${err.message}`)),
        );
      });
    } catch (err) {
      socket.close();
      throw err;
    }
    return new SfuSignallingClient(socket, opts);
  }

  async request<N extends SfuRequestName>(name: N, body: RequestBody<N>): Promise<SfuResponses[N]> {
    const payload = { ...body, token: this.#token, tableId: this.#tableId };
    let ack: SfuAck<SfuResponses[N]>;
    try {
      // socket.io's typed emitWithAck cannot follow a generic event name; the contract is SfuClientToServer.
      ack = (await (this.socket as unknown as Socket).timeout(this.#timeoutMs).emitWithAck(name, payload)) as SfuAck<
        SfuResponses[N]
      >;
    } catch {
      throw new SfuRequestError(name, 'TIMEOUT', `no answer within ${this.#timeoutMs} ms`);
    }
    if (!ack.ok) throw new SfuRequestError(name, ack.error.code, ack.error.message);
    return ack.data;
  }

  close(): void {
    this.socket.close();
  }
}
