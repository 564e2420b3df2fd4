import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError, readStreamToken, type importStreamPublicKey } from '@live-casino/protocol';

/** Who a segment request is for, once its session parameter checked out. */
export interface HlsViewer {
  subject: string;
  expiresAtMs: number;
}

const SIGNATURE_CHARS = 22; // 128 bits of base64url

/**
 * Who may fetch a table's HLS. The playlist needs a view token (`?t=`) for that table; each answer
 * is the playlist with every segment URI carrying `?s=`, a session parameter the sfu signs (HMAC)
 * over the table, the token's subject and its expiry. Segments need a valid `s` (or a token), so
 * nobody fetches media without a grant, and a session's segment URLs stay the same from one
 * playlist refresh to the next (cacheable per session) until the player refreshes its token.
 */
export class HlsAccess {
  readonly #key: Buffer;
  readonly #publicKey: Awaited<ReturnType<typeof importStreamPublicKey>>;

  constructor(publicKey: Awaited<ReturnType<typeof importStreamPublicKey>>, secret?: string) {
    this.#publicKey = publicKey;
    this.#key = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  /** Checks a playlist request's token; answers the viewer and the session parameter for its segments. */
  async authorizePlaylist(tableId: string, token: unknown): Promise<HlsViewer & { session: string }> {
    const verified = await readStreamToken(this.#publicKey, token, { tableId, role: 'view' });
    const viewer = { subject: verified.claims.sub, expiresAtMs: verified.expiresAtMs };
    return { ...viewer, session: this.sessionParam(tableId, viewer) };
  }

  /** Checks a segment request: a session parameter of this table, or a view token. */
  async authorizeSegment(tableId: string, query: { s?: string; t?: string }, nowMs: number): Promise<HlsViewer> {
    if (query.s !== undefined) return this.checkSession(tableId, query.s, nowMs);
    if (query.t !== undefined) return this.authorizePlaylist(tableId, query.t);
    throw new AppError('AUTH_TOKEN_MISSING', 'a stream token is required');
  }

  sessionParam(tableId: string, viewer: HlsViewer): string {
    const subject = Buffer.from(viewer.subject, 'utf8').toString('base64url');
    const expS = Math.floor(viewer.expiresAtMs / 1000);
    return `${subject}.${expS}.${this.#sign(tableId, subject, expS)}`;
  }

  checkSession(tableId: string, session: string, nowMs: number): HlsViewer {
    const parts = session.split('.');
    if (parts.length !== 3) throw new AppError('AUTH_TOKEN_INVALID', 'hls session malformed');
    const [subject, exp, signature] = parts as [string, string, string];
    if (!/^[0-9]{1,12}$/.test(exp) || !/^[A-Za-z0-9_-]{1,200}$/.test(subject)) {
      throw new AppError('AUTH_TOKEN_INVALID', 'hls session malformed');
    }
    const expected = Buffer.from(this.#sign(tableId, subject, Number(exp)));
    const presented = Buffer.from(signature);
    // The table is part of what is signed: a session of another table fails here.
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      throw new AppError('AUTH_TOKEN_INVALID', 'hls session invalid');
    }
    const expiresAtMs = Number(exp) * 1000;
    if (nowMs >= expiresAtMs) throw new AppError('AUTH_TOKEN_EXPIRED', 'hls session expired: fetch the playlist again');
    return { subject: Buffer.from(subject, 'base64url').toString('utf8'), expiresAtMs };
  }

  #sign(tableId: string, subject: string, expS: number): string {
    return createHmac('sha256', this.#key)
      .update(`${tableId}\n${subject}\n${expS}`)
      .digest('base64url')
      .slice(0, SIGNATURE_CHARS);
  }
}

/** The playlist with `?s=<session>` on every segment URI (lines that are not tags or blank). */
export function withSessionParam(playlist: string, session: string): string {
  return playlist
    .split('\n')
    .map((line) => (line === '' || line.startsWith('#') ? line : `${line}?s=${session}`))
    .join('\n');
}
