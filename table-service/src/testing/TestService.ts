import { generateKeyPairSync } from 'node:crypto';
import { pino } from 'pino';
import { hashPassword } from '../auth/Passwords.js';
import { loadConfig } from '../config.js';
import { TableService } from '../TableService.js';
import type { TestPostgres } from './TestPostgres.js';

export interface TestService {
  svc: TableService;
  /** Base URL of the listening server (for socket.io clients). */
  url: string;
  /** The service's database, for another node of the same cluster. */
  databaseUrl: string;
  inject(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    token?: string,
    body?: unknown,
    // biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers loosely, field by field.
  ): Promise<{ status: number; body: any }>;
  staffToken(id: string, password: string): Promise<string>;
  playerToken(username: string): Promise<string>;
}

/**
 * A whole table-service on a fresh database of `server` (or on `databaseUrl`, as another node of
 * the same cluster), listening on a free port, with demo players demo1..demoN (password
 * demo-password) and the given staff (plain passwords or service secrets, hashed here). `env` adds
 * or overrides configuration (TABLES, REDIS_URL, ...).
 */
export async function startTestService(
  server: TestPostgres,
  opts: {
    staff: { id: string; role: string; tableId?: string; password: string }[];
    demoPlayers: number;
    env?: Record<string, string>;
    databaseUrl?: string;
    signingKey?: string;
    /** Listen here (a restart on the port its clients know); a free port by default. */
    port?: number;
  },
): Promise<TestService> {
  let databaseUrl = opts.databaseUrl;
  if (!databaseUrl) {
    const db = await server.freshDatabase();
    const { rows } = await db.query<{ db: string }>('SELECT current_database() AS db');
    await db.close();
    databaseUrl = server.url(rows[0]!.db);
  }
  const signingKey =
    opts.signingKey ?? generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const staff = await Promise.all(
    opts.staff.map(async ({ password, ...member }) =>
      member.role === 'service'
        ? { ...member, secretHash: await hashPassword(password) }
        : { ...member, passwordHash: await hashPassword(password) },
    ),
  );
  const config = loadConfig({
    STREAM_TOKEN_PRIVATE_KEY: signingKey,
    STUDIO_SERVICE_SECRET: 'x'.repeat(32),
    DATABASE_URL: databaseUrl,
    STAFF_ACCOUNTS: JSON.stringify(staff),
    DEMO_PLAYERS: String(opts.demoPlayers),
    DEMO_BALANCE: '100000',
    AUTH_RATE_LIMIT_MAX: '0',
    PORT: '0',
    ...opts.env,
  });
  const svc = await TableService.create({ config, log: pino({ level: 'silent' }), liveTables: async () => new Set() });
  const url = await svc.app.listen({ host: '127.0.0.1', port: opts.port ?? 0 });
  const inject: TestService['inject'] = async (method, path, token, body) => {
    const res = await svc.app.inject({
      method,
      url: path,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(body === undefined ? {} : { payload: body as object }),
    });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
  };
  return {
    svc,
    url,
    databaseUrl,
    inject,
    staffToken: async (id, password) =>
      (await inject('POST', '/v1/auth/staff-login', undefined, { id, password })).body.token,
    playerToken: async (username) =>
      (await inject('POST', '/v1/auth/login', undefined, { username, password: 'demo-password' })).body.token,
  };
}
