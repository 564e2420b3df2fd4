import fastifySwagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { generateKeyPair } from 'jose';
import { authPlugin, requireRole, requireTableAccess } from '../../src/auth/authPlugin.js';
import { Players } from '../../src/auth/Players.js';
import { SessionTokens } from '../../src/auth/SessionTokens.js';
import { StaffDirectory } from '../../src/auth/StaffDirectory.js';
import type { Database } from '../../src/db/Database.js';
import { Ledger } from '../../src/Ledger.js';
import { type AuthRateLimit, authRoutes } from '../../src/routes/auth.js';
import type { LoginLimits } from '../../src/auth/LoginLimits.js';
import { errorHandler } from '@live-casino/server-kit';
import { silentLog } from './db.js';

export type SessionKeys = Awaited<ReturnType<typeof generateKeyPair>>;

export function newSessionKeys(): Promise<SessionKeys> {
  return generateKeyPair('EdDSA');
}

export interface AuthApp {
  app: FastifyInstance;
  players: Players;
  staff: StaffDirectory;
  sessions: SessionTokens;
  ledger: Ledger;
}

/**
 * A fastify app as app.ts builds it (same body limit, same error handler, OpenAPI) with authPlugin, the auth
 * routes and a few studio-like routes guarded by role and table.
 */
export async function buildAuthApp(opts: {
  db: Database;
  staff?: StaffDirectory;
  keys?: SessionKeys;
  ttlS?: number;
  rateLimit?: AuthRateLimit | false;
  loginLimits?: LoginLimits | false;
}): Promise<AuthApp> {
  const ledger = await Ledger.create({ pool: opts.db.pool, log: silentLog });
  await ledger.openSystemAccounts('EUR');
  const players = new Players({ db: opts.db, ledger, currency: 'EUR' });
  const staff = opts.staff ?? new StaffDirectory([]);
  const sessions = new SessionTokens(opts.keys ?? (await newSessionKeys()), opts.ttlS ?? 900);

  const log: FastifyBaseLogger = silentLog;
  const app = Fastify({ loggerInstance: log, bodyLimit: 16 * 1024 }).withTypeProvider<TypeBoxTypeProvider>();
  app.setErrorHandler(errorHandler);

  await app.register(fastifySwagger, { openapi: { info: { title: 'auth test', version: '0.0.0' } } });
  await app.register(authPlugin, { sessions });
  await app.register(authRoutes, {
    players,
    staff,
    sessions,
    ledger,
    rateLimit: opts.rateLimit ?? false,
    loginLimits: opts.loginLimits ?? false,
  });

  const TableParams = Type.Object({ tableId: Type.String({ maxLength: 64 }) });
  app.post('/test/dealer-only', { onRequest: requireRole('dealer') }, async (request) => ({
    userId: request.session?.userId,
  }));
  app.post(
    '/test/tables/:tableId/close-betting',
    { onRequest: requireTableAccess('tableId'), schema: { params: TableParams } },
    async (request) => ({ tableId: request.params.tableId, by: request.session?.userId }),
  );
  app.get('/test/whoami', async (request) => ({ session: request.session ?? null }));
  await app.ready();
  return { app, players, staff, sessions, ledger };
}

/** Rows that auth may write: players and their wallets, and money movements. */
export async function authRowCounts(db: Database): Promise<{ players: number; accounts: number; transfers: number }> {
  const { rows } = await db.query<{ players: number; accounts: number; transfers: number }>(
    `SELECT (SELECT count(*) FROM players)::int AS players, (SELECT count(*) FROM accounts)::int AS accounts,
            (SELECT count(*) FROM transfers)::int AS transfers`,
  );
  return rows[0]!;
}
