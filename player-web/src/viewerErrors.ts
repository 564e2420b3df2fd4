import { type ErrorBody, type ErrorCode, isErrorCode } from '@live-casino/protocol';

/** Failures only the client can see, beside the server's stable codes. */
export type ClientErrorCode =
  /** table-service (grants, lobby) did not answer. */
  | 'NETWORK_UNREACHABLE'
  /** The sfu's signalling socket could not connect or dropped. */
  | 'SFU_UNREACHABLE'
  /** ICE/DTLS failed: UDP and TCP to the media server are blocked or lost. */
  | 'ICE_FAILED'
  | 'SIGNALLING_TIMEOUT'
  /** The browser refused to start playback without a user gesture. */
  | 'AUTOPLAY_BLOCKED'
  /** No WebRTC (or no MSE for HLS) in this browser. */
  | 'MEDIA_UNSUPPORTED'
  | 'MEDIA_DECODE'
  | 'MEDIA_RESET'
  | 'STALLED'
  | 'HLS_NETWORK';

export type ViewerErrorCode = ErrorCode | ClientErrorCode;

export interface ViewerError {
  code: ViewerErrorCode;
  message: string;
}

export class ViewerFailure extends Error {
  readonly code: ViewerErrorCode;

  constructor(code: ViewerErrorCode, message: string) {
    super(message);
    this.name = 'ViewerFailure';
    this.code = code;
  }

  toError(): ViewerError {
    return { code: this.code, message: this.message };
  }
}

export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return isErrorCode(v.code) && typeof v.message === 'string';
}

export function toViewerError(err: unknown): ViewerError {
  if (err instanceof ViewerFailure) return err.toError();
  if (isErrorBody(err)) return { code: err.code, message: err.message };
  if (err instanceof Error && err.name === 'UnsupportedError')
    return { code: 'MEDIA_UNSUPPORTED', message: err.message };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

export type ProblemAction = 'tapToPlay' | 'retry' | 'switchToHls' | 'none';

/** What the player is told about a problem, and the one thing they can do about it. */
export interface ProblemView {
  title: string;
  detail: string;
  action: ProblemAction;
}

export function describeProblem(error: ViewerError, mode: 'webrtc' | 'hls'): ProblemView {
  const code = error.code;
  switch (code) {
    case 'AUTOPLAY_BLOCKED':
      return {
        title: 'Tap to play',
        detail: 'Your browser is waiting for a tap before it starts the video.',
        action: 'tapToPlay',
      };
    case 'TABLE_NOT_LIVE':
      return {
        title: 'This table is not live yet',
        detail: 'The video starts by itself as soon as the dealer is on air.',
        action: 'none',
      };
    case 'TABLE_NOT_FOUND':
      return {
        title: 'Table not found',
        detail: 'This table does not exist or was closed. Pick another one in the lobby.',
        action: 'none',
      };
    case 'NETWORK_UNREACHABLE':
      return {
        title: 'Cannot reach the casino',
        detail: 'Check your connection. We keep trying by ourselves.',
        action: 'retry',
      };
    case 'SFU_UNREACHABLE':
    case 'ICE_FAILED':
    case 'SIGNALLING_TIMEOUT':
      return mode === 'webrtc'
        ? {
            title: 'Your network is blocking live video',
            detail:
              'A firewall or VPN may block WebRTC. Switch to HLS: it works on any network, a second or two behind.',
            action: 'switchToHls',
          }
        : { title: 'Cannot reach the video server', detail: 'Check your connection; we keep trying.', action: 'retry' };
    case 'HLS_NETWORK':
      return {
        title: 'The video stream is unreachable',
        detail: 'Check your connection; we keep trying.',
        action: 'retry',
      };
    case 'MEDIA_UNSUPPORTED':
    case 'MEDIA_CANNOT_CONSUME':
      return mode === 'webrtc'
        ? {
            title: 'This browser cannot play WebRTC video',
            detail: 'Switch to HLS to watch this table.',
            action: 'switchToHls',
          }
        : {
            title: 'This browser cannot play this stream',
            detail: 'Try a recent Chrome, Edge, Firefox or Safari.',
            action: 'none',
          };
    case 'MEDIA_DECODE':
      return { title: 'The video could not be decoded', detail: 'We are restarting the stream.', action: 'retry' };
    case 'AUTH_TOKEN_MISSING':
    case 'AUTH_TOKEN_INVALID':
    case 'AUTH_TOKEN_EXPIRED':
    case 'AUTH_WRONG_TABLE':
    case 'AUTH_FORBIDDEN_ROLE':
      return {
        title: 'You are not allowed to watch this table',
        detail: 'Sign in again or pick another table.',
        action: 'retry',
      };
    case 'STREAM_TOKEN_WRONG_SUBJECT':
      return {
        title: 'This video session belongs to another player',
        detail: 'Sign in again on this device to watch.',
        action: 'retry',
      };
    case 'STREAM_LIMIT_REACHED':
      return {
        title: 'You are watching on too many screens',
        detail: 'Close the table in another tab or device, then try again.',
        action: 'retry',
      };
    case 'RATE_LIMITED':
    case 'SERVICE_UNAVAILABLE':
      return { title: 'The casino is busy', detail: 'We will reconnect you in a moment.', action: 'none' };
    // Money and game codes belong to the bet overlay, not the video; shown plainly if they ever get here.
    case 'AUTH_BAD_CREDENTIALS':
    case 'AUTH_ACCOUNT_LOCKED':
    case 'AUTH_USERNAME_TAKEN':
    case 'WALLET_INSUFFICIENT_FUNDS':
    case 'LEDGER_ACCOUNT_NOT_FOUND':
    case 'LEDGER_IDEMPOTENCY_CONFLICT':
    case 'LEDGER_INSUFFICIENT_FUNDS':
    case 'LEDGER_ACCOUNT_CLOSED':
    case 'LEDGER_CURRENCY_MISMATCH':
    case 'ROUND_NOT_FOUND':
    case 'ROUND_WRONG_STATE':
    case 'ROUND_HELD':
    case 'ROUND_AWAITING_VISION':
    case 'READING_IDEMPOTENCY_CONFLICT':
    case 'TABLE_BETTING_CLOSED':
    case 'TABLE_BUSY':
    case 'BET_NOT_FOUND':
    case 'BET_IDEMPOTENCY_CONFLICT':
    case 'BET_INVALID':
    case 'BET_LIMIT_BELOW_MIN':
    case 'BET_LIMIT_ABOVE_MAX':
    case 'BET_TABLE_LIMIT':
    case 'RESULT_INVALID':
    case 'CHAT_MUTED':
    case 'CHAT_MESSAGE_REFUSED':
      return { title: 'Something went wrong', detail: 'Please try again.', action: 'none' };
    case 'MEDIA_RESET':
    case 'STALLED':
    case 'TRANSPORT_NOT_FOUND':
    case 'CONSUMER_NOT_FOUND':
    case 'PRODUCER_NOT_FOUND':
    case 'EGRESS_ADDRESS_FORBIDDEN':
    case 'EGRESS_NOT_FOUND':
    case 'EGRESS_LIMIT_REACHED':
    case 'MEDIA_BAD_PARAMETERS':
    case 'BAD_REQUEST':
    case 'ROUTE_NOT_FOUND':
    case 'PAYLOAD_TOO_LARGE':
    case 'INTERNAL':
      return {
        title: 'Reconnecting the video',
        detail: 'Something went wrong on our side; we are on it.',
        action: 'retry',
      };
    default:
      return assertUnreachable(code);
  }
}

export function assertUnreachable(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}
