import { AppError, type ErrorCode } from '@live-casino/protocol';
import type pg from 'pg';
import type { Logger } from 'pino';

export const ACCOUNT_KINDS = ['player_wallet', 'round_escrow', 'house', 'cashier'] as const;
/** player_wallet and round_escrow never go below zero; house and cashier do (they are the other side of every win and deposit). */
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

/**
 * What a transfer is for. A bet is player → round escrow; a win pays escrow → player plus
 * house → player; a loss moves escrow → house; a void or a cancelled bet returns escrow → player.
 * The database accepts any `^[a-z][a-z_]{0,31}$`, so a new kind needs only this union.
 */
export type TransferKind =
  | 'deposit'
  | 'withdrawal'
  | 'bet'
  | 'bet_cancel'
  | 'payout'
  | 'loss'
  | 'void_refund'
  | 'late_refund';

export interface OpenAccountOptions {
  id: string;
  kind: AccountKind;
  /** Player id for wallets, round id for escrows, an operator name for house and cashier. */
  owner: string;
  /** ISO 4217, upper case. */
  currency: string;
}

export interface Account {
  id: string;
  kind: AccountKind;
  owner: string;
  currency: string;
  /** Minor units. */
  balance: number;
  /** Set once the account receives nothing more (a round escrow after its betting window). */
  closedAt: Date | null;
  createdAt: Date;
}

export interface TransferRequest {
  /** The caller's idempotency id: a retry with the same id (and body) returns the first result. */
  id: string;
  from: string;
  to: string;
  /** Minor units, a positive safe integer. */
  amount: number;
  currency: string;
  kind: TransferKind;
  roundId?: string | null | undefined;
  betId?: string | null | undefined;
}

export interface Transfer {
  id: string;
  from: string;
  to: string;
  amount: number;
  currency: string;
  kind: TransferKind;
  roundId: string | null;
  betId: string | null;
  /** Insert order in the ledger. */
  seq: number;
  createdAt: Date;
}

export interface TransferResult {
  /** As first committed (the stored row when replayed). */
  transfer: Transfer;
  /** True when this id had already been committed with the same body: nothing moved this time. */
  replayed: boolean;
  /** Balances of both accounts right after this transfer; absent on a replay. */
  balances?: { from: number; to: number };
}

/** One item of `placeBatch`: each succeeds or fails on its own. */
export type PlaceResult = ({ ok: true } & TransferResult) | { ok: false; error: LedgerError };

/** The ledger's refusals: protocol error codes, so that they go on the wire as they are. */
export const LEDGER_ERROR_CODES = [
  'BAD_REQUEST',
  'WALLET_INSUFFICIENT_FUNDS',
  'LEDGER_ACCOUNT_NOT_FOUND',
  'LEDGER_IDEMPOTENCY_CONFLICT',
  /** An escrow asked to pay more than it holds: a settlement bug, never a player's fault. */
  'LEDGER_INSUFFICIENT_FUNDS',
  'LEDGER_ACCOUNT_CLOSED',
  'LEDGER_CURRENCY_MISMATCH',
  'SERVICE_UNAVAILABLE',
] as const satisfies readonly ErrorCode[];

export type LedgerErrorCode = (typeof LEDGER_ERROR_CODES)[number];

const LEDGER_CODES: ReadonlySet<string> = new Set(LEDGER_ERROR_CODES);

export function isLedgerErrorCode(value: unknown): value is LedgerErrorCode {
  return typeof value === 'string' && LEDGER_CODES.has(value);
}

/** A ledger refusal: an AppError (its status and wire body are the protocol's) with a ledger code. */
export class LedgerError extends AppError {
  override readonly code: LedgerErrorCode;
  /** Position of the offending transfer in a `transferMany` call. */
  readonly index: number | undefined;

  constructor(code: LedgerErrorCode, message: string, index?: number) {
    super(code, message);
    this.name = 'LedgerError';
    this.code = code;
    this.index = index;
  }
}

export interface LedgerOptions {
  pool: pg.Pool;
  log: Logger;
  /** Most transfers `place()` commits together (default 256). */
  maxBatch?: number;
}

/** Anything `query` can run on: the pool (autocommit) or a client inside the caller's transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.ClientBase;
