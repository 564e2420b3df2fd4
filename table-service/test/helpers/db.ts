// table-service's own tests keep their helper path; the code is in src so other workspaces' tests
// can import it as `@live-casino/table-service/testing`.
export { silentLog, startTestPostgres, type TestPostgres } from '../../src/testing/TestPostgres.js';
