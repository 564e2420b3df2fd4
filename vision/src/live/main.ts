/**
 * The vision worker process: reads the configured tables from the sfu's video and sends its
 * readings to table-service. Configuration: see loadVisionConfig (config.ts) and vision/.env.example.
 */
import { pino } from 'pino';
import { loadVisionConfig, VisionConfigError } from './config.js';
import { SfuFrameSource } from './frames/index.js';
import { HealthServer } from './HealthServer.js';
import { VisionWorker } from './VisionWorker.js';

const log = pino({
  name: 'vision',
  level: process.env.LOG_LEVEL ?? 'info',
  redact: ['serviceSecret', '*.serviceSecret', 'token', '*.token'],
});

let config: ReturnType<typeof loadVisionConfig>;
try {
  config = loadVisionConfig();
} catch (err) {
  if (err instanceof VisionConfigError) {
    process.stderr.write(`vision: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}

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

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    void Promise.all([health.close(), worker.close()]).finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 5_000).unref();
  });
}
