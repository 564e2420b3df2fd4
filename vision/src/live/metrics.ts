import { createRegistry, scrapedMetric } from '@live-casino/server-kit';
import type { Registry } from 'prom-client';
import type { VisionHealth } from './VisionWorkerTypes.js';

/** The worker's Prometheus metrics, read from its health snapshot at each scrape. */
export function createVisionMetrics(health: () => VisionHealth): Registry {
  const registry = createRegistry();
  const h = health;
  scrapedMetric(registry, {
    name: 'vision_readings_total',
    help: 'Readings by outcome',
    type: 'counter',
    labelNames: ['table', 'outcome'],
    samples: () =>
      h().tables.flatMap((x) =>
        (['sent', 'refused', 'failed'] as const).map((outcome): [{ table: string; outcome: string }, number] => [
          { table: x.tableId, outcome },
          x.readings[outcome],
        ]),
      ),
  });
  scrapedMetric(registry, {
    name: 'vision_frames_received_total',
    help: 'Decoded frames received',
    type: 'counter',
    labelNames: ['table'],
    samples: () => h().tables.map((x) => [{ table: x.tableId }, x.framesReceived]),
  });
  scrapedMetric(registry, {
    name: 'vision_frames_read_total',
    help: 'Frames read by the models',
    type: 'counter',
    labelNames: ['table'],
    samples: () => h().tables.map((x) => [{ table: x.tableId }, x.framesRead]),
  });
  scrapedMetric(registry, {
    name: 'vision_frames_skipped_total',
    help: 'Frames not read, by reason',
    type: 'counter',
    labelNames: ['table', 'reason'],
    samples: () =>
      h().tables.flatMap((x) =>
        Object.entries(x.framesSkipped).map(([reason, n]): [{ table: string; reason: string }, number] => [
          { table: x.tableId, reason },
          n,
        ]),
      ),
  });
  scrapedMetric(registry, {
    name: 'vision_table_reading',
    help: '1 while the table is being read',
    type: 'gauge',
    labelNames: ['table'],
    samples: () => h().tables.map((x) => [{ table: x.tableId }, x.state === 'reading' ? 1 : 0]),
  });
  scrapedMetric(registry, {
    name: 'vision_model_ready',
    help: '1 once the model is loaded',
    type: 'gauge',
    labelNames: ['model'],
    samples: () => Object.entries(h().models).map(([model, s]) => [{ model }, s?.state === 'ready' ? 1 : 0]),
  });
  scrapedMetric(registry, {
    name: 'vision_inference_ms',
    help: 'Inference time per frame over the last 1000 reads',
    type: 'gauge',
    labelNames: ['quantile'],
    samples: () => [
      [{ quantile: '0.5' }, h().inference.inferMs.p50],
      [{ quantile: '0.95' }, h().inference.inferMs.p95],
    ],
  });
  scrapedMetric(registry, {
    name: 'vision_inference_dropped_total',
    help: 'Frames replaced by newer ones while queued',
    type: 'counter',
    samples: () => [[{}, h().inference.dropped]],
  });
  scrapedMetric(registry, {
    name: 'vision_inference_thread_restarts_total',
    help: 'Inference threads replaced',
    type: 'counter',
    samples: () => [[{}, h().inference.threadRestarts]],
  });
  return registry;
}
