import { Type } from '@sinclair/typebox';

/**
 * Stable error codes with their HTTP status. Every service answers `{ code, message }`; clients
 * switch on `code`, never on the message.
 */
export const ERRORS = {
  BAD_REQUEST: 400,
  ROUTE_NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  AUTH_TOKEN_MISSING: 401,
  AUTH_TOKEN_INVALID: 401,
  AUTH_TOKEN_EXPIRED: 401,
  AUTH_WRONG_TABLE: 403,
  AUTH_FORBIDDEN_ROLE: 403,
  /** A stream token of another subject on a sfu socket already bound to one (a shared or lent token). */
  STREAM_TOKEN_WRONG_SUBJECT: 403,
  /** A subject holds as many sfu sockets or WebRTC transports as the sfu allows. */
  STREAM_LIMIT_REACHED: 429,
  TABLE_NOT_FOUND: 404,
  TABLE_NOT_LIVE: 409,
  TRANSPORT_NOT_FOUND: 404,
  CONSUMER_NOT_FOUND: 404,
  PRODUCER_NOT_FOUND: 404,
  MEDIA_CANNOT_CONSUME: 422,
  MEDIA_BAD_PARAMETERS: 422,
  RATE_LIMITED: 429,
  /** An RTP egress toward an address the sfu may not send to (not loopback, unless allowed). */
  EGRESS_ADDRESS_FORBIDDEN: 403,
  EGRESS_NOT_FOUND: 404,
  /** The table already feeds as many RTP egresses as the sfu allows. */
  EGRESS_LIMIT_REACHED: 429,
  AUTH_BAD_CREDENTIALS: 401,
  /** Too many failed logins for this account: refused, even with the right password, until `retryAfterS`. */
  AUTH_ACCOUNT_LOCKED: 429,
  AUTH_USERNAME_TAKEN: 409,
  WALLET_INSUFFICIENT_FUNDS: 402,
  LEDGER_ACCOUNT_NOT_FOUND: 404,
  LEDGER_IDEMPOTENCY_CONFLICT: 409,
  /** An escrow asked to pay more than it holds: a settlement bug, never a player's fault. */
  LEDGER_INSUFFICIENT_FUNDS: 409,
  LEDGER_ACCOUNT_CLOSED: 409,
  LEDGER_CURRENCY_MISMATCH: 422,
  ROUND_NOT_FOUND: 404,
  ROUND_WRONG_STATE: 409,
  /** A vision-checked round held for the pit boss: only /resolve or /void moves it on. */
  ROUND_HELD: 409,
  /** On a vision-checked table the dealer's result waits for the vision reading, not a confirm. */
  ROUND_AWAITING_VISION: 409,
  /** A vision reading id already used with another body. */
  READING_IDEMPOTENCY_CONFLICT: 409,
  TABLE_BETTING_CLOSED: 409,
  CHAT_MUTED: 403,
  CHAT_MESSAGE_REFUSED: 422,
  TABLE_BUSY: 409,
  BET_NOT_FOUND: 404,
  BET_IDEMPOTENCY_CONFLICT: 409,
  BET_INVALID: 422,
  BET_LIMIT_BELOW_MIN: 422,
  BET_LIMIT_ABOVE_MAX: 422,
  BET_TABLE_LIMIT: 422,
  RESULT_INVALID: 422,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** Every error code, as a schema: clients and response schemas accept these and no other. */
// Unsafe gives the union its static type (a union built from a list is typed as an array of
// literals, which type providers read as never); its kind stays Union, so checkers still check it.
export const ErrorCodeSchema = Type.Unsafe<ErrorCode>(
  Type.Union((Object.keys(ERRORS) as ErrorCode[]).map((code) => Type.Literal(code))),
);

/** The body of every refusal, over HTTP and in socket.io acknowledgements. */
export const ErrorBodySchema = Type.Object({
  code: ErrorCodeSchema,
  message: Type.String(),
  /** For refusals that lift by themselves (AUTH_ACCOUNT_LOCKED, RATE_LIMITED): seconds until they do. */
  retryAfterS: Type.Optional(Type.Number()),
});

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** For refusals that lift by themselves (AUTH_ACCOUNT_LOCKED, RATE_LIMITED): seconds until they do. */
  retryAfterS?: number;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryAfterS: number | undefined;

  constructor(code: ErrorCode, message: string, opts: { retryAfterS?: number } = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = ERRORS[code];
    this.retryAfterS = opts.retryAfterS;
  }

  toBody(): ErrorBody {
    return {
      code: this.code,
      message: this.message,
      ...(this.retryAfterS === undefined ? {} : { retryAfterS: this.retryAfterS }),
    };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERRORS, value);
}

/** Turns anything thrown into a wire error; internals of unexpected errors never leak. */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof AppError) return err.toBody();
  return { code: 'INTERNAL', message: 'internal error' };
}
