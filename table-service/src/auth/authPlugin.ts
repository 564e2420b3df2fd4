import { AppError } from '@live-casino/protocol';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { Role, Session, SessionTokens } from './SessionTokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified session of the `Authorization: Bearer` token; undefined without one or when it is bad. */
    session: Session | undefined;
    /** Why a presented token was refused (expired, invalid), for `requireRole` to answer with. */
    sessionError: AppError | undefined;
  }
}

export interface AuthPluginOptions {
  sessions: SessionTokens;
}

/** A hook for `onRequest`, `preValidation` or `preHandler` of a route. */
export type AuthHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** The hooks of requireRole / requireTableAccess, so that routes run them first wherever declared. */
const AUTH_HOOKS = new WeakSet<AuthHook>();

function authHook(hook: AuthHook): AuthHook {
  AUTH_HOOKS.add(hook);
  return hook;
}

function isAuthHook(hook: unknown): hook is AuthHook {
  return typeof hook === 'function' && AUTH_HOOKS.has(hook as AuthHook);
}

/** A stage's hooks without the auth hooks, which go into `moved`. */
function withoutAuthHooks<H>(hooks: H | H[] | undefined, moved: AuthHook[]): H[] | undefined {
  if (hooks === undefined) return undefined;
  const rest: H[] = [];
  for (const hook of Array.isArray(hooks) ? hooks : [hooks]) {
    if (isAuthHook(hook)) moved.push(hook);
    else rest.push(hook);
  }
  return rest;
}

/**
 * Moves a route's auth hooks from `preValidation` / `preHandler` to the end of its `onRequest`, so
 * a caller without the right session is refused (401/403) before its body or parameters are
 * validated (400): who may call a route is checked before anything about how to call it is said.
 */
function authenticateFirst(route: RouteOptions): void {
  const moved: AuthHook[] = [];
  route.preValidation = withoutAuthHooks(route.preValidation, moved);
  route.preHandler = withoutAuthHooks(route.preHandler, moved);
  if (moved.length === 0) return;
  const onRequest =
    route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
  route.onRequest = [...onRequest, ...moved];
}

/**
 * Reads `Authorization: Bearer <session token>` on every request into `request.session`. It refuses
 * nothing by itself (a stale token must not break the lobby or the login form); routes say who may
 * call them with `requireRole` / `requireTableAccess`.
 */
const plugin: FastifyPluginAsync<AuthPluginOptions> = async (app, { sessions }) => {
  app.decorateRequest('session', undefined);
  app.decorateRequest('sessionError', undefined);
  app.addHook('onRoute', authenticateFirst);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (header === undefined) return;
    const match = /^Bearer +(\S+) *$/i.exec(header);
    if (!match) {
      request.sessionError = new AppError('AUTH_TOKEN_INVALID', 'Authorization must be "Bearer <session token>"');
      return;
    }
    try {
      request.session = await sessions.verify(match[1]);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      request.sessionError = err;
    }
  });
};

export const authPlugin = fp(plugin, { name: 'table-service-auth', fastify: '5.x' });

/**
 * The request's session, or the reason there is none (AUTH_TOKEN_MISSING, _INVALID, _EXPIRED: 401).
 * Fails closed when authPlugin is not registered.
 */
export function currentSession(request: FastifyRequest): Session {
  if (request.session) return request.session;
  throw request.sessionError ?? new AppError('AUTH_TOKEN_MISSING', 'log in first');
}

/**
 * Lets through sessions of one of `roles`: 401 without a valid session, 403 AUTH_FORBIDDEN_ROLE for
 * other roles. Runs at `onRequest` wherever the route declares it (see authenticateFirst), so that
 * callers without the right session learn nothing about the route's body schema.
 */
export function requireRole(...roles: Role[]): AuthHook {
  if (roles.length === 0) throw new TypeError('requireRole needs at least one role');
  return authHook(async (request) => {
    const session = currentSession(request);
    if (!roles.includes(session.role)) {
      throw new AppError('AUTH_FORBIDDEN_ROLE', `this needs a ${roles.join(' or ')} session`);
    }
  });
}

/**
 * For table routes of the studio: a dealer only for their own table (the `tableIdParam` route
 * parameter; AUTH_WRONG_TABLE otherwise), pit bosses (and `anyTable` roles) for every table,
 * everyone else AUTH_FORBIDDEN_ROLE.
 */
export function requireTableAccess(tableIdParam = 'tableId', opts: { anyTable?: readonly Role[] } = {}): AuthHook {
  const anyTable = opts.anyTable ?? ['pitboss'];
  return authHook(async (request) => {
    const session = currentSession(request);
    if (anyTable.includes(session.role)) return;
    if (session.role !== 'dealer') {
      throw new AppError('AUTH_FORBIDDEN_ROLE', `this needs a dealer or ${anyTable.join(' or ')} session`);
    }
    const tableId = (request.params as Record<string, unknown> | undefined)?.[tableIdParam];
    if (typeof tableId !== 'string' || session.tableId === undefined || tableId !== session.tableId) {
      throw new AppError('AUTH_WRONG_TABLE', `dealer ${session.userId} runs ${session.tableId ?? 'no table'}`);
    }
  });
}
