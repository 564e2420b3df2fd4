import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Database } from '../db/Database.js';
import type { Rounds } from '../rounds/Rounds.js';
import type { RoundEvent } from '../rounds/RoundTypes.js';
import type { LeaseStore } from './LeaseStore.js';
import type { ClusterDto, TableLeasesEvents, TableLeaseState } from './TableLeasesTypes.js';

export interface TableLeasesOptions {
  store: LeaseStore;
  db: Database;
  rounds: Rounds;
  tableIds: Iterable<string>;
  nodeId: string;
  leaseMs: number;
  log: Logger;
}

/** Time left to a dealer to settle a confirmed round by hand before the owner does. */
export const AUTO_SETTLE_GRACE_MS = 1000;

interface Lease {
  state: TableLeaseState;
  /** Local time until which the lease is surely ours: measured from before the request was sent. */
  validUntil: number;
}

/**
 * One owner node per table. Every `leaseMs / 3` the node renews the leases it holds and tries to
 * take the free ones. On taking a table it first runs `rounds.recover` (what a dead owner left
 * half-way is settled or voided, exactly once), then acts for it: here, settling confirmed rounds
 * once their late-acceptance deadline passes, and holding vision-checked results that no agreeing
 * reading confirmed in time (the vision timeout). Both timers are re-armed from Postgres on every
 * tick, so a node that takes a table over picks them up. A lease that could not be renewed in time, or was
 * found taken, stops all acting for that table at once.
 *
 * Round transitions themselves stay safe on any node (each one is a conditional UPDATE), so HTTP
 * and socket requests are served wherever they land; the lease decides who acts on its own.
 */
export class TableLeases extends EventEmitter<TableLeasesEvents> {
  readonly nodeId: string;
  readonly leaseMs: number;
  readonly #opts: TableLeasesOptions;
  readonly #log: Logger;
  readonly #leases = new Map<string, Lease>();
  /** Auto-settle timers by round id. */
  readonly #settleTimers = new Map<string, { tableId: string; timer: NodeJS.Timeout }>();
  /** Vision timeout checks by round id. */
  readonly #visionTimers = new Map<string, { tableId: string; timer: NodeJS.Timeout }>();
  readonly #recovering = new Map<string, Promise<void>>();
  readonly #onRoundEvent: (ev: RoundEvent) => void;
  #interval: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #closed: Promise<void> | undefined;

  private constructor(opts: TableLeasesOptions) {
    super();
    this.#opts = opts;
    this.nodeId = opts.nodeId;
    this.leaseMs = opts.leaseMs;
    this.#log = opts.log.child({ component: 'table-leases', nodeId: opts.nodeId });
    for (const tableId of opts.tableIds) this.#leases.set(tableId, { state: 'standby', validUntil: 0 });
    this.#onRoundEvent = (ev) => {
      if (ev.event === 'RESULT_CONFIRMED' && ev.round.lastAcceptanceMs !== null) {
        this.#scheduleSettle(ev.tableId, ev.round.roundId, ev.round.lastAcceptanceMs);
      }
      if (ev.event === 'RESULT_PENDING' && ev.round.visionCheck && ev.round.hold === null) {
        this.#scheduleVisionCheck(ev.tableId, ev.round.roundId, Date.now() + opts.rounds.vision.timeoutMs);
      }
    };
  }

  /** Starts the lease loop; resolves once the first round of acquisitions (and their recoveries) is done. */
  static async create(opts: TableLeasesOptions): Promise<TableLeases> {
    const leases = new TableLeases(opts);
    opts.rounds.on('event', leases.#onRoundEvent);
    leases.#interval = setInterval(() => void leases.#tick(), Math.max(50, Math.floor(opts.leaseMs / 3)));
    await leases.#tick();
    await Promise.all([...leases.#recovering.values()]);
    return leases;
  }

  /** True while this node may act for the table. */
  owns(tableId: string): boolean {
    const lease = this.#leases.get(tableId);
    return lease?.state === 'owned' && Date.now() < lease.validUntil;
  }

  ownedTables(): string[] {
    return [...this.#leases.keys()].filter((t) => this.owns(t));
  }

  async serialize(): Promise<ClusterDto> {
    const tableIds = [...this.#leases.keys()];
    const owners = await this.#opts.store.owners(tableIds).catch(() => tableIds.map(() => null));
    return {
      nodeId: this.nodeId,
      store: this.#opts.store.kind,
      leaseMs: this.leaseMs,
      owned: this.ownedTables(),
      tables: tableIds.map((tableId, i) => ({
        tableId,
        state: this.owns(tableId)
          ? 'owned'
          : this.#leases.get(tableId)!.state === 'recovering'
            ? 'recovering'
            : 'standby',
        ownerNodeId: owners[i] ?? null,
      })),
    };
  }

  /** Ticks never overlap: a slow store delays the next one, and `owns()` expires leases meanwhile. */
  #tick(): Promise<void> {
    this.#ticking ??= this.#renewAndAcquire()
      .then(() => this.#pollConfirmed())
      .catch((err) => this.#log.error({ err }, 'lease tick failed'))
      .finally(() => {
        this.#ticking = undefined;
      });
    return this.#ticking;
  }

  async #renewAndAcquire(): Promise<void> {
    const { store } = this.#opts;
    await Promise.all(
      [...this.#leases].map(async ([tableId, lease]) => {
        const sentAt = Date.now();
        try {
          if (lease.state === 'standby') {
            if (await store.acquire(tableId, this.nodeId, this.leaseMs)) {
              if (this.#closed) {
                await store.release(tableId, this.nodeId);
                return;
              }
              lease.validUntil = sentAt + this.leaseMs;
              this.#startRecovery(tableId, lease);
            }
            return;
          }
          if (sentAt >= lease.validUntil) {
            this.#lose(tableId, lease, 'expired');
            return;
          }
          if (await store.renew(tableId, this.nodeId, this.leaseMs)) {
            lease.validUntil = sentAt + this.leaseMs;
          } else {
            this.#lose(tableId, lease, 'taken');
          }
        } catch (err) {
          // The lease stays ours until validUntil whatever the store says later; retried next tick.
          this.#log.warn({ err, tableId }, 'lease store request failed');
          if (lease.state !== 'standby' && Date.now() >= lease.validUntil) this.#lose(tableId, lease, 'expired');
        }
      }),
    );
  }

  #startRecovery(tableId: string, lease: Lease): void {
    lease.state = 'recovering';
    this.#log.info({ tableId }, 'table lease acquired');
    this.emit('acquired', { tableId, nodeId: this.nodeId });
    const run = async (): Promise<void> => {
      try {
        const rounds = await this.#opts.rounds.recover(tableId);
        if (lease.state !== 'recovering') return;
        lease.state = 'owned';
        this.#log.info({ tableId, recovered: rounds.length }, 'table owned');
        this.emit('recovered', { tableId, nodeId: this.nodeId, rounds });
      } catch (err) {
        // Recovery is idempotent: try again while the lease is held.
        this.#log.error({ err, tableId }, 'recovery failed; retrying');
        await new Promise((r) => setTimeout(r, this.leaseMs / 3));
        if (lease.state === 'recovering' && !this.#closed) return run();
      }
    };
    const done = run().finally(() => this.#recovering.delete(tableId));
    this.#recovering.set(tableId, done);
  }

  #lose(tableId: string, lease: Lease, reason: 'taken' | 'expired'): void {
    lease.state = 'standby';
    lease.validUntil = 0;
    this.#cancelSettles(tableId);
    this.#log.warn({ tableId, reason }, 'table lease lost; stopped acting for the table');
    this.emit('lost', { tableId, nodeId: this.nodeId, reason });
  }

  /**
   * Confirmed rounds, and vision-checked results still waiting for a reading, of owned tables,
   * whichever node moved them (events only reach the node that did).
   */
  async #pollConfirmed(): Promise<void> {
    const owned = this.ownedTables();
    if (owned.length === 0) return;
    const { rows } = await this.#opts.db.query<{
      id: string;
      table_id: string;
      state: string;
      last_acceptance_ms: number | null;
      result_at_ms: number | null;
    }>(
      `SELECT id, table_id, state, last_acceptance_ms, result_at_ms FROM rounds
        WHERE table_id = ANY($1)
          AND (state = 'RESULT_CONFIRMED' OR (state = 'RESULT_PENDING' AND vision_check AND hold_reason IS NULL))`,
      [owned],
    );
    for (const row of rows) {
      if (row.state === 'RESULT_CONFIRMED') {
        this.#scheduleSettle(row.table_id, row.id, Number(row.last_acceptance_ms ?? 0));
      } else {
        this.#scheduleVisionCheck(row.table_id, row.id, (row.result_at_ms ?? 0) + this.#opts.rounds.vision.timeoutMs);
      }
    }
  }

  /** At the vision deadline, check again: a result no agreeing reading confirmed holds for the pit boss. */
  #scheduleVisionCheck(tableId: string, roundId: string, deadlineMs: number): void {
    if (!this.owns(tableId) || this.#visionTimers.has(roundId)) return;
    const timer = setTimeout(() => void this.#visionCheck(tableId, roundId), Math.max(0, deadlineMs + 5 - Date.now()));
    this.#visionTimers.set(roundId, { tableId, timer });
  }

  async #visionCheck(tableId: string, roundId: string): Promise<void> {
    try {
      if (!this.owns(tableId)) return;
      await this.#opts.rounds.crossCheck(roundId);
    } catch (err) {
      this.#log.error({ err, roundId }, 'vision check failed; the next poll retries');
    } finally {
      this.#visionTimers.delete(roundId);
    }
  }

  #scheduleSettle(tableId: string, roundId: string, lastAcceptanceMs: number): void {
    if (!this.owns(tableId) || this.#settleTimers.has(roundId)) return;
    // Rounds.settle refuses before the deadline (a few ms of margin for timer granularity). The
    // grace leaves a dealer who settles right after confirming the first go: two settles racing
    // each other both succeed in moving money once, but the loser answers ROUND_WRONG_STATE.
    const at = Math.max(lastAcceptanceMs + 5, Date.now() + AUTO_SETTLE_GRACE_MS);
    const timer = setTimeout(() => void this.#autoSettle(tableId, roundId), at - Date.now());
    this.#settleTimers.set(roundId, { tableId, timer });
  }

  async #autoSettle(tableId: string, roundId: string): Promise<void> {
    try {
      if (!this.owns(tableId)) return;
      const round = await this.#opts.rounds.get(roundId);
      if (round.state !== 'RESULT_CONFIRMED') return;
      await this.#opts.rounds.settle(roundId);
      this.#log.info({ tableId, roundId }, 'round settled after its deadline');
      this.emit('autosettled', { tableId, roundId });
    } catch (err) {
      // Settled or voided meanwhile by a dealer or pit boss: nothing to do. Else the next poll retries.
      if ((err as { code?: string }).code !== 'ROUND_WRONG_STATE')
        this.#log.error({ err, roundId }, 'auto-settle failed');
    } finally {
      this.#settleTimers.delete(roundId);
    }
  }

  #cancelSettles(tableId: string): void {
    for (const timers of [this.#settleTimers, this.#visionTimers]) {
      for (const [roundId, { tableId: t, timer }] of timers) {
        if (t !== tableId) continue;
        clearTimeout(timer);
        timers.delete(roundId);
      }
    }
  }

  /** Stops the loop and releases held leases so another node takes over without waiting. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      clearInterval(this.#interval);
      this.#opts.rounds.off('event', this.#onRoundEvent);
      await this.#ticking;
      for (const [tableId, lease] of this.#leases) {
        this.#cancelSettles(tableId);
        if (lease.state === 'standby') continue;
        lease.state = 'standby';
        lease.validUntil = 0;
        try {
          if (await this.#opts.store.release(tableId, this.nodeId)) {
            this.emit('released', { tableId, nodeId: this.nodeId });
          }
        } catch (err) {
          this.#log.warn({ err, tableId }, 'lease release failed; it expires on its own');
        }
      }
      this.emit('closed');
    })();
    return this.#closed;
  }

  /** Stops renewing without releasing, as a crashed node would: for tests of take-over. */
  abandon(): void {
    clearInterval(this.#interval);
    for (const [tableId, lease] of this.#leases) {
      this.#cancelSettles(tableId);
      lease.state = 'standby';
    }
    this.#closed ??= Promise.resolve();
  }
}
