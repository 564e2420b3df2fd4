/** `npm run platform`: the whole platform on the embedded default, until Ctrl-C. */
import { DEMO_STAFF_PASSWORDS, Platform } from '@live-casino/testing/platform';

const platform = await Platform.start({ output: 'prefixed', vision: process.env.PLATFORM_VISION !== 'off' });
process.stdout.write(
  `\n  live-casino is up\n    player lobby:  ${platform.urls.tableService}/\n    API docs:      ${platform.urls.tableService}/docs\n    sfu stats:     ${platform.urls.sfuInternal}/stats  (Prometheus: ${platform.urls.sfuInternal}/metrics; loopback only)\n    vision:        ${platform.urls.vision}/health  (Prometheus: ${platform.urls.vision}/metrics)\n    demo logins:   players demo1..demo20 / demo-password; dealers dealer-<tableId> / ${DEMO_STAFF_PASSWORDS.dealer}; pitboss / ${DEMO_STAFF_PASSWORDS.pitboss}\n\n`,
);
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void platform.stop().finally(() => process.exit(0));
  });
}
