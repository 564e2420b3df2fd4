import { createPublicKey, randomUUID } from 'node:crypto';
import { AppError } from '@live-casino/protocol';
import { type CryptoKey, importPKCS8, importSPKI, errors as joseErrors, jwtVerify, SignJWT } from 'jose';

/**
 * Session tokens of table-service: short-lived EdDSA JWTs naming a user and a role. Signed and
 * checked here only (the sfu has its own stream tokens).
 */
export type Role = 'player' | 'dealer' | 'pitboss' | 'service';

export interface Session {
  userId: string;
  role: Role;
  /** Dealers are bound to their table; everyone else sees all tables. */
  tableId?: string;
  /** When the user signed in (Unix s): a refreshed session keeps it, and ends SESSION_MAX_AGE_S after it. */
  authTime?: number;
}

/** How long a session may be refreshed for without signing in again, by default. */
export const DEFAULT_SESSION_MAX_AGE_S = 12 * 3600;

const ISSUER = 'live-casino/table-service';
const AUDIENCE = 'live-casino/table-service/session';
const ROLES: readonly Role[] = ['player', 'dealer', 'pitboss', 'service'];

export class SessionTokens {
  readonly #privateKey: CryptoKey;
  readonly #publicKey: CryptoKey;
  readonly #ttlS: number;
  readonly #maxAgeS: number;

  constructor(
    keys: { privateKey: CryptoKey; publicKey: CryptoKey },
    ttlS: number,
    maxAgeS = DEFAULT_SESSION_MAX_AGE_S,
  ) {
    this.#privateKey = keys.privateKey;
    this.#publicKey = keys.publicKey;
    this.#ttlS = ttlS;
    this.#maxAgeS = Math.max(ttlS, maxAgeS);
  }

  /** Sessions signed with an Ed25519 private key (PKCS#8 PEM) and verified with its public half. */
  static async fromPem(pem: string, ttlS: number, maxAgeS = DEFAULT_SESSION_MAX_AGE_S): Promise<SessionTokens> {
    const privateKey = await importPKCS8(pem, 'EdDSA');
    // The public half, derived from the private key, verifies the sessions any node issued.
    const spki = createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString();
    return new SessionTokens({ privateKey, publicKey: await importSPKI(spki, 'EdDSA') }, ttlS, maxAgeS);
  }

  async issue(session: Session): Promise<{ token: string; expiresAt: number }> {
    const now = Date.now();
    const authTime = session.authTime ?? Math.floor(now / 1000);
    // A refreshed session never outlives its sign-in by more than the maximum age.
    const expiresAt = Math.min(now + this.#ttlS * 1000, (authTime + this.#maxAgeS) * 1000);
    const token = await new SignJWT({
      role: session.role,
      auth_time: authTime,
      ...(session.tableId ? { tbl: session.tableId } : {}),
    })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject(session.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      // Every token its own: a refresh in the same second as the sign-in is still a new token.
      .setJti(randomUUID())
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .sign(this.#privateKey);
    return { token, expiresAt };
  }

  /**
   * Verified tokens, until they expire: a player's socket presents the same token with every bet,
   * and a signature check per bet is most of a bet's CPU. Expiry is still checked on every call.
   */
  readonly #verified = new Map<string, { session: Session; expiresAtMs: number }>();

  /**
   * A new token for a verified, unexpired session, with the same user, role, table and sign-in
   * time: a client renews its session without the password, up to the maximum age after the
   * sign-in (then AUTH_TOKEN_EXPIRED: sign in again).
   */
  async refresh(session: Session): Promise<{ token: string; expiresAt: number }> {
    const authTime = session.authTime ?? 0;
    if (Date.now() >= (authTime + this.#maxAgeS) * 1000 - 1000) {
      throw new AppError('AUTH_TOKEN_EXPIRED', 'session too old to refresh: log in again');
    }
    return this.issue(session);
  }

  async verify(token: unknown): Promise<Session> {
    if (typeof token !== 'string' || token.length === 0) throw new AppError('AUTH_TOKEN_MISSING', 'log in first');
    if (token.length > 4096) throw new AppError('AUTH_TOKEN_INVALID', 'session token too long');
    const cached = this.#verified.get(token);
    if (cached) {
      if (Date.now() < cached.expiresAtMs) return cached.session;
      this.#verified.delete(token);
      throw new AppError('AUTH_TOKEN_EXPIRED', 'session expired: log in again');
    }
    const session = await this.#verifySignature(token);
    return session;
  }

  async #verifySignature(token: string): Promise<Session> {
    try {
      const { payload } = await jwtVerify(token, this.#publicKey, {
        algorithms: ['EdDSA'],
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      const role = payload.role as Role;
      if (typeof payload.sub !== 'string' || !ROLES.includes(role)) throw new Error('claims');
      const session: Session = {
        userId: payload.sub,
        role,
        ...(typeof payload.tbl === 'string' ? { tableId: payload.tbl } : {}),
        ...(typeof payload.auth_time === 'number' ? { authTime: payload.auth_time } : {}),
      };
      if (typeof payload.exp === 'number') {
        // Bounded: past this many distinct live tokens, forget the oldest verifications.
        if (this.#verified.size >= 50_000) this.#verified.delete(this.#verified.keys().next().value as string);
        this.#verified.set(token, { session, expiresAtMs: payload.exp * 1000 });
      }
      return session;
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired)
        throw new AppError('AUTH_TOKEN_EXPIRED', 'session expired: log in again');
      throw new AppError('AUTH_TOKEN_INVALID', 'session token invalid');
    }
  }
}
