/**
 * Test support other workspaces' tests need from table-service (`@live-casino/table-service/testing`):
 * a real PostgreSQL per test file. Not for production code.
 */
export { silentLog, startTestPostgres, type TestPostgres } from './TestPostgres.js';
