/**
 * Test support other workspaces' tests need from the sfu (`@live-casino/sfu/testing`): an sfu on
 * loopback ports with its own token keys, and signalling helpers. Not for production code.
 */
export { fetchPlaylist, request, startTestSfu, type TestSfu, VP8_INGEST } from './TestSfu.js';
