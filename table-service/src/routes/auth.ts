import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '@live-casino/protocol';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type { FastifyContextConfig, FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import type { Redis } from 'ioredis';
import { currentSession, requireRole } from '../auth/authPlugin.js';
import type { LoginLimits } from '../auth/LoginLimits.js';
import { Players, serializePlayer } from '../auth/Players.js';
import type { SessionTokens } from '../auth/SessionTokens.js';
import type { StaffDirectory } from '../auth/StaffDirectory.js';
import type { Ledger } from '../Ledger.js';
import {
  ErrorBodySchema,
  LogInBody,
  Me,
  PlayerSession,
  RefreshedSession,
  SignUpBody,
  StaffLogInBody,
  StaffSession,
} from '@live-casino/protocol';

const ErrorBody = ErrorBodySchema;

export interface AuthRateLimit {
  /** Requests per IP and route within `timeWindowMs`. */
  max: number;
  timeWindowMs: number;
  /** Counts kept in Redis, so the limit holds across nodes; in this process's memory when absent. */
  redis?: Redis | undefined;
}

export interface AuthRoutesOptions {
  players: Players;
  staff: StaffDirectory;
  sessions: SessionTokens;
  ledger: Ledger;
  /**
   * Per-IP limit on sign-ups (default 10 a minute; `false` turns it off, for tests). Behind a proxy,
   * the app needs `trustProxy` for `request.ip` to be the client's.
   */
  rateLimit?: AuthRateLimit | false;
  /**
   * Failed logins per account and per IP (login and staff-login). Logins are not under `rateLimit`:
   * it counted successes too, so one NAT's players locked each other out. `false`: off, for tests.
   */
  loginLimits: LoginLimits | false;
}

const DEFAULT_RATE_LIMIT: AuthRateLimit = { max: 10, timeWindowMs: 60_000 };

/**
 * Sign-up and login of players, login of staff and services, and the player's own profile.
 * Expects `authPlugin` to be registered on the app.
 */
export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, opts) => {
  const { players, staff, sessions, ledger, loginLimits } = opts;
  const limit = opts.rateLimit === undefined ? DEFAULT_RATE_LIMIT : opts.rateLimit;

  app.setValidatorCompiler(strictValidatorCompiler);
  if (limit && !app.hasDecorator('rateLimit')) {
    await app.register(rateLimit, {
      global: false,
      ...(limit.redis ? { redis: limit.redis, nameSpace: 'table-service:auth-rate-limit:' } : {}),
      errorResponseBuilder: (_request, context) =>
        new AppError('RATE_LIMITED', `too many attempts: retry in ${context.after}`),
    });
  }
  const limited: FastifyContextConfig = limit ? { rateLimit: { max: limit.max, timeWindow: limit.timeWindowMs } } : {};
  const common = { 400: ErrorBody, 413: ErrorBody, 429: ErrorBody };
  const guarded = <T>(attempt: Parameters<LoginLimits['attempt']>[0], verify: () => Promise<T>): Promise<T> =>
    loginLimits ? loginLimits.attempt(attempt, verify) : verify();

  app.post(
    '/v1/auth/signup',
    {
      config: limited,
      schema: {
        tags: ['auth'],
        summary: 'Create a player account (with an empty wallet) and log in',
        body: SignUpBody,
        response: { 201: PlayerSession, 409: ErrorBody, ...common },
      },
    },
    async (request, reply) => {
      const player = await players.signUp(request.body);
      const { token, expiresAt } = await sessions.issue({ userId: player.id, role: 'player' });
      return reply.status(201).send({ token, expiresAt, player: serializePlayer(player) });
    },
  );

  app.post(
    '/v1/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Log a player in; after a few wrong passwords the account is locked for a while (AUTH_ACCOUNT_LOCKED, with retryAfterS)',
        body: LogInBody,
        response: { 200: PlayerSession, 401: ErrorBody, 503: ErrorBody, ...common },
      },
    },
    async (request) => {
      const { username, password } = request.body;
      const player = await guarded({ account: `player:${username.trim().toLowerCase()}`, ip: request.ip }, () =>
        players.logIn(username, password),
      );
      const { token, expiresAt } = await sessions.issue({ userId: player.id, role: 'player' });
      return { token, expiresAt, player: serializePlayer(player) };
    },
  );

  app.post(
    '/v1/auth/staff-login',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Log a dealer, pit boss or service in; dealers and pit bosses are locked out for a while after a few wrong passwords, services never',
        body: StaffLogInBody,
        response: { 200: StaffSession, 401: ErrorBody, 503: ErrorBody, ...common },
      },
    },
    async (request) => {
      const { id, password } = request.body;
      const exempt = staff.get(id)?.role === 'service';
      const session = await guarded({ account: `staff:${id}`, ip: request.ip, exempt }, () =>
        staff.logIn(id, password),
      );
      if (session.role === 'player') throw new Error('staff directory returned a player session');
      const { token, expiresAt } = await sessions.issue(session);
      return { token, expiresAt, role: session.role, ...(session.tableId ? { tableId: session.tableId } : {}) };
    },
  );

  app.post(
    '/v1/auth/refresh',
    {
      onRequest: requireRole('player', 'dealer', 'pitboss', 'service'),
      schema: {
        tags: ['auth'],
        summary:
          "A new token for the caller's unexpired session (same user, role and sign-in), so that a client renews without the password; refused AUTH_TOKEN_EXPIRED once the session is SESSION_MAX_AGE_S old",
        response: { 200: RefreshedSession, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => sessions.refresh(currentSession(request)),
  );

  app.get(
    '/v1/me',
    {
      onRequest: requireRole('player'),
      schema: {
        tags: ['auth'],
        summary: 'The logged-in player and their balance',
        response: { 200: Me, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => {
      const { userId } = currentSession(request);
      const player = await players.byId(userId);
      if (!player) throw new AppError('AUTH_TOKEN_INVALID', 'no such player');
      const amount = await ledger.balance(Players.walletAccountId(player.id));
      return { player: serializePlayer(player), balance: { amount, currency: player.currency } };
    },
  );
};

/** A number as a person writes one in a URL: no exponent, sign only for negatives, no leading zeros, no blanks. */
const DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/**
 * Querystring, params and headers from text. TypeBox's Convert bends numbers to fit ("1e9" and
 * "2.5" become the integers 1 and 2): numbers and integers are taken only when written plainly,
 * and otherwise left as text for the check to refuse.
 */
function convertText(schema: TSchema, value: unknown): unknown {
  // Convert writes into the object it is given: keep the text as it came.
  const raw = typeof value === 'object' && value !== null ? { ...(value as Record<string, unknown>) } : undefined;
  const converted = Value.Convert(schema, value);
  const properties = (schema as { properties?: Record<string, TSchema> }).properties;
  if (!properties || raw === undefined || typeof converted !== 'object' || converted === null) return converted;
  const out = { ...(converted as Record<string, unknown>) };
  for (const [key, property] of Object.entries(properties)) {
    const text = raw[key];
    if (typeof text !== 'string' || (property.type !== 'integer' && property.type !== 'number')) continue;
    out[key] = DECIMAL.test(text) ? Number(text) : text;
  }
  return out;
}

/**
 * Validates exactly what the schema says: unlike fastify's default ajv options (`coerceTypes:
 * 'array'`, `removeAdditional: true`), a number is not a string and an unknown property is an
 * error, not silently dropped. Querystring, params and headers are still converted from text, strictly.
 */
export const strictValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  return (value: unknown) => {
    const converted = httpPart === 'body' ? value : convertText(schema, value);
    if (check.Check(converted)) return { value: converted };
    const first = check.Errors(converted).First();
    const error: FastifySchemaValidationError = {
      keyword: 'type',
      instancePath: first?.path ?? '',
      schemaPath: '#',
      params: {},
      message: first?.message ?? 'is invalid',
    };
    return { error: [error] };
  };
};
