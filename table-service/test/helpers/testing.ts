/**
 * What tests of other workspaces use to run a real table-service (`@live-casino/table-service/testing`):
 * a PostgreSQL per test file and a whole service on a fresh database of it.
 */
export { silentLog, startTestPostgres, type TestPostgres } from './db.js';
export { startTestService, type TestService } from './service.js';
