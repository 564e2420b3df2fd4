import { pino } from 'pino';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}

const log = pino({
  level: config.LOG_LEVEL,
  base: { service: 'table-service' },
  redact: ['req.headers.authorization', '*.token', '*.password'],
  ...(process.stdout.isTTY ? { transport: { target: 'pino-pretty' } } : {}),
});

const app = await buildApp({ config, log });
const address = await app.listen({ host: config.HOST, port: config.PORT });
log.info({ address }, 'table-service listening');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'table-service shutting down');
    void app.close().finally(() => process.exit(0));
  });
}
