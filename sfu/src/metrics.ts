import { createRegistry } from '@live-casino/server-kit';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { TableMediaStats } from './TableMediaTypes.js';
import type { WorkerPool } from './WorkerPool.js';

export interface SfuMetrics {
  registry: Registry;
  signalling: Counter<'request' | 'outcome'>;
  signallingSeconds: Histogram<'request'>;
  workerDeaths: Counter<'worker'>;
  /** Lobby still decodes (one ffmpeg run each) by outcome: ok, failed, aborted (timed out, table closed). */
  thumbnailDecodes: Counter<'outcome'>;
  thumbnailDecodeSeconds: Histogram;
}

/** Prometheus metrics; table and worker gauges are read at scrape time from live state. */
export function createMetrics(pool: () => WorkerPool, tables: () => Promise<TableMediaStats[]>): SfuMetrics {
  const registry = createRegistry();
  const signalling = new Counter({
    name: 'sfu_signalling_requests_total',
    help: 'Signalling requests by request name and outcome (ok or error code)',
    labelNames: ['request', 'outcome'] as const,
    registers: [registry],
  });
  const signallingSeconds = new Histogram({
    name: 'sfu_signalling_ack_seconds',
    help: 'Time from a signalling request to its acknowledgement',
    labelNames: ['request'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const workerDeaths = new Counter({
    name: 'sfu_worker_deaths_total',
    help: 'mediasoup worker processes that died (each is replaced)',
    labelNames: ['worker'] as const,
    registers: [registry],
  });
  const thumbnailDecodes = new Counter({
    name: 'sfu_thumbnail_decodes_total',
    help: 'Lobby still decodes (one short ffmpeg run each) by outcome: ok, failed, aborted',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const thumbnailDecodeSeconds = new Histogram({
    name: 'sfu_thumbnail_decode_seconds',
    help: 'Wall time of one lobby still decode, ffmpeg start to exit',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3],
    registers: [registry],
  });
  new Gauge({
    name: 'sfu_worker_cpu_percent',
    help: 'CPU of each mediasoup worker process, percent of one core',
    labelNames: ['worker'] as const,
    registers: [registry],
    collect() {
      for (const w of pool().workers) this.set({ worker: String(w.index) }, w.cpuPercent);
    },
  });
  const perTable = (name: string, help: string, pick: (t: TableMediaStats) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: ['table'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const t of await tables()) this.set({ table: t.tableId }, pick(t));
      },
    });
  };
  perTable('sfu_table_viewers', 'Viewers joined to a table', (t) => t.viewers);
  perTable('sfu_table_consumers', 'Consumers of a table', (t) => t.consumers);
  perTable('sfu_table_producers', 'Producers of a table', (t) => t.producers.length);
  perTable('sfu_table_ingest_bitrate_bps', 'Bitrate received from the studio', (t) =>
    t.producers.reduce((n, p) => n + p.bitrateBps, 0),
  );
  perTable('sfu_table_ingest_packets_lost', 'Packets lost between the studio and the sfu', (t) =>
    t.producers.reduce((n, p) => n + p.packetsLost, 0),
  );
  perTable('sfu_table_egresses', 'Plain RTP egresses (vision workers) fed by a table', (t) => t.egresses);
  perTable('sfu_table_routers', 'Routers (origin + viewer) of a table', (t) => t.routers.length);
  return { registry, signalling, signallingSeconds, workerDeaths, thumbnailDecodes, thumbnailDecodeSeconds };
}
