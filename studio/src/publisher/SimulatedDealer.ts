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
}

/** The fields of table-service answers this dealer reads. */
interface ApiBody {
  roundId?: string;
  state?: string;
  visionCheck?: boolean;
  code?: string;
  round?: { roundId: string; state: string } | null;
}

interface RoundRef {
  roundId: string;
  state: string;
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
  #token: string | undefined;
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
  }

  async #handle(event: SceneEvent): Promise<void> {
    switch (event.type) {
      case 'bettingOpened': {
        this.#cards = [];
        const res = await this.#call('POST', `/v1/tables/${this.#opts.tableId}/rounds`, {
          opensAtStudioMs: Math.round(event.studioTimeMs),
        });
        if (res.status === 201) {
          if (res.body?.roundId) this.#round = { roundId: res.body.roundId, state: 'BETTING_OPEN' };
          return;
        }
        // A round of ours is still in play (a restart, a slow settlement): carry on with it.
        const current = await this.#call('GET', `/v1/tables/${this.#opts.tableId}/round`);
        const round = current.body?.round;
        this.#round = round ? { roundId: round.roundId, state: round.state } : undefined;
        this.#opts.log?.('could not open a round; continuing the one in play', {
          tableId: this.#opts.tableId,
          code: res.body?.code,
          round: this.#round,
        });
        return;
      }
      case 'bettingClosed': {
        if (this.#round?.state !== 'BETTING_OPEN') return;
        await this.#step('close', { closesAtStudioMs: Math.round(event.studioTimeMs) }, 'BETTING_CLOSED');
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
          const res = await this.#call('POST', `/v1/rounds/${this.#round.roundId}/reveal`, {
            studioMs: Math.round(leftShoe),
          });
          if (res.status !== 200) {
            this.#opts.log?.('reveal refused', {
              tableId: this.#opts.tableId,
              status: res.status,
              code: res.body?.code,
            });
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
    const answer = await this.#step('result', { result, studioMs: Math.round(studioTimeMs) }, 'RESULT_PENDING');
    // On a vision-checked table the result is confirmed by an agreeing reading (or held for the pit
    // boss), never by the dealer alone.
    if (answer?.visionCheck) return;
    // The simulator's reading is its own truth; a real dealer confirms on the console. The owner
    // node settles once the late-bet deadline has passed.
    await this.#step('confirm', undefined, 'RESULT_CONFIRMED');
  }

  async #step(action: string, body: unknown, next: string): Promise<ApiBody | undefined> {
    const round = this.#round;
    if (!round) return undefined;
    const res = await this.#call('POST', `/v1/rounds/${round.roundId}/${action}`, body);
    if (res.status !== 200) throw new Error(`${action} refused: ${res.status} ${JSON.stringify(res.body)}`);
    round.state = next;
    return res.body;
  }

  async #login(): Promise<string> {
    const res = await fetch(`${this.#opts.tableServiceUrl}/v1/auth/staff-login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: this.#opts.dealerId, password: this.#opts.password }),
      signal: AbortSignal.timeout(5000),
    });
    const body = (await res.json()) as { token?: string; code?: string };
    if (!res.ok || !body.token) throw new Error(`dealer login refused: ${res.status} ${body.code ?? ''}`);
    return body.token;
  }

  async #call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: ApiBody | undefined }> {
    for (let attempt = 0; attempt < 2; attempt++) {
      this.#token ??= await this.#login();
      const res = await fetch(`${this.#opts.tableServiceUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(5000),
      });
      const text = await res.text();
      const parsed = text ? (JSON.parse(text) as ApiBody) : undefined;
      if (res.status === 401 && attempt === 0) {
        this.#token = undefined; // expired session: log in again once
        continue;
      }
      return { status: res.status, body: parsed };
    }
    throw new Error('unreachable');
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
