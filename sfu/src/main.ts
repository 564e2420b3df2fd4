import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { Sfu } from './Sfu.js';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}

const log = pino({
  level: config.LOG_LEVEL,
  base: { service: 'sfu' },
  redact: ['req.headers.authorization', '*.token'],
  ...(process.stdout.isTTY ? { transport: { target: 'pino-pretty' } } : {}),
});

// One table's failure must not take every table's video down with the process.
process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));

const sfu = await Sfu.create(config, log);
const address = await sfu.listen();
log.info({ address, workers: config.SFU_WORKERS }, 'sfu listening');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'sfu shutting down');
    void sfu.close().finally(() => process.exit(0));
  });
}
