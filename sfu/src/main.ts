import { createLogger, loadConfigOrExit, onShutdownSignal } from '@live-casino/server-kit';
import { loadConfig } from './config.js';
import { Sfu } from './Sfu.js';

const config = loadConfigOrExit(() => loadConfig());

const log = createLogger({ service: 'sfu', level: config.LOG_LEVEL });

// One table's failure must not take every table's video down with the process.
process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));

const sfu = await Sfu.create(config, log);
const address = await sfu.listen();
log.info({ address, workers: config.SFU_WORKERS }, 'sfu listening');

onShutdownSignal({ service: 'sfu', log, close: () => sfu.close() });
