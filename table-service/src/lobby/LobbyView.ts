import type { RoundDto, TablePhase } from '@live-casino/protocol';

/** What the lobby needs from the rest of the service, each read at most once per `ttlMs`. */
export interface LobbySources {
  /** Tables whose studio feed is on the sfu. */
  liveTables: () => Promise<ReadonlySet<string>>;
  /** Every table's round in play. */
  roundsInPlay: () => Promise<RoundDto[]>;
  /** People watching each table now (the sfu's measured stream sessions). */
  watchers: () => ReadonlyMap<string, number>;
  /** Each table's betting window, for a round whose close is not known yet. */
  bettingWindowMs: (tableId: string) => number;
}

interface LobbyRead {
  at: number;
  live: ReadonlySet<string>;
  rounds: ReadonlyMap<string, RoundDto>;
}

export interface LobbyTableState {
  live: boolean;
  viewers: number;
  round: TablePhase | null;
}

/**
 * The lobby's live part: which tables are on air, who watches, and each round's phase. Every
 * player's lobby polls it, so the sfu and Postgres are asked once per `ttlMs` whatever the number
 * of players (one request in flight at a time, its answer shared); the countdown is computed per
 * answer from the cached close, so a cached read never shows a stale number of seconds.
 */
export class LobbyView {
  readonly #sources: LobbySources;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #cached: LobbyRead | undefined;
  #loading: Promise<LobbyRead> | undefined;

  constructor(sources: LobbySources, opts: { ttlMs?: number; now?: () => number } = {}) {
    this.#sources = sources;
    this.#ttlMs = opts.ttlMs ?? 1000;
    this.#now = opts.now ?? Date.now;
  }

  async tables(tableIds: readonly string[]): Promise<Map<string, LobbyTableState>> {
    const { live, rounds } = await this.#read();
    const watchers = this.#sources.watchers();
    const now = this.#now();
    return new Map(
      tableIds.map((tableId) => {
        const round = rounds.get(tableId);
        return [
          tableId,
          {
            live: live.has(tableId),
            viewers: watchers.get(tableId) ?? 0,
            round: round ? this.#phase(round, now) : null,
          },
        ];
      }),
    );
  }

  #phase(round: RoundDto, now: number): TablePhase {
    let bettingEndsInMs: number | null = null;
    if (round.state === 'BETTING_OPEN') {
      const closesAt = round.closesAtStudioMs ?? round.opensAtStudioMs + this.#sources.bettingWindowMs(round.tableId);
      bettingEndsInMs = Math.max(0, Math.round(closesAt - now));
    }
    return { roundId: round.roundId, number: round.number, state: round.state, bettingEndsInMs };
  }

  async #read(): Promise<LobbyRead> {
    const cached = this.#cached;
    if (cached && this.#now() - cached.at < this.#ttlMs) return cached;
    this.#loading ??= (async () => {
      try {
        const [live, rounds] = await Promise.all([this.#sources.liveTables(), this.#sources.roundsInPlay()]);
        const fresh = { at: this.#now(), live, rounds: new Map(rounds.map((r) => [r.tableId, r])) };
        this.#cached = fresh;
        return fresh;
      } finally {
        this.#loading = undefined;
      }
    })();
    return this.#loading;
  }
}
