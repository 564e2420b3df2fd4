import { Platform } from '@live-casino/testing/platform';
import { E2E_PLATFORM } from './platform.js';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const platform = await Platform.start(E2E_PLATFORM.options);
  try {
    await platform.waitLive(60_000);
  } catch (err) {
    await platform.stop();
    throw err;
  }
  return () => platform.stop();
}
