import { defineConfig } from '@playwright/test';
import { E2E_PLATFORM } from './e2e/platform.js';

/**
 * End-to-end tests drive Debian's Chromium (no browser download) against the whole platform,
 * started once by global setup on its own ports.
 */
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  workers: 1,
  fullyParallel: false,
  // One retry, and the list reporter names the test "flaky" when it passes only on its retry. Known:
  // the HLS studio-time check misses its one-frame bound about once in six runs with the 20 s stream
  // tokens of e2e/platform.ts (never in 8 runs with 300 s tokens), i.e. around a grant refresh;
  // open until that is understood.
  retries: 1,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  globalSetup: './e2e/globalSetup.ts',
  use: {
    baseURL: E2E_PLATFORM.urls.tableService,
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        '--autoplay-policy=no-user-gesture-required',
      ],
    },
  },
});
