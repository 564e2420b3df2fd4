import { isIP } from 'node:net';
import os from 'node:os';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { GameKind } from '@live-casino/protocol';
import { ConfigError, loadEnvConfig } from '@live-casino/server-kit';
import { tableRulesOf } from './rounds/tableRules.js';
import { TableConfig } from './tableConfig.js';

export { TableConfig } from './tableConfig.js';

/**
 * How long betting stays open when a table names no `bettingWindowS`: what the simulated studio
 * does (studio's ROULETTE_TIMELINE and BACCARAT_TIMELINE close 12 s and 10 s after opening), so the
 * lobby's countdown is the one the video shows.
 */
export const DEFAULT_BETTING_WINDOW_S: Readonly<Record<GameKind, number>> = { roulette: 12, baccarat: 10 };

const DEFAULT_TABLES: TableConfig[] = [
  { tableId: 'roulette-1', name: 'Roulette Royale', game: 'roulette' },
  { tableId: 'baccarat-1', name: 'Baccarat Squeeze', game: 'baccarat' },
];

/**
 * table-service configuration from the environment, checked at boot: a missing or bad value stops
 * the process with a message naming the variable.
 */
export const ConfigSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  OPS_HOST: Type.String({
    description:
      "The operators' listener: /metrics and /v1/cluster (never on PORT). Loopback by default; open it to a monitoring network only (0: a free port, for tests).",
    default: '127.0.0.1',
  }),
  OPS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8081 }),
  STREAM_TOKEN_PRIVATE_KEY: Type.String({
    description: 'PKCS#8 PEM of the Ed25519 key that signs stream tokens, or a path to a file holding it.',
    minLength: 1,
  }),
  STREAM_TOKEN_TTL_S: Type.Integer({ minimum: 10, maximum: 3600, default: 300 }),
  STUDIO_SERVICE_SECRET: Type.String({
    description: 'Bearer secret of studio devices (encoders, the simulator) allowed to ask for publish tokens.',
    minLength: 16,
  }),
  SFU_PUBLIC_URL: Type.String({
    description: 'Public URL of the sfu as browsers reach it.',
    default: 'http://127.0.0.1:4443',
  }),
  SFU_INTERNAL_URL: Type.String({
    description:
      "The sfu's operations listener: which tables are live (/stats) and the players' measured stream delays (/internal/viewer-delays) that the betting window honours.",
    default: 'http://127.0.0.1:4444',
  }),
  TABLES: Type.Optional(Type.String({ description: 'JSON array of tables: [{ "tableId", "name", "game" }].' })),
  DATABASE_URL: Type.Optional(
    Type.String({
      description: 'postgres:// URL; without it an embedded PostgreSQL runs in DATA_DIR/pg.',
      pattern: '^postgres(ql)?://',
    }),
  ),
  DATA_DIR: Type.String({ default: '.data' }),
  DB_POOL_MAX: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  CURRENCY: Type.String({
    description: 'Currency of the tables and of new wallets (ISO 4217).',
    pattern: '^[A-Z]{3}$',
    default: 'EUR',
  }),
  SESSION_TOKEN_PRIVATE_KEY: Type.Optional(
    Type.String({
      description: 'Signs session tokens; defaults to the stream-token key (another audience).',
      minLength: 1,
    }),
  ),
  SESSION_TOKEN_TTL_S: Type.Integer({ minimum: 60, maximum: 86_400, default: 3600 }),
  SESSION_MAX_AGE_S: Type.Integer({
    description:
      'How long after signing in a session may still be refreshed (POST /v1/auth/refresh); then sign in again.',
    minimum: 60,
    maximum: 30 * 86_400,
    default: 12 * 3600,
  }),
  STAFF_ACCOUNTS: Type.Optional(
    Type.String({ description: 'JSON array of dealers, pit bosses and services (see StaffDirectory).' }),
  ),
  DEMO_PLAYERS: Type.Integer({
    description: 'Demo players demo1..demoN with DEMO_BALANCE minor units each (0: none).',
    minimum: 0,
    maximum: 100_000,
    default: 0,
  }),
  DEMO_BALANCE: Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 100_000 }),
  AUTH_RATE_LIMIT_MAX: Type.Integer({
    description: 'Sign-ups per IP per minute (0: off). Logins have their own limits (LOGIN_*), on failures only.',
    minimum: 0,
    maximum: 100_000,
    default: 10,
  }),
  LOGIN_ACCOUNT_MAX_FAILURES: Type.Integer({
    description: 'Failed logins of one account within LOGIN_ACCOUNT_WINDOW_S that lock it (0: no account lock).',
    minimum: 0,
    maximum: 1000,
    default: 5,
  }),
  LOGIN_ACCOUNT_WINDOW_S: Type.Integer({ minimum: 1, maximum: 86_400, default: 900 }),
  LOGIN_LOCK_BASE_S: Type.Integer({
    description: 'First lock of an account; each further lock within a day doubles, up to LOGIN_LOCK_MAX_S.',
    minimum: 1,
    maximum: 86_400,
    default: 60,
  }),
  LOGIN_LOCK_MAX_S: Type.Integer({ minimum: 1, maximum: 7 * 86_400, default: 3600 }),
  LOGIN_IP_MAX_FAILURES: Type.Integer({
    description: 'Failed logins from one IP within LOGIN_IP_WINDOW_S after which it is refused (0: off). High: NATs.',
    minimum: 0,
    maximum: 1_000_000,
    default: 100,
  }),
  LOGIN_IP_WINDOW_S: Type.Integer({ minimum: 1, maximum: 86_400, default: 60 }),
  TRUST_PROXY: Type.Optional(
    Type.String({
      description:
        'Proxies whose X-Forwarded-For is believed, so that `request.ip` is the client\'s: a comma-separated list of addresses and CIDRs ("10.0.0.0/8,127.0.0.1"; also loopback, linklocal, uniquelocal). Unset: the header is ignored (a client could name any address in it). No hop count: fastify 5 refuses them, as they cannot tell a proxy from a client naming hops itself.',
      pattern: '^[0-9A-Za-z.:/, ]*$',
      maxLength: 2000,
    }),
  ),
  SOCKET_EVENTS_PER_S: Type.Integer({
    description:
      'Per-socket token buckets (rate a second, burst): every event, and bets, cancels and delay reports on their own. Past them a request is answered RATE_LIMITED unprocessed. Rate 0: no limit (load benches that saturate one socket).',
    minimum: 0,
    maximum: 100_000,
    default: 50,
  }),
  SOCKET_EVENTS_BURST: Type.Integer({ minimum: 1, maximum: 100_000, default: 100 }),
  SOCKET_BETS_PER_S: Type.Integer({ minimum: 0, maximum: 100_000, default: 20 }),
  SOCKET_BETS_BURST: Type.Integer({ minimum: 1, maximum: 100_000, default: 40 }),
  SOCKET_CANCELS_PER_S: Type.Integer({ minimum: 0, maximum: 100_000, default: 10 }),
  SOCKET_CANCELS_BURST: Type.Integer({ minimum: 1, maximum: 100_000, default: 20 }),
  SOCKET_DELAY_REPORTS_PER_S: Type.Integer({ minimum: 0, maximum: 100_000, default: 2 }),
  SOCKET_DELAY_REPORTS_BURST: Type.Integer({ minimum: 1, maximum: 100_000, default: 4 }),
  CHAT_MESSAGES_PER_MIN: Type.Integer({
    description:
      'Chat messages a minute per sender (per socket and per sender on each node), after a burst of CHAT_BURST. 0: no chat.',
    minimum: 0,
    maximum: 6_000,
    default: 20,
  }),
  CHAT_BURST: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
  CHAT_BLOCKED_WORDS: Type.Optional(
    Type.String({
      description:
        'Comma-separated words a chat message may not contain (matched on whole words and their extensions, case, accents, l33t spelling and s.p.a.c.i.n.g ignored). Unset: a short built-in list of profanities (table-service/src/chat/ChatModeration.ts). Links are never allowed.',
      maxLength: 20_000,
    }),
  ),
  REDIS_URL: Type.Optional(
    Type.String({
      description: 'redis:// URL shared by every node: socket.io fan-out and table leases. Without it, one node alone.',
      pattern: '^rediss?://',
    }),
  ),
  NODE_ID: Type.Optional(
    Type.String({
      description: "This node's name in table leases; defaults to hostname-pid.",
      minLength: 1,
      maxLength: 128,
    }),
  ),
  TABLE_LEASE_MS: Type.Integer({
    description: "A table's owner must renew its lease within this; another node takes over after it lapses.",
    minimum: 300,
    maximum: 60_000,
    default: 3000,
  }),
  VISION_MIN_CONFIDENCE: Type.Number({
    description: "Least confidence of a vision reading that may confirm (or contradict) a dealer's result.",
    minimum: 0,
    maximum: 1,
    default: 0.9,
  }),
  VISION_TIMEOUT_MS: Type.Integer({
    description: "How long after the dealer's result an agreeing reading may take before the round holds.",
    minimum: 100,
    maximum: 120_000,
    default: 4000,
  }),
  PLAYER_WEB_DIR: Type.Optional(Type.String({ description: 'Built player-web to serve at `/`.' })),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
});

export type ServiceConfig = Static<typeof ConfigSchema> & {
  tables: TableConfig[];
  NODE_ID: string;
  /** TRUST_PROXY as fastify's `trustProxy` takes it. */
  trustProxy: false | string[];
};

export { ConfigError };

export function loadConfig(env: Record<string, string | undefined> = process.env): ServiceConfig {
  const config = loadEnvConfig(ConfigSchema, 'table-service', env);
  let tables = DEFAULT_TABLES;
  if (config.TABLES) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(config.TABLES);
    } catch {
      throw new ConfigError('invalid table-service configuration:\n  TABLES: not JSON');
    }
    const schema = Type.Array(TableConfig, { minItems: 1, maxItems: 500 });
    if (!Value.Check(schema, parsed)) {
      const first = Value.Errors(schema, parsed).First();
      throw new ConfigError(
        `invalid table-service configuration:\n  TABLES${first?.path ?? ''}: ${first?.message ?? 'invalid'}`,
      );
    }
    tables = parsed;
    if (new Set(tables.map((t) => t.tableId)).size !== tables.length) {
      throw new ConfigError('invalid table-service configuration:\n  TABLES: duplicate tableId');
    }
  }
  tables = tables.map((t) => ({ ...t, bettingWindowS: t.bettingWindowS ?? DEFAULT_BETTING_WINDOW_S[t.game] }));
  // Each table's rules are checked now, so a bad limit stops the process at boot with its name.
  for (const table of tables) tableRulesOf(table, config.CURRENCY);
  return {
    ...config,
    tables,
    NODE_ID: config.NODE_ID ?? `${os.hostname()}-${process.pid}`,
    trustProxy: parseTrustProxy(config.TRUST_PROXY),
  };
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Addresses and CIDRs of trusted proxies; anything else (a hop count, `true`) stops the boot, named. */
export function parseTrustProxy(value: string | undefined): false | string[] {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'false') return false;
  const entries = text.split(',').map((e) => e.trim());
  for (const entry of entries) {
    if (PROXY_NAMES.has(entry)) continue;
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !prefixOk || extra !== undefined) {
      throw new ConfigError(
        `invalid table-service configuration:\n  TRUST_PROXY: "${entry}" is not an address, a CIDR, loopback, linklocal or uniquelocal`,
      );
    }
  }
  return entries;
}
