/**
 * table-service's public API, for the processes that run it or check its data (the platform
 * launcher, benches, tests of other workspaces): import `@live-casino/table-service`, never its
 * files by path. The wire contract is not here: it is `@live-casino/protocol`.
 */
export { hashPassword, verifyPassword } from './auth/Passwords.js';
export { type Role, type Session, SessionTokens } from './auth/SessionTokens.js';
export { checkLedger, formatReport, type LedgerReport, type LedgerViolation } from './cli/ledgerCheck.js';
export { ConfigError, DEFAULT_BETTING_WINDOW_S, loadConfig, type ServiceConfig } from './config.js';
export { Database, type DatabaseOptions } from './db/Database.js';
export { EmbeddedPostgres, type EmbeddedPostgresOptions } from './db/EmbeddedPostgres.js';
export { MIGRATIONS_DIR, migrate } from './db/migrate.js';
export { Ledger, transferBodyHash } from './Ledger.js';
export type { Account, TransferRequest, TransferResult } from './LedgerTypes.js';
export { LedgerError } from './LedgerTypes.js';
export { TableConfig } from './tableConfig.js';
export { TableService, type TableServiceOptions } from './TableService.js';
