import { type CryptoKey, errors as joseErrors, importSPKI, jwtVerify, type KeyObject, SignJWT } from 'jose';
import { AppError } from './errors.js';

/**
 * Short-lived stream tokens: table-service signs them with its private key (EdDSA), the sfu
 * verifies them with the public key alone, so media keeps flowing to authorised viewers even
 * when table-service is down. A token is scoped to one table and one role.
 */
export const STREAM_TOKEN_ALG = 'EdDSA';
export const STREAM_TOKEN_ISSUER = 'live-casino/table-service';
export const STREAM_TOKEN_AUDIENCE = 'live-casino/sfu';
/** Viewers refresh well before this; long enough to ride out a slow reconnect. */
export const STREAM_TOKEN_DEFAULT_TTL_S = 300;

/**
 * `view`: a player's WebRTC consumer; `publish`: a studio device; `egress`: a machine consumer
 * (the vision worker) that takes the table's RTP onto a PlainTransport. Only a service session
 * gets an egress token, and the sfu answers egress calls to nothing else.
 */
export const STREAM_ROLES = ['view', 'publish', 'egress'] as const;
export type StreamRole = (typeof STREAM_ROLES)[number];

export interface StreamClaims {
  /** Who: a player id, a studio device, a service. */
  sub: string;
  tableId: string;
  role: StreamRole;
}

type Key = CryptoKey | KeyObject | Uint8Array;

export async function signStreamToken(
  privateKey: Key,
  claims: StreamClaims,
  ttlSeconds = STREAM_TOKEN_DEFAULT_TTL_S,
): Promise<string> {
  return (
    new SignJWT({ tbl: claims.tableId, role: claims.role })
      .setProtectedHeader({ alg: STREAM_TOKEN_ALG })
      .setSubject(claims.sub)
      // Names this one grant in the sfu's logs and refusals (a token seen on too many sockets).
      .setJti(globalThis.crypto.randomUUID())
      .setIssuer(STREAM_TOKEN_ISSUER)
      .setAudience(STREAM_TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(privateKey)
  );
}

export async function importStreamPublicKey(spkiPem: string): Promise<CryptoKey> {
  return importSPKI(spkiPem, STREAM_TOKEN_ALG);
}

/** A verified token: its claims, when it stops being valid, and its id when it has one. */
export interface VerifiedStreamToken {
  claims: StreamClaims;
  /** Unix ms of the token's `exp`: the sfu closes what it opened once this passes unrefreshed. */
  expiresAtMs: number;
  jti: string | undefined;
}

/**
 * Verifies a token and its scope. Throws AppError with AUTH_TOKEN_MISSING / _INVALID / _EXPIRED,
 * AUTH_WRONG_TABLE or AUTH_FORBIDDEN_ROLE.
 */
export async function verifyStreamToken(
  publicKey: Key,
  token: unknown,
  expect: { tableId?: string; role?: StreamRole },
): Promise<StreamClaims> {
  return (await readStreamToken(publicKey, token, expect)).claims;
}

/** verifyStreamToken, with the token's expiry and id (what the sfu holds a session to). */
export async function readStreamToken(
  publicKey: Key,
  token: unknown,
  expect: { tableId?: string; role?: StreamRole },
): Promise<VerifiedStreamToken> {
  if (typeof token !== 'string' || token.length === 0) {
    throw new AppError('AUTH_TOKEN_MISSING', 'a stream token is required');
  }
  if (token.length > 4096) throw new AppError('AUTH_TOKEN_INVALID', 'stream token too long');
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, publicKey, {
      algorithms: [STREAM_TOKEN_ALG],
      issuer: STREAM_TOKEN_ISSUER,
      audience: STREAM_TOKEN_AUDIENCE,
      requiredClaims: ['exp', 'sub'],
    }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw new AppError('AUTH_TOKEN_EXPIRED', 'stream token expired');
    throw new AppError('AUTH_TOKEN_INVALID', 'stream token invalid');
  }
  const { sub, tbl, role, exp, jti } = payload;
  if (
    typeof sub !== 'string' ||
    sub.length === 0 ||
    sub.length > 128 ||
    typeof tbl !== 'string' ||
    typeof exp !== 'number' ||
    !STREAM_ROLES.includes(role as StreamRole)
  ) {
    throw new AppError('AUTH_TOKEN_INVALID', 'stream token claims malformed');
  }
  if (expect.tableId !== undefined && tbl !== expect.tableId) {
    throw new AppError('AUTH_WRONG_TABLE', `token is for table ${tbl}, not ${expect.tableId}`);
  }
  if (expect.role !== undefined && role !== expect.role) {
    throw new AppError('AUTH_FORBIDDEN_ROLE', `a ${role} token cannot ${expect.role}`);
  }
  return {
    claims: { sub, tableId: tbl, role: role as StreamRole },
    expiresAtMs: exp * 1000,
    jti: typeof jti === 'string' ? jti : undefined,
  };
}
