import { type BetDto, type ErrorCode, type GameBet, gameBetKey } from '@live-casino/protocol';
import { createStore, type Store } from '../store.js';

/** What the slip needs of table-service (TableRealtime's placeBet and cancelBet). */
export interface BetSender {
  placeBet(req: {
    clientBetId: string;
    roundId: string;
    bet: GameBet;
    stake: number;
    frameStudioMs?: number;
  }): Promise<BetDto>;
  cancelBet(clientBetId: string): Promise<BetDto>;
}

/** One chip on the layout: one bet of table-service. */
export interface Chip {
  readonly clientBetId: string;
  readonly stake: number;
  /** sending: not answered yet; placed: taken (the wallet paid it); cancelling: undo on its way. */
  readonly status: 'sending' | 'placed' | 'cancelling';
}

/** The chips on one spot of the layout (one bet, e.g. split 17-20, or banker). */
export interface Spot {
  readonly key: string;
  readonly bet: GameBet;
  readonly chips: readonly Chip[];
}

/** Something to tell the player: a refused bet (its chips came back) or an undo that failed. */
export interface SlipNotice {
  readonly id: number;
  readonly code: ErrorCode | string;
  readonly text: string;
  /** The refusal as table-service (or the page) worded it: why, for support and for tests. */
  readonly detail: string;
  readonly atMs: number;
}

export interface SlipState {
  readonly roundId: string | null;
  readonly spots: readonly Spot[];
  /** Total of the chips on the layout, any status but refused. */
  readonly total: number;
  /** The wallet as table-service last told it (after a bet, a cancel, a refund, a settlement). */
  readonly balance: number | null;
  /** The previous round's placed bets, for rebet; empty: nothing to repeat. */
  readonly lastRound: readonly { readonly bet: GameBet; readonly stake: number }[];
  readonly notices: readonly SlipNotice[];
  /** Whether an undo has anything to take back. */
  readonly canUndo: boolean;
}

/** Why table-service refused a bet, for the player: what happened and what they can do. */
export function refusalText(code: string, message: string): string {
  switch (code) {
    case 'TABLE_BETTING_CLOSED':
      return 'No more bets: betting had closed on your video.';
    case 'WALLET_INSUFFICIENT_FUNDS':
    case 'LEDGER_INSUFFICIENT_FUNDS':
      return 'Insufficient funds for this bet.';
    case 'BET_LIMIT_BELOW_MIN':
      return "Below the table's minimum for this bet.";
    case 'BET_LIMIT_ABOVE_MAX':
      return "Above the table's maximum for this bet.";
    case 'BET_TABLE_LIMIT':
      return 'Your bets this round have reached the table limit.';
    case 'RATE_LIMITED':
      return 'Too fast: wait a moment and bet again.';
    case 'ROUND_WRONG_STATE':
    case 'ROUND_NOT_FOUND':
      return 'This round is no longer taking bets.';
    case 'AUTH_TOKEN_EXPIRED':
    case 'AUTH_TOKEN_INVALID':
    case 'AUTH_TOKEN_MISSING':
      return 'Your session has expired: sign in again.';
    case 'TIMEOUT':
    case 'NETWORK_UNREACHABLE':
      return 'No answer from the table: check your connection. Your balance shows whether the bet stood.';
    default:
      return `Bet refused: ${message}`;
  }
}

interface MutableSpot {
  key: string;
  bet: GameBet;
  chips: Chip[];
}

/**
 * The player's bets of the current round as chips on the layout. Every chip is a bet sent at once
 * with the studio time of the frame on screen when it was clicked; a refused chip comes back with
 * the reason; undo cancels the last action (a chip, a double, a rebet), clear cancels them all.
 * Rebet and double place the chips again through the same path, so every one is judged by its own
 * frame. Nothing here is believed by the server: it only shows what table-service answered.
 */
export class BetSlip {
  readonly store: Store<SlipState>;
  readonly #sender: BetSender;
  readonly #now: () => number;
  #roundId: string | null = null;
  #spots = new Map<string, MutableSpot>();
  /** Each action's chips (a click: one; a double or rebet: several), newest last. */
  #actions: string[][] = [];
  /** Chips whose undo was asked while they were still being sent. */
  #cancelOnPlace = new Set<string>();
  #lastRound: { bet: GameBet; stake: number }[] = [];
  #notices: SlipNotice[] = [];
  #noticeId = 0;
  #sequence = 0;
  readonly #idPrefix: string;

  constructor(sender: BetSender, opts: { now?: () => number; idPrefix?: string } = {}) {
    this.#sender = sender;
    this.#now = opts.now ?? Date.now;
    this.#idPrefix = opts.idPrefix ?? Math.random().toString(36).slice(2, 10);
    this.store = createStore<SlipState>(this.#snapshot(null));
  }

  /**
   * A new round is open: the last one's placed chips become the rebet, the layout is cleared.
   * The same round again (a resync) changes nothing.
   */
  startRound(roundId: string): void {
    if (roundId === this.#roundId) return;
    const placed = [...this.#spots.values()].flatMap((s) =>
      s.chips.filter((c) => c.status === 'placed').map((c) => ({ bet: s.bet, stake: c.stake })),
    );
    if (placed.length > 0) this.#lastRound = mergeByBet(placed);
    this.#roundId = roundId;
    this.#spots.clear();
    this.#actions = [];
    this.#cancelOnPlace.clear();
    this.#publish();
  }

  /** The round's bets as table-service has them (after a reload or a reconnection): the layout follows. */
  adoptPlaced(roundId: string, bets: readonly BetDto[]): void {
    this.startRound(roundId);
    for (const dto of bets) {
      if (dto.roundId !== roundId || dto.status !== 'placed') continue;
      const spot = this.#spot(dto.bet);
      if (spot.chips.some((c) => c.clientBetId === dto.clientBetId)) continue;
      spot.chips.push({ clientBetId: dto.clientBetId, stake: dto.stake, status: 'placed' });
    }
    this.#publish();
  }

  setBalance(amount: number): void {
    this.store.setState({ balance: amount });
  }

  /** A chip of `stake` on `bet`, judged by the frame on screen (`frameStudioMs`). */
  place(bet: GameBet, stake: number, frameStudioMs: number | null): Promise<void> {
    return this.#placeGroup([{ bet, stake }], frameStudioMs);
  }

  /** Every spot once more with what is on it now (one undo takes the doubling back). */
  double(frameStudioMs: number | null): Promise<void> {
    const again = [...this.#spots.values()]
      .map((s) => ({ bet: s.bet, stake: s.chips.reduce((sum, c) => sum + c.stake, 0) }))
      .filter((b) => b.stake > 0);
    return this.#placeGroup(again, frameStudioMs);
  }

  /** The previous round's bets again. */
  rebet(frameStudioMs: number | null): Promise<void> {
    return this.#placeGroup(this.#lastRound, frameStudioMs);
  }

  /** Takes back the last action's chips. */
  async undo(): Promise<void> {
    const ids = this.#actions.pop();
    if (!ids) return;
    this.#publish();
    await Promise.all(ids.map((id) => this.#cancel(id)));
  }

  /** Takes back every chip on the layout. */
  async clear(): Promise<void> {
    const ids = [...this.#spots.values()].flatMap((s) => s.chips.map((c) => c.clientBetId));
    this.#actions = [];
    this.#publish();
    await Promise.all(ids.map((id) => this.#cancel(id)));
  }

  /**
   * A bet table-service took and then refunded as late (the close, or the reveal, was on its way):
   * its chip leaves the layout and the player hears why.
   */
  refunded(clientBetId: string, code: string, message: string): void {
    if (!this.#find(clientBetId)) return;
    this.#remove(clientBetId);
    this.#notify({ code, message });
  }

  /** A click the page refuses itself (betting is over on the player's video): nothing is sent. */
  refuse(code: string, message: string): void {
    this.#notify({ code, message });
  }

  dismissNotice(id: number): void {
    this.#notices = this.#notices.filter((n) => n.id !== id);
    this.#publish();
  }

  async #placeGroup(bets: readonly { bet: GameBet; stake: number }[], frameStudioMs: number | null): Promise<void> {
    const roundId = this.#roundId;
    if (!roundId || bets.length === 0) return;
    const ids: string[] = [];
    const sends = bets.map(({ bet, stake }) => {
      const clientBetId = `${this.#idPrefix}-${roundId.slice(-12)}-${++this.#sequence}`;
      ids.push(clientBetId);
      this.#spot(bet).chips.push({ clientBetId, stake, status: 'sending' });
      return { clientBetId, bet, stake };
    });
    this.#actions.push(ids);
    this.#publish();
    await Promise.all(
      sends.map(async ({ clientBetId, bet, stake }) => {
        try {
          const dto = await this.#sender.placeBet({
            clientBetId,
            roundId,
            bet,
            stake,
            ...(frameStudioMs === null ? {} : { frameStudioMs: Math.floor(frameStudioMs) }),
          });
          if (dto.balance !== undefined) this.store.setState({ balance: dto.balance });
          if (this.#roundId !== roundId) return;
          this.#setStatus(clientBetId, 'placed');
          if (this.#cancelOnPlace.delete(clientBetId)) await this.#cancel(clientBetId);
        } catch (err) {
          this.#cancelOnPlace.delete(clientBetId);
          if (this.#roundId === roundId) this.#remove(clientBetId);
          this.#notify(err);
        }
      }),
    );
  }

  async #cancel(clientBetId: string): Promise<void> {
    const chip = this.#find(clientBetId);
    if (!chip) return;
    if (chip.status === 'sending') {
      this.#cancelOnPlace.add(clientBetId);
      return;
    }
    if (chip.status === 'cancelling') return;
    const roundId = this.#roundId;
    this.#setStatus(clientBetId, 'cancelling');
    try {
      const dto = await this.#sender.cancelBet(clientBetId);
      if (dto.balance !== undefined) this.store.setState({ balance: dto.balance });
      if (this.#roundId === roundId) this.#remove(clientBetId);
    } catch (err) {
      // Still placed (betting closed meanwhile, or no answer): the chip stays, and the player hears why.
      if (this.#roundId === roundId) this.#setStatus(clientBetId, 'placed');
      this.#notify(err, 'Could not take the bet back: ');
    }
  }

  #spot(bet: GameBet): MutableSpot {
    const key = gameBetKey(bet);
    let spot = this.#spots.get(key);
    if (!spot) {
      spot = { key, bet, chips: [] };
      this.#spots.set(key, spot);
    }
    return spot;
  }

  #find(clientBetId: string): Chip | undefined {
    for (const s of this.#spots.values()) {
      const chip = s.chips.find((c) => c.clientBetId === clientBetId);
      if (chip) return chip;
    }
    return undefined;
  }

  #setStatus(clientBetId: string, status: Chip['status']): void {
    for (const s of this.#spots.values()) {
      s.chips = s.chips.map((c) => (c.clientBetId === clientBetId ? { ...c, status } : c));
    }
    this.#publish();
  }

  #remove(clientBetId: string): void {
    for (const [key, s] of this.#spots) {
      s.chips = s.chips.filter((c) => c.clientBetId !== clientBetId);
      if (s.chips.length === 0) this.#spots.delete(key);
    }
    this.#actions = this.#actions.map((ids) => ids.filter((id) => id !== clientBetId)).filter((ids) => ids.length > 0);
    this.#publish();
  }

  #notify(err: unknown, prefix = ''): void {
    const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : 'INTERNAL';
    const message = err instanceof Error ? err.message : String(err);
    const text = prefix + refusalText(code, message);
    this.#notices = [
      ...this.#notices.slice(-4),
      { id: ++this.#noticeId, code, text, detail: message, atMs: this.#now() },
    ];
    this.#publish();
  }

  #publish(): void {
    this.store.setState(this.#snapshot(this.store?.getState().balance ?? null));
  }

  #snapshot(balance: number | null): SlipState {
    const spots = [...this.#spots.values()].map((s) => ({ key: s.key, bet: s.bet, chips: [...s.chips] }));
    return {
      roundId: this.#roundId,
      spots,
      total: spots.reduce((sum, s) => sum + s.chips.reduce((t, c) => t + c.stake, 0), 0),
      balance,
      lastRound: this.#lastRound,
      notices: this.#notices,
      canUndo: this.#actions.length > 0,
    };
  }
}

function mergeByBet(bets: readonly { bet: GameBet; stake: number }[]): { bet: GameBet; stake: number }[] {
  const merged = new Map<string, { bet: GameBet; stake: number }>();
  for (const { bet, stake } of bets) {
    const key = gameBetKey(bet);
    const prior = merged.get(key);
    merged.set(key, { bet, stake: (prior?.stake ?? 0) + stake });
  }
  return [...merged.values()];
}
