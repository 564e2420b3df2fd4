import { ClientError, TableServiceClient } from '@live-casino/clients';
import type { RoundDto, RoundState } from '@live-casino/protocol';
import { type Card, SUITS } from '@live-casino/protocol/games/baccarat';
import { BACCARAT_TIMELINE } from '../simulator/BaccaratScene.js';
import type { SceneEvent } from '../simulator/SceneTypes.js';

export interface SimulatedDealerOptions {
  tableId: string;
  tableServiceUrl: string;
  dealerId: string;
  password: string;
  /**
   * Enter a deliberately wrong result every Nth round (0: never), to exercise the vision
   * cross-check: the round should hold for the pit boss. Defaults to SIMULATED_DEALER_WRONG_EVERY.
   */
  wrongResultEvery?: number;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
  /** table-service's client, signed in as this dealer; by default one made from the options above. */
  tableService?: TableServiceClient;
}

interface RoundRef {
  roundId: string;
  state: RoundState;
}

/**
 * The dealer of a simulated table: turns the scene's events into the dealer's calls to
 * table-service, with the studio time of the frame that shows each one, so that rounds, the betting
 * window and results follow the very video the players watch. Calls are queued in order; one that
 * fails is logged and the next round starts clean (the table owner recovers anything left behind).
 * On a vision-checked table it enters results and leaves their confirmation to vision (or to the
 * pit boss, when the round holds).
 */
export class SimulatedDealer {
  readonly #opts: SimulatedDealerOptions;
  /** One session for the dealer, kept and renewed by the client. */
  readonly #api: TableServiceClient;
  #round: RoundRef | undefined;
  #cards: Card[] = [];
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  readonly #wrongEvery: number;
  #results = 0;
  #wrongNext = false;

  constructor(opts: SimulatedDealerOptions) {
    this.#opts = opts;
    const every = opts.wrongResultEvery ?? Number(process.env.SIMULATED_DEALER_WRONG_EVERY ?? 0);
    if (!Number.isInteger(every) || every < 0) {
      throw new Error(`SimulatedDealer: wrongResultEvery must be a whole number ≥ 0, got ${every}`);
    }
    this.#wrongEvery = every;
    this.#api =
      opts.tableService ??
      new TableServiceClient({
        baseUrl: opts.tableServiceUrl,
        credentials: { kind: 'staff', id: opts.dealerId, password: opts.password },
        requestTimeoutMs: 5000,
      });
  }

  /** The next result this dealer enters is deliberately wrong (a test of the vision cross-check). */
  enterWrongResultNext(): void {
    this.#wrongNext = true;
  }

  onSceneEvent(event: SceneEvent): void {
    if (this.#closed) return;
    this.#queue = this.#queue
      .then(() => this.#handle(event))
      .catch((err: unknown) =>
        this.#opts.log?.('dealer call failed', { tableId: this.#opts.tableId, event: event.type, err: String(err) }),
      );
  }

  close(): void {
    this.#closed = true;
    this.#api.close();
  }

  async #handle(event: SceneEvent): Promise<void> {
    switch (event.type) {
      case 'bettingOpened': {
        this.#cards = [];
        let refusal: ClientError;
        try {
          const opened = await this.#api.openRound(this.#opts.tableId, Math.round(event.studioTimeMs));
          this.#round = { roundId: opened.roundId, state: opened.state };
          return;
        } catch (err) {
          if (!(err instanceof ClientError) || err.status === undefined) throw err;
          refusal = err;
        }
        // A round of ours is still in play (a restart, a slow settlement): carry on with it.
        const round = await this.#api.currentRound(this.#opts.tableId);
        this.#round = round ? { roundId: round.roundId, state: round.state } : undefined;
        this.#opts.log?.('could not open a round; continuing the one in play', {
          tableId: this.#opts.tableId,
          code: refusal.code,
          round: this.#round,
        });
        return;
      }
      case 'bettingClosed': {
        if (this.#round?.state !== 'BETTING_OPEN') return;
        const { roundId } = this.#round;
        await this.#step((api) => api.closeBetting(roundId, Math.round(event.studioTimeMs)));
        return;
      }
      case 'ballSettled':
        await this.#result({ pocket: event.pocket }, event.studioTimeMs);
        return;
      case 'cardDealt': {
        const first = this.#cards.length === 0;
        this.#cards.push(event.card);
        // The first card of the coup left the shoe a slide and a turn before it lay face up: from
        // then on the outcome begins to show, and table-service takes no late bet past it.
        if (first && this.#round?.state === 'BETTING_CLOSED') {
          const leftShoe = event.studioTimeMs - BACCARAT_TIMELINE.slideMs - BACCARAT_TIMELINE.turnMs;
          try {
            await this.#api.reveal(this.#round.roundId, Math.round(leftShoe));
          } catch (err) {
            if (!(err instanceof ClientError)) throw err;
            this.#opts.log?.('reveal refused', { tableId: this.#opts.tableId, status: err.status, code: err.code });
          }
        }
        return;
      }
      case 'coupResult':
        await this.#result({ cards: this.#cards }, event.studioTimeMs);
        return;
      case 'ballLaunched':
      case 'cardsCleared':
      case 'shoeChanged':
        return;
      default: {
        const unknown: never = event;
        throw new Error(`unexpected scene event ${JSON.stringify(unknown)}`);
      }
    }
  }

  async #result(seen: { pocket: number } | { cards: Card[] }, studioTimeMs: number): Promise<void> {
    if (this.#round?.state !== 'BETTING_CLOSED') return;
    this.#results += 1;
    const wrong = this.#wrongNext || (this.#wrongEvery > 0 && this.#results % this.#wrongEvery === 0);
    this.#wrongNext = false;
    const result = wrong ? wrongResult(seen) : seen;
    if (wrong) this.#opts.log?.('entering a deliberately wrong result', { tableId: this.#opts.tableId, seen, result });
    const { roundId } = this.#round;
    const answer = await this.#step((api) => api.enterResult(roundId, result, Math.round(studioTimeMs)));
    // On a vision-checked table the result is confirmed by an agreeing reading (or held for the pit
    // boss), never by the dealer alone.
    if (answer?.visionCheck) return;
    // The simulator's reading is its own truth; a real dealer confirms on the console. The owner
    // node settles once the late-bet deadline has passed.
    await this.#step((api) => api.confirmResult(roundId));
  }

  /** One call on the round in play; the round's state follows the answer. */
  async #step(call: (api: TableServiceClient) => Promise<RoundDto>): Promise<RoundDto | undefined> {
    if (!this.#round) return undefined;
    const round = await call(this.#api);
    this.#round = { roundId: round.roundId, state: round.state };
    return round;
  }
}

/**
 * A result that differs from what the table shows but is still a valid entry: the next pocket, or
 * the last card in another suit of the same rank (the same third-card rules apply to it).
 */
function wrongResult(seen: { pocket: number } | { cards: Card[] }): { pocket: number } | { cards: Card[] } {
  if ('pocket' in seen) return { pocket: (seen.pocket + 1) % 37 };
  const last = seen.cards.at(-1);
  if (!last) return seen;
  const suit = SUITS[(SUITS.indexOf(last.suit) + 1) % SUITS.length]!;
  return { cards: [...seen.cards.slice(0, -1), { rank: last.rank, suit }] };
}
