// The sfu's own tests keep their helper path; the code is in src so other workspaces' tests can
// import it as `@live-casino/sfu/testing`.
export { fetchPlaylist, request, startTestSfu, type TestSfu, VP8_INGEST } from '../src/testing/TestSfu.js';
