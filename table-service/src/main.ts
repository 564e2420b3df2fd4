import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { TableService } from './TableService.js';

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
  redact: ['req.headers.authorization', '*.token', '*.password', '*.passwordHash'],
  ...(process.stdout.isTTY ? { transport: { target: 'pino-pretty' } } : {}),
});

const service = await TableService.create({ config, log });
const address = await service.app.listen({ host: config.HOST, port: config.PORT });
const opsAddress = await service.listenOps();
log.info({ address, opsAddress }, 'table-service listening (ops: /metrics, /v1/cluster on opsAddress)');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'table-service shutting down');
    void service.close().finally(() => process.exit(0));
  });
}
