import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '@live-casino/protocol';
import { type TSchema, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type { FastifyContextConfig, FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import type { Redis } from 'ioredis';
import { currentSession, requireRole } from '../auth/authPlugin.js';
import { Players, serializePlayer } from '../auth/Players.js';
import type { SessionTokens } from '../auth/SessionTokens.js';
import type { StaffDirectory } from '../auth/StaffDirectory.js';
import type { Ledger } from '../Ledger.js';
import { LogInBody, Me, PlayerSession, SignUpBody, StaffLogInBody, StaffSession } from '@live-casino/protocol';

const ErrorBody = Type.Object({ code: Type.String(), message: Type.String() });

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
   * Per-IP limit on signup, login and staff-login (default 10 a minute per route; `false` turns it
   * off, for tests). Behind a proxy, the app needs `trustProxy` for `request.ip` to be the client's.
   */
  rateLimit?: AuthRateLimit | false;
}

const DEFAULT_RATE_LIMIT: AuthRateLimit = { max: 10, timeWindowMs: 60_000 };

/**
 * Sign-up and login of players, login of staff and services, and the player's own profile.
 * Expects `authPlugin` to be registered on the app.
 */
export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, opts) => {
  const { players, staff, sessions, ledger } = opts;
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
      config: limited,
      schema: {
        tags: ['auth'],
        summary: 'Log a player in',
        body: LogInBody,
        response: { 200: PlayerSession, 401: ErrorBody, ...common },
      },
    },
    async (request) => {
      const player = await players.logIn(request.body.username, request.body.password);
      const { token, expiresAt } = await sessions.issue({ userId: player.id, role: 'player' });
      return { token, expiresAt, player: serializePlayer(player) };
    },
  );

  app.post(
    '/v1/auth/staff-login',
    {
      config: limited,
      schema: {
        tags: ['auth'],
        summary: 'Log a dealer, pit boss or service in',
        body: StaffLogInBody,
        response: { 200: StaffSession, 401: ErrorBody, ...common },
      },
    },
    async (request) => {
      const session = await staff.logIn(request.body.id, request.body.password);
      if (session.role === 'player') throw new Error('staff directory returned a player session');
      const { token, expiresAt } = await sessions.issue(session);
      return { token, expiresAt, role: session.role, ...(session.tableId ? { tableId: session.tableId } : {}) };
    },
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

/**
 * Validates exactly what the schema says: unlike fastify's default ajv options (`coerceTypes:
 * 'array'`, `removeAdditional: true`), a number is not a string and an unknown property is an
 * error, not silently dropped. Querystring, params and headers are still converted from text.
 */
export const strictValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  return (value: unknown) => {
    const converted = httpPart === 'body' ? value : Value.Convert(schema, value);
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
