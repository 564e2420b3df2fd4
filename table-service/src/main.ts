import { createLogger, loadConfigOrExit, onShutdownSignal } from '@live-casino/server-kit';
import { loadConfig } from './config.js';
import { TableService } from './TableService.js';

const config = loadConfigOrExit(() => loadConfig());

const log = createLogger({ service: 'table-service', level: config.LOG_LEVEL });

const service = await TableService.create({ config, log });
const address = await service.app.listen({ host: config.HOST, port: config.PORT });
const opsAddress = await service.listenOps();
log.info({ address, opsAddress }, 'table-service listening (ops: /metrics, /v1/cluster on opsAddress)');

onShutdownSignal({ service: 'table-service', log, close: () => service.close() });
