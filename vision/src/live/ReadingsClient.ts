import { randomUUID } from 'node:crypto';
import type { VisionReadingBody } from '@live-casino/protocol';
import { backoffDelay, sleep } from '@live-casino/server-kit';

export interface ReadingsClientOptions {
  tableServiceUrl: string;
  serviceId: string;
  serviceSecret: string;
  /** How long to keep retrying one reading (network errors, 5xx, 429): a late reading is useless. */
  retryForMs?: number;
  requestTimeoutMs?: number;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
}

export type ReadingOutcome =
  | { readonly sent: true; readonly status: number; readonly attempts: number; readonly ms: number }
  | {
      readonly sent: false;
      readonly status: number | null;
      readonly code: string | null;
      readonly attempts: number;
      readonly ms: number;
    };

/** A reading table-service refused or never answered: what the caller logs and counts. */
export class ReadingsClientError extends Error {
  override readonly name = 'ReadingsClientError';
  constructor(
    readonly code: 'VISION_LOGIN_FAILED',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Sends readings to table-service as the `vision` service: logs in with its secret, POSTs each
 * reading under one readingId for all its attempts (table-service takes a retry once), retries
 * transient failures with backoff until `retryForMs`, and logs in again when its session expires.
 */
export class ReadingsClient {
  readonly #opts: Required<Omit<ReadingsClientOptions, 'log'>> & Pick<ReadingsClientOptions, 'log'>;
  #token: Promise<string> | undefined;
  /** After a refused login, no new attempt before this (staff-login is rate-limited per IP). */
  #loginBlocked: { until: number; error: Error } | undefined;
  #closed = false;

  constructor(opts: ReadingsClientOptions) {
    this.#opts = { retryForMs: 5_000, requestTimeoutMs: 3_000, ...opts };
  }

  static newReadingId(): string {
    return randomUUID();
  }

  close(): void {
    this.#closed = true;
  }

  async send(tableId: string, body: VisionReadingBody): Promise<ReadingOutcome> {
    const started = Date.now();
    const deadline = started + this.#opts.retryForMs;
    let attempts = 0;
    let lastStatus: number | null = null;
    let lastCode: string | null = null;
    let relogged = false;
    while (!this.#closed) {
      attempts++;
      try {
        const token = await this.#session();
        const res = await fetch(`${this.#opts.tableServiceUrl}/v1/tables/${encodeURIComponent(tableId)}/readings`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(this.#opts.requestTimeoutMs),
        });
        lastStatus = res.status;
        const text = await res.text();
        lastCode = parseCode(text);
        if (res.ok) return { sent: true, status: res.status, attempts, ms: Date.now() - started };
        if (res.status === 401 && !relogged) {
          // Expired or revoked session: log in again, once per reading.
          relogged = true;
          this.#token = undefined;
          continue;
        }
        if (res.status !== 429 && res.status < 500) {
          return { sent: false, status: res.status, code: lastCode, attempts, ms: Date.now() - started };
        }
      } catch (err) {
        lastCode = err instanceof ReadingsClientError ? err.code : 'NETWORK';
        this.#opts.log?.('reading not delivered yet', { tableId, readingId: body.readingId, err: String(err) });
      }
      const delay = backoffDelay(attempts - 1, { initialMs: 50, maxMs: 1_000 });
      if (Date.now() + delay > deadline) break;
      await sleep(delay);
    }
    return { sent: false, status: lastStatus, code: lastCode, attempts, ms: Date.now() - started };
  }

  #session(): Promise<string> {
    if (!this.#token) {
      const blocked = this.#loginBlocked;
      if (blocked && Date.now() < blocked.until) return Promise.reject(blocked.error);
      const login = this.#login();
      this.#token = login;
      login.catch((err: unknown) => {
        if (this.#token === login) this.#token = undefined;
        this.#loginBlocked = { until: Date.now() + LOGIN_RETRY_MS, error: err as Error };
      });
    }
    return this.#token;
  }

  async #login(): Promise<string> {
    const res = await fetch(`${this.#opts.tableServiceUrl}/v1/auth/staff-login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: this.#opts.serviceId, password: this.#opts.serviceSecret }),
      signal: AbortSignal.timeout(this.#opts.requestTimeoutMs),
    });
    const text = await res.text();
    let token: unknown;
    try {
      token = (JSON.parse(text) as { token?: unknown }).token;
    } catch {
      token = undefined;
    }
    if (!res.ok || typeof token !== 'string') {
      throw new ReadingsClientError(
        'VISION_LOGIN_FAILED',
        `service login as ${this.#opts.serviceId} refused: ${res.status} ${parseCode(text) ?? ''}`.trim(),
      );
    }
    return token;
  }
}

const LOGIN_RETRY_MS = 5_000;

function parseCode(text: string): string | null {
  try {
    const code = (JSON.parse(text) as { code?: unknown }).code;
    return typeof code === 'string' ? code : null;
  } catch {
    return null;
  }
}
