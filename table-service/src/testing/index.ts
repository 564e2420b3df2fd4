/**
 * Test support other workspaces' tests need from table-service (`@live-casino/table-service/testing`):
 * a real PostgreSQL per test file, and a whole service on a fresh database of it. Not for production code.
 */
export { silentLog, startTestPostgres, type TestPostgres } from './TestPostgres.js';
export { startTestService, type TestService } from './TestService.js';
