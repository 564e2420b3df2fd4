/**
 * The vision worker process: reads the configured tables from the sfu's video and sends its
 * readings to table-service. Configuration: see loadVisionConfig (config.ts) and vision/.env.example.
 */
import { createLogger, loadConfigOrExit, onShutdownSignal } from '@live-casino/server-kit';
import { loadVisionConfig } from './config.js';
import { SfuFrameSource } from './frames/index.js';
import { HealthServer } from './HealthServer.js';
import { VisionWorker } from './VisionWorker.js';

const log = createLogger({ service: 'vision', level: process.env.LOG_LEVEL ?? 'info' });

const config = loadConfigOrExit(() => loadVisionConfig());

const worker = await VisionWorker.create({
  config,
  createFrameSource: (opts) => new SfuFrameSource(opts),
  log,
});
const health = await HealthServer.listen(worker, config.host, config.port);
log.info(
  {
    tables: config.tables,
    readFps: config.readFps,
    stableReads: config.stableReads,
    models: { cards: config.cardModelPath, wheel: config.wheelModelPath },
    health: `${health.url}/health`,
  },
  'vision worker running',
);

onShutdownSignal({
  service: 'vision',
  log,
  close: () => Promise.all([health.close(), worker.close()]),
  timeoutMs: 5_000,
});
