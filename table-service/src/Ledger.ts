import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import {
  ACCOUNT_KINDS,
  type Account,
  type AccountKind,
  isLedgerErrorCode,
  LedgerError,
  type LedgerOptions,
  type OpenAccountOptions,
  type PlaceResult,
  type Queryable,
  type Transfer,
  type TransferKind,
  type TransferRequest,
  type TransferResult,
} from './LedgerTypes.js';

export * from './LedgerTypes.js';

/**
 * sha256 (hex) of the canonical body of a transfer request. Stored with the transfer so that the
 * same id with a different body is refused, and recomputed from the row by ledger:check.
 */
export function transferBodyHash(req: TransferRequest): string {
  const canonical = JSON.stringify([
    'transfer/v1',
    req.id,
    req.from,
    req.to,
    req.amount,
    req.currency,
    req.kind,
    req.roundId ?? null,
    req.betId ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

interface PendingPlace {
  req: TransferRequest;
  resolve: (result: TransferResult) => void;
  reject: (err: unknown) => void;
}

interface RawTransfer {
  id: string;
  from: string;
  to: string;
  amount: number;
  currency: string;
  kind: string;
  roundId: string | null;
  betId: string | null;
  seq: number;
  createdAt: string;
}

type RawResult =
  | { status: 'committed'; transfer: RawTransfer; fromBalance: number; toBalance: number }
  | { status: 'replayed'; transfer: RawTransfer }
  | { status: 'failed'; code: string; message: string };

interface AccountRow {
  id: string;
  kind: AccountKind;
  owner: string;
  currency: string;
  balance: number;
  closed_at: Date | null;
  created_at: Date;
}

interface TransferRow {
  id: string;
  seq: number;
  from_account: string;
  to_account: string;
  amount: number;
  currency: string;
  kind: string;
  round_id: string | null;
  bet_id: string | null;
  created_at: Date;
}

const ID_MAX = 200;
const ACCOUNT_ID_MAX = 128;
const CURRENCY = /^[A-Z]{3}$/;
const KIND = /^[a-z][a-z_]{0,31}$/;
const RETRY_DELAYS_MS = [25, 100, 400];

/**
 * The double-entry ledger: every transfer moves a positive amount of minor units between two
 * accounts of one currency, exactly once per caller-supplied id, and the balances it changes move
 * in the same transaction as its insert. All writes go through one SQL function (`ledger_apply`,
 * migrations/0001_ledger.sql), one round trip per call.
 *
 * Calls without a client run in their own transaction and are retried on deadlocks, serialization
 * failures and lost connections: the idempotency id makes a retry of a commit whose outcome was
 * unknown come back as a replay instead of moving money twice. Calls with a client run inside the
 * caller's transaction and are not retried.
 */
export class Ledger {
  readonly #pool: pg.Pool;
  readonly #log: Logger;
  readonly #maxBatch: number;
  readonly #queue: PendingPlace[] = [];
  #inFlight: Promise<void> | undefined;
  #closed = false;

  private constructor(opts: LedgerOptions) {
    this.#pool = opts.pool;
    this.#log = opts.log.child({ component: 'ledger' });
    this.#maxBatch = opts.maxBatch ?? 256;
  }

  static async create(opts: LedgerOptions): Promise<Ledger> {
    const { rows } = await opts.pool.query<{ fn: string | null }>(
      `SELECT to_regprocedure('ledger_apply(jsonb, boolean)')::text AS fn`,
    );
    if (!rows[0]?.fn) throw new Error('the ledger schema is missing: run the migrations (Database.create does)');
    return new Ledger(opts);
  }

  static houseAccountId(currency: string): string {
    return `house:${currency}`;
  }

  static cashierAccountId(currency: string): string {
    return `cashier:${currency}`;
  }

  /** Opens an account, or returns it if it exists with the same kind, owner and currency. */
  async openAccount(opts: OpenAccountOptions, client?: Queryable): Promise<Account> {
    checkAccount(opts);
    const db = client ?? this.#pool;
    const inserted = await db.query<AccountRow>(
      `INSERT INTO accounts (id, kind, owner, currency) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO NOTHING RETURNING *`,
      [opts.id, opts.kind, opts.owner, opts.currency],
    );
    const row = inserted.rows[0] ?? (await this.#accountRow(opts.id, db));
    if (row.kind !== opts.kind || row.owner !== opts.owner || row.currency !== opts.currency) {
      throw new LedgerError(
        'LEDGER_IDEMPOTENCY_CONFLICT',
        `account ${opts.id} exists as ${row.kind} of ${row.owner} in ${row.currency}`,
      );
    }
    return toAccount(row);
  }

  /** The house and the cashier of a currency (both go negative: they are the other side of wins and deposits). */
  async openSystemAccounts(currency: string, client?: Queryable): Promise<{ house: Account; cashier: Account }> {
    const house = await this.openAccount(
      { id: Ledger.houseAccountId(currency), kind: 'house', owner: 'house', currency },
      client,
    );
    const cashier = await this.openAccount(
      { id: Ledger.cashierAccountId(currency), kind: 'cashier', owner: 'cashier', currency },
      client,
    );
    return { house, cashier };
  }

  async account(id: string, client?: Queryable): Promise<Account> {
    return toAccount(await this.#accountRow(id, client ?? this.#pool));
  }

  async balance(id: string, client?: Queryable): Promise<number> {
    return (await this.account(id, client)).balance;
  }

  /**
   * Closes an account to further credits (it can still pay out). Closing a round's escrow in the
   * transaction that closes the betting window means every bet either committed before the close
   * or is refused with LEDGER_ACCOUNT_CLOSED: the row lock orders them. Idempotent.
   */
  async closeAccount(id: string, client?: Queryable): Promise<Account> {
    const db = client ?? this.#pool;
    const { rows } = await db.query<AccountRow>(
      'UPDATE accounts SET closed_at = now() WHERE id = $1 AND closed_at IS NULL RETURNING *',
      [id],
    );
    return toAccount(rows[0] ?? (await this.#accountRow(id, db)));
  }

  /** Moves money exactly once per id; throws LedgerError (nothing written) when refused. */
  async transfer(req: TransferRequest, client?: Queryable): Promise<TransferResult> {
    const [result] = await this.placeBatch([req], client);
    if (!result) throw new Error('ledger_apply returned no result');
    if (!result.ok) throw result.error;
    return {
      transfer: result.transfer,
      replayed: result.replayed,
      ...(result.balances && { balances: result.balances }),
    };
  }

  /**
   * Applies the transfers in order, all or nothing (settlement). On a refusal it throws LedgerError
   * with `index` set, and nothing of the call is written; inside a caller's transaction, that
   * transaction is then aborted too (the round must not be marked settled if its money did not
   * move). Transfers already committed under the same ids come back as replays, so a crashed
   * settlement is finished by running it again. Lock order: prefer one call per transaction;
   * accounts locked by earlier statements of the caller's transaction can deadlock with other
   * transactions (Postgres then aborts one with 40P01; retry it).
   */
  async transferMany(reqs: readonly TransferRequest[], client?: Queryable): Promise<TransferResult[]> {
    if (reqs.length === 0) return [];
    reqs.forEach((req, index) => {
      const error = checkRequest(req, index);
      if (error) throw error;
    });
    const raw = await this.#apply(reqs, true, client);
    return raw.map((r, index) => {
      if (r.status === 'failed') throw toLedgerError(r.code, r.message, index);
      return toTransferResult(r);
    });
  }

  /**
   * Settlement's and voids' form of transferMany: every transfer or none, in one statement, answering
   * only how many were new and how many were replays of the same ids. A round of tens of thousands
   * of bets then costs no result object per transfer (built in Postgres, parsed here: a third of a
   * settlement's time), and the winners' wallets are held that much shorter. Refusals throw as in
   * transferMany.
   */
  async transferAll(
    reqs: readonly TransferRequest[],
    client?: Queryable,
  ): Promise<{ committed: number; replayed: number }> {
    if (reqs.length === 0) return { committed: 0, replayed: 0 };
    reqs.forEach((req, index) => {
      const error = checkRequest(req, index);
      if (error) throw error;
    });
    const column = <T>(f: (r: TransferRequest) => T): T[] => reqs.map(f);
    const params = [
      column((r) => r.id),
      column((r) => r.from),
      column((r) => r.to),
      column((r) => r.amount),
      column((r) => r.currency),
      column((r) => r.kind),
      column((r) => r.roundId ?? null),
      column((r) => r.betId ?? null),
      column((r) => transferBodyHash(r)),
    ];
    const run = async (db: Queryable) => {
      try {
        const { rows } = await db.query<{ committed: number; replayed: number }>(
          `SELECT count(*) FILTER (WHERE s.v = 'committed')::integer AS committed,
                  count(*) FILTER (WHERE s.v = 'replayed')::integer AS replayed
             FROM ledger_apply_core($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[],
                                    $7::text[], $8::text[], $9::text[], true) c,
                  unnest(c.o_status) AS s(v)`,
          params,
        );
        return rows[0]!;
      } catch (err) {
        throw ledgerErrorOf(err);
      }
    };
    if (client) return run(client);
    return this.#retrying(reqs.length, () => run(this.#pool));
  }

  /**
   * Group commit for the bet hot path: commits many independent transfers in one round trip and
   * one commit, each succeeding or failing on its own (results in input order). Refusals are
   * results, not exceptions; a failure of the whole call (database down after retries) throws.
   */
  async placeBatch(reqs: readonly TransferRequest[], client?: Queryable): Promise<PlaceResult[]> {
    const results: (PlaceResult | undefined)[] = new Array(reqs.length);
    const valid: TransferRequest[] = [];
    const positions: number[] = [];
    reqs.forEach((req, i) => {
      const error = checkRequest(req);
      if (error) results[i] = { ok: false, error };
      else {
        valid.push(req);
        positions.push(i);
      }
    });
    if (valid.length > 0) {
      const raw = await this.#apply(valid, false, client);
      raw.forEach((r, j) => {
        results[positions[j]!] =
          r.status === 'failed'
            ? { ok: false, error: toLedgerError(r.code, r.message) }
            : { ok: true, ...toTransferResult(r) };
      });
    }
    return results as PlaceResult[];
  }

  /**
   * One transfer through the group commit: concurrent calls are coalesced into `placeBatch` calls,
   * one in flight at a time, so that under load many bets share one commit (and under light load a
   * bet waits for nothing). Resolves like `transfer`, rejects with LedgerError.
   */
  place(req: TransferRequest): Promise<TransferResult> {
    if (this.#closed) return Promise.reject(new LedgerError('SERVICE_UNAVAILABLE', 'the ledger is closing'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ req, resolve, reject });
      this.#pump();
    });
  }

  /** Cashier → player, for seeding demo balances. Opens the cashier account if needed. */
  async deposit(
    opts: { id: string; to: string; amount: number; currency: string },
    client?: Queryable,
  ): Promise<TransferResult> {
    const cashier = Ledger.cashierAccountId(opts.currency);
    await this.openAccount({ id: cashier, kind: 'cashier', owner: 'cashier', currency: opts.currency }, client);
    return this.transfer(
      { id: opts.id, from: cashier, to: opts.to, amount: opts.amount, currency: opts.currency, kind: 'deposit' },
      client,
    );
  }

  /** Transfers in or out of an account, newest first; page with `beforeSeq` = the last seq seen. */
  async history(
    accountId: string,
    opts: { limit?: number; beforeSeq?: number } = {},
    client?: Queryable,
  ): Promise<Transfer[]> {
    const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
    const before = opts.beforeSeq ?? Number.MAX_SAFE_INTEGER;
    const { rows } = await (client ?? this.#pool).query<TransferRow>(
      `SELECT * FROM (
         (SELECT * FROM transfers WHERE from_account = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3)
         UNION ALL
         (SELECT * FROM transfers WHERE to_account = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3)
       ) t ORDER BY seq DESC LIMIT $3`,
      [accountId, before, limit],
    );
    return rows.map(toTransfer);
  }

  /** Every transfer of a round, in order (bets, then settlement or void). */
  async roundTransfers(roundId: string, client?: Queryable): Promise<Transfer[]> {
    const { rows } = await (client ?? this.#pool).query<TransferRow>(
      'SELECT * FROM transfers WHERE round_id = $1 ORDER BY seq',
      [roundId],
    );
    return rows.map(toTransfer);
  }

  /** Stops taking `place()` calls and waits for the ones already taken to be committed. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#inFlight) await this.#inFlight;
  }

  #pump(): void {
    if (this.#inFlight || this.#queue.length === 0) return;
    const batch = this.#queue.splice(0, this.#maxBatch);
    this.#inFlight = this.placeBatch(batch.map((p) => p.req))
      .then(
        (results) =>
          results.forEach((r, i) => {
            const pending = batch[i]!;
            if (r.ok) {
              pending.resolve({
                transfer: r.transfer,
                replayed: r.replayed,
                ...(r.balances && { balances: r.balances }),
              });
            } else pending.reject(r.error);
          }),
        (err: unknown) => {
          this.#log.error({ err, size: batch.length }, 'bet batch failed');
          for (const p of batch) p.reject(err);
        },
      )
      .finally(() => {
        this.#inFlight = undefined;
        this.#pump();
      });
  }

  async #apply(reqs: readonly TransferRequest[], atomic: boolean, client?: Queryable): Promise<RawResult[]> {
    const items = JSON.stringify(
      reqs.map((r) => ({
        id: r.id,
        from: r.from,
        to: r.to,
        amount: r.amount,
        currency: r.currency,
        kind: r.kind,
        roundId: r.roundId ?? null,
        betId: r.betId ?? null,
        bodyHash: transferBodyHash(r),
      })),
    );
    const run = async (db: Queryable): Promise<RawResult[]> => {
      try {
        const { rows } = await db.query<{ r: RawResult[] }>('SELECT ledger_apply($1::jsonb, $2) AS r', [items, atomic]);
        return rows[0]!.r;
      } catch (err) {
        throw ledgerErrorOf(err);
      }
    };
    if (client) return run(client);
    return this.#retrying(reqs.length, () => run(this.#pool));
  }

  /** Runs a statement again after a transient failure (connection lost, deadlock, serialization). */
  async #retrying<T>(transfers: number, run: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await run();
      } catch (err) {
        const delay = RETRY_DELAYS_MS[attempt];
        if (delay === undefined || !isTransient(err)) throw err;
        this.#log.warn({ err, attempt: attempt + 1, transfers }, 'ledger write failed; retrying');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  async #accountRow(id: string, db: Queryable): Promise<AccountRow> {
    const { rows } = await db.query<AccountRow>('SELECT * FROM accounts WHERE id = $1', [id]);
    if (!rows[0]) throw new LedgerError('LEDGER_ACCOUNT_NOT_FOUND', `account ${id} does not exist`);
    return rows[0];
  }
}

function checkAccount(opts: OpenAccountOptions): void {
  const bad = (what: string) => new LedgerError('BAD_REQUEST', `account ${what}`);
  if (!isText(opts.id, ACCOUNT_ID_MAX)) throw bad(`id must be 1-${ACCOUNT_ID_MAX} characters`);
  if (!(ACCOUNT_KINDS as readonly string[]).includes(opts.kind))
    throw bad(`kind must be one of ${ACCOUNT_KINDS.join(', ')}`);
  if (!isText(opts.owner, ACCOUNT_ID_MAX)) throw bad(`owner must be 1-${ACCOUNT_ID_MAX} characters`);
  if (typeof opts.currency !== 'string' || !CURRENCY.test(opts.currency)) throw bad('currency must be ISO 4217 (EUR)');
}

/** Everything the database would refuse with a constraint (which would abort a whole batch), refused here first. */
function checkRequest(req: TransferRequest, index?: number): LedgerError | undefined {
  const bad = (what: string) => new LedgerError('BAD_REQUEST', `transfer ${what}`, index);
  if (!isText(req.id, ID_MAX)) return bad(`id must be 1-${ID_MAX} characters`);
  if (!isText(req.from, ACCOUNT_ID_MAX) || !isText(req.to, ACCOUNT_ID_MAX))
    return bad(`${req.id}: accounts must be ids`);
  if (req.from === req.to) return bad(`${req.id}: from and to are the same account`);
  if (!Number.isSafeInteger(req.amount) || req.amount <= 0) {
    return bad(`${req.id}: amount must be a positive integer of minor units`);
  }
  if (typeof req.currency !== 'string' || !CURRENCY.test(req.currency))
    return bad(`${req.id}: currency must be ISO 4217`);
  if (typeof req.kind !== 'string' || !KIND.test(req.kind)) return bad(`${req.id}: kind must match ${KIND.source}`);
  if (req.roundId != null && !isText(req.roundId, ID_MAX))
    return bad(`${req.id}: roundId must be 1-${ID_MAX} characters`);
  if (req.betId != null && !isText(req.betId, ID_MAX)) return bad(`${req.id}: betId must be 1-${ID_MAX} characters`);
  return undefined;
}

function isText(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= max;
}

/** A refusal raised by ledger_apply(_core) in atomic mode (LD001) as a LedgerError; anything else as it is. */
function ledgerErrorOf(err: unknown): unknown {
  const e = err as { code?: string; detail?: string; message: string };
  if (e.code === 'LD001' && e.detail) {
    const { index, code } = JSON.parse(e.detail) as { index: number; code: string };
    return toLedgerError(code, e.message, index);
  }
  return err;
}

function toLedgerError(code: string, message: string, index?: number): LedgerError {
  if (!isLedgerErrorCode(code)) throw new Error(`ledger_apply answered an unknown code ${code}: ${message}`);
  return new LedgerError(code, message, index);
}

/**
 * Safe to run again: the transaction did not commit (deadlock, serialization failure), or its
 * outcome is unknown (connection lost) and the idempotency id turns a second commit into a replay.
 */
function isTransient(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (e.code === '40001' || e.code === '40P01') return true;
  if (e.code?.startsWith('08') || e.code === '57P01' || e.code === '57P02' || e.code === '57P03') return true;
  if (e.code === 'ECONNRESET' || e.code === 'ECONNREFUSED' || e.code === 'EPIPE' || e.code === 'ETIMEDOUT') return true;
  return /Connection terminated|timeout exceeded when trying to connect/i.test(e.message ?? '');
}

function toTransfer(row: TransferRow): Transfer {
  return {
    id: row.id,
    from: row.from_account,
    to: row.to_account,
    amount: row.amount,
    currency: row.currency,
    kind: row.kind as TransferKind,
    roundId: row.round_id,
    betId: row.bet_id,
    seq: row.seq,
    createdAt: row.created_at,
  };
}

function toTransferResult(r: Exclude<RawResult, { status: 'failed' }>): TransferResult {
  const t = r.transfer;
  const transfer: Transfer = {
    id: t.id,
    from: t.from,
    to: t.to,
    amount: t.amount,
    currency: t.currency,
    kind: t.kind as TransferKind,
    roundId: t.roundId,
    betId: t.betId,
    seq: t.seq,
    createdAt: new Date(t.createdAt),
  };
  if (r.status === 'replayed') return { transfer, replayed: true };
  return { transfer, replayed: false, balances: { from: r.fromBalance, to: r.toBalance } };
}

function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    kind: row.kind,
    owner: row.owner,
    currency: row.currency,
    balance: row.balance,
    closedAt: row.closed_at,
    createdAt: row.created_at,
  };
}
