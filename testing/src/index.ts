/**
 * What the workspaces' tests share: import `@live-casino/testing`. The platform launcher (every
 * service as a child process, for `npm start`, e2e and acceptance runs) is
 * `@live-casino/testing/platform`, apart, so that a unit test importing `waitFor` does not load it.
 */
export { freePort } from './freePort.js';
export { waitFor } from './waitFor.js';
export { decodeVideo } from './decodeVideo.js';
export { roundDto } from './roundDto.js';
