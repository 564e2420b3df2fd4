import { randomUUID } from 'node:crypto';
import { ClientError, SignInError, type TableServiceClient } from '@live-casino/clients';
import type { VisionReadingBody } from '@live-casino/protocol';
import { backoffDelay, sleep } from '@live-casino/server-kit';

export interface ReadingsClientOptions {
  /** table-service, signed in as the `vision` service: one client (one session) for every table. */
  tableService: TableServiceClient;
  /** How long to keep retrying one reading (network errors, 5xx, 429): a late reading is useless. */
  retryForMs?: number;
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

/**
 * Sends readings to table-service as the `vision` service: logs in with its secret, POSTs each
 * reading under one readingId for all its attempts (table-service takes a retry once), retries
 * transient failures with backoff until `retryForMs`, and logs in again when its session expires.
 */
export class ReadingsClient {
  readonly #opts: ReadingsClientOptions;
  readonly #retryForMs: number;
  #closed = false;

  constructor(opts: ReadingsClientOptions) {
    this.#opts = opts;
    this.#retryForMs = opts.retryForMs ?? 5_000;
  }

  static newReadingId(): string {
    return randomUUID();
  }

  close(): void {
    this.#closed = true;
  }

  async send(tableId: string, body: VisionReadingBody): Promise<ReadingOutcome> {
    const started = Date.now();
    const deadline = started + this.#retryForMs;
    let attempts = 0;
    let lastStatus: number | null = null;
    let lastCode: string | null = null;
    while (!this.#closed) {
      attempts++;
      try {
        const { status } = await this.#opts.tableService.postReading(tableId, body);
        return { sent: true, status, attempts, ms: Date.now() - started };
      } catch (err) {
        if (!(err instanceof ClientError)) throw err;
        lastStatus = err instanceof SignInError ? null : (err.status ?? null);
        lastCode = err instanceof SignInError ? 'VISION_LOGIN_FAILED' : err.code;
        // A refusal of the reading itself is final; a sign-in that failed, no answer, a 5xx or a
        // 429 may pass on a later attempt (the client holds sign-ins back after a refused one).
        const final =
          !(err instanceof SignInError) && err.status !== undefined && err.status < 500 && err.status !== 429;
        if (final) return { sent: false, status: lastStatus, code: lastCode, attempts, ms: Date.now() - started };
        this.#opts.log?.('reading not delivered yet', { tableId, readingId: body.readingId, err: err.message });
      }
      const delay = backoffDelay(attempts - 1, { initialMs: 50, maxMs: 1_000 });
      if (Date.now() + delay > deadline) break;
      await sleep(delay);
    }
    return { sent: false, status: lastStatus, code: lastCode, attempts, ms: Date.now() - started };
  }
}
