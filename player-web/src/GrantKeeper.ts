import { renewAt } from '@live-casino/clients';
import type { StreamGrant } from '@live-casino/protocol';

export type GrantFetcher = (tableId: string) => Promise<StreamGrant>;

/**
 * How long until the next grant is fetched: when the table-service client renews it (`renewAt`, a
 * minute before its end or half-way through a shorter life), at least a second from now. The sfu
 * closes a WebRTC peer's media when its token expires unrefreshed, and HLS segments need a session
 * of an unexpired token.
 */
export function grantRefreshDelayMs(grant: { expiresAt: number }, obtainedAt: number, now = Date.now()): number {
  return Math.max(1000, renewAt(grant.expiresAt, obtainedAt) - now);
}

export interface GrantKeeperOptions {
  tableId: string;
  fetchGrant: GrantFetcher;
  /** A fresh grant is in: hand it on (the sfu's refreshToken; HLS takes it on its next playlist request). */
  onRefresh: (grant: StreamGrant) => Promise<void> | void;
  /** A refresh failed: the session reports a trouble and TableClient joins again. */
  onError: (err: unknown) => void;
}

/**
 * A media session's stream grant: fetched once, then, with `keepFresh`, fetched again before it
 * runs out and handed on, so that playback never stops for a token. Both WebRTC and HLS sessions
 * keep theirs here.
 */
export class GrantKeeper {
  readonly #opts: GrantKeeperOptions;
  #grant: StreamGrant | null = null;
  #obtainedAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(opts: GrantKeeperOptions) {
    this.#opts = opts;
  }

  get current(): StreamGrant | null {
    return this.#grant;
  }

  /**
   * A new grant now (the client's cached one while it is not due). Its life is counted from its
   * arrival, never earlier than the client counts it from: when a refresh is due here, the
   * client's cache has it due too and fetches a new one, rather than handing the old one back.
   */
  async fetch(): Promise<StreamGrant> {
    const grant = await this.#opts.fetchGrant(this.#opts.tableId);
    this.#grant = grant;
    this.#obtainedAt = Date.now();
    return grant;
  }

  /** The grant held, or a new one when it is due for a refresh within a second. */
  async usable(): Promise<StreamGrant> {
    const grant = this.#grant;
    if (grant && grantRefreshDelayMs(grant, this.#obtainedAt) > 1000) return grant;
    return this.fetch();
  }

  /** From now on, refresh before the grant runs out, and hand each fresh one to `onRefresh`. */
  keepFresh(): void {
    const grant = this.#grant;
    if (this.#closed || !grant) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(
      () => {
        void (async () => {
          const fresh = await this.fetch();
          if (this.#closed) return;
          await this.#opts.onRefresh(fresh);
          if (this.#closed) return;
          this.keepFresh();
        })().catch((err: unknown) => {
          if (!this.#closed) this.#opts.onError(err);
        });
      },
      grantRefreshDelayMs(grant, this.#obtainedAt),
    );
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }
}
