import { type ErrorBody, type ErrorCode, ErrorBodySchema } from '@live-casino/protocol';
import { checker } from './checker.js';

/** What went wrong on the client's side of a call: no answer, or an answer outside the contract. */
export type ClientFailureCode = 'NETWORK_UNREACHABLE' | 'TIMEOUT' | 'BAD_RESPONSE' | 'NOT_SIGNED_IN';

/**
 * Every failure of a client call: a refusal by the service, with its protocol error code (the
 * caller switches on `code`, never on the message), or a failure of the call itself.
 */
export class ClientError extends Error {
  override readonly name: string = 'ClientError';
  readonly code: ErrorCode | ClientFailureCode;
  /** HTTP status of a refusal over HTTP; undefined over socket.io and for failures of the call. */
  readonly status: number | undefined;
  /** For refusals that lift by themselves (AUTH_ACCOUNT_LOCKED, RATE_LIMITED). */
  readonly retryAfterS: number | undefined;

  constructor(
    code: ErrorCode | ClientFailureCode,
    message: string,
    opts: { status?: number | undefined; retryAfterS?: number | undefined } = {},
  ) {
    super(message);
    this.code = code;
    this.status = opts.status;
    this.retryAfterS = opts.retryAfterS;
  }

  static fromBody(body: ErrorBody, what: string, status?: number): ClientError {
    return new ClientError(body.code, `${what}: ${body.code}: ${body.message}`, {
      status,
      retryAfterS: body.retryAfterS,
    });
  }

  /** Whether the session is gone (expired, revoked, never valid): signing in again may help. */
  get sessionLost(): boolean {
    return (
      this.code === 'AUTH_TOKEN_EXPIRED' || this.code === 'AUTH_TOKEN_INVALID' || this.code === 'AUTH_TOKEN_MISSING'
    );
  }
}

/** A sign-in with kept credentials that failed: what a service reports as "cannot log in". */
export class SignInError extends ClientError {
  constructor(cause: ClientError) {
    super(cause.code, `sign-in failed: ${cause.message}`, { status: cause.status, retryAfterS: cause.retryAfterS });
  }
}

const isErrorBody = checker(ErrorBodySchema);

/** The error body of an answer, if it is one the contract knows. */
export function errorBodyOf(value: unknown): ErrorBody | undefined {
  return isErrorBody(value) ? value : undefined;
}
