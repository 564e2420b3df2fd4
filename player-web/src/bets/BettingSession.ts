import type { TableRealtime, TableServiceClient, TableWatch } from '@live-casino/clients';
import type { BetDto, RoundDto } from '@live-casino/protocol';
import { createStore, type Store } from '../store.js';
import { BetSlip } from './BetSlip.js';

/** What the betting session needs of the video: the frame on screen and how late it is. */
export interface VideoClock {
  /** Studio time of the frame on screen now, or null before the first frame. */
  frameStudioMs(): number | null;
  playoutDelayMs(): number | null;
  mode: 'webrtc' | 'hls';
}

export interface BettingState {
  /** The table's round as table-service last told it (the overlay shows it in video time). */
  readonly round: RoundDto | null;
  readonly connected: boolean;
  /** The player's late-bet allowance as the server measured it (null: the server clock decides). */
  readonly allowanceMs: number | null;
  /** One way to table-service, from the delay reports' round trips (smoothed). */
  readonly networkMs: number;
  readonly currency: string | null;
}

/** Delay reports: the server measures the player's real delay itself; these feed dashboards and the allowance answer. */
const REPORT_EVERY_MS = 2_000;

/**
 * A player's betting at one table: the round from table-service's events (resynced after a gap or
 * a reconnection, with the round's bets and the balance read again), the bet slip, the balance,
 * and the delay reports whose answers say how late a click on this player's video may arrive.
 */
export class BettingSession {
  readonly slip: BetSlip;
  readonly store: Store<BettingState>;
  readonly #client: TableServiceClient;
  readonly #tableId: string;
  readonly #video: VideoClock;
  readonly #onBalance: ((amount: number, currency: string) => void) | undefined;
  #realtime: TableRealtime | null = null;
  #watch: TableWatch | null = null;
  #unlisten: (() => void)[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(opts: {
    client: TableServiceClient;
    tableId: string;
    video: VideoClock;
    /** Every balance the session learns (the page's header shows it). */
    onBalance?: (amount: number, currency: string) => void;
  }) {
    this.#client = opts.client;
    this.#onBalance = opts.onBalance;
    this.#tableId = opts.tableId;
    this.#video = opts.video;
    this.store = createStore<BettingState>({
      round: null,
      connected: false,
      allowanceMs: null,
      networkMs: 50,
      currency: null,
    });
    this.slip = new BetSlip({
      placeBet: (req) => this.#rt().placeBet(req),
      cancelBet: (clientBetId) => this.#rt().cancelBet(clientBetId),
    });
  }

  async start(): Promise<void> {
    const rt = this.#client.realtime();
    this.#realtime = rt;
    const onConnect = () => this.store.setState({ connected: true });
    const onDisconnect = () => this.store.setState({ connected: false });
    rt.socket.on('connect', onConnect);
    rt.socket.on('disconnect', onDisconnect);
    this.store.setState({ connected: rt.connected });
    this.#unlisten.push(
      () => rt.socket.off('connect', onConnect),
      () => rt.socket.off('disconnect', onDisconnect),
      rt.onBalance((b) => this.#balance(b.amount, b.currency)),
      rt.onBetRefused((ev) => {
        if (ev.tableId === this.#tableId) this.slip.refunded(ev.clientBetId, ev.code, ev.message);
      }),
    );
    // The slip learns the balance from its own bets' acks too (no event comes back for those).
    this.#unlisten.push(
      this.slip.store.subscribe(() => {
        const amount = this.slip.store.getState().balance;
        const currency = this.store.getState().currency;
        if (amount !== null && currency !== null) this.#onBalance?.(amount, currency);
      }),
    );
    this.#watch = await rt.watch(this.#tableId, {
      onEvent: (ev) => this.#onRound(ev.round),
      onSnapshot: (snap, reason) => {
        this.#onRound(snap.round);
        // Missed events may have moved money: read the balance and the round's bets again.
        if (reason !== 'subscribed') void this.#resync();
      },
    });
    await this.#resync();
    this.#timer = setInterval(() => void this.#report(), REPORT_EVERY_MS);
    void this.#report();
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    for (const off of this.#unlisten) off();
    this.#unlisten = [];
    void this.#watch?.stop();
  }

  #rt(): TableRealtime {
    if (!this.#realtime) throw new Error('betting session not started');
    return this.#realtime;
  }

  #onRound(round: RoundDto | null): void {
    if (this.#closed) return;
    this.store.setState({ round, ...(round ? { currency: round.currency } : {}) });
    if (round && round.state !== 'IDLE') this.slip.startRound(round.roundId);
  }

  #balance(amount: number, currency: string): void {
    this.slip.setBalance(amount);
    this.store.setState({ currency });
    this.#onBalance?.(amount, currency);
  }

  /** The balance and this round's bets as table-service has them. */
  async #resync(): Promise<void> {
    try {
      const [me, bets] = await Promise.all([this.#client.me(), this.#client.bets(100)]);
      if (this.#closed) return;
      this.#balance(me.balance.amount, me.balance.currency);
      const round = this.store.getState().round;
      if (round)
        this.slip.adoptPlaced(
          round.roundId,
          bets.filter((b: BetDto) => b.roundId === round.roundId),
        );
    } catch {
      // The next snapshot or reconnection tries again; the overlay keeps what it had.
    }
  }

  async #report(): Promise<void> {
    const delay = this.#video.playoutDelayMs();
    if (this.#closed || delay === null || !this.#realtime?.connected) return;
    const sentAt = performance.now();
    try {
      const answer = await this.#realtime.reportDelay({
        mode: this.#video.mode,
        playoutDelayMs: Math.min(60_000, Math.max(0, Math.round(delay))),
        tableId: this.#tableId,
      });
      const oneWay = (performance.now() - sentAt) / 2;
      const prior = this.store.getState().networkMs;
      this.store.setState({ allowanceMs: answer.allowanceMs, networkMs: Math.round(prior * 0.7 + oneWay * 0.3) });
    } catch {
      // Rate limited or disconnected: the next report will do.
    }
  }
}
