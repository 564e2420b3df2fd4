import { TableServiceClient } from '@live-casino/clients';
import { CARD_POSITIONS, type CardPosition } from '@live-casino/protocol/games/baccarat';
import { percentile } from '@live-casino/server-kit';
import { type Logger, pino } from 'pino';
import type { Registry } from 'prom-client';
import { CardReader } from '../models/CardReader.js';
import { WheelReader } from '../models/WheelReader.js';
import type { VisionConfig, VisionTable } from './config.js';
import { type CardsRead, CardsDebouncer, type DebouncedReading, WheelDebouncer, type WheelRead } from './Debouncer.js';
import { InferencePool, type ReadSpec } from './InferencePool.js';
import { type ModelKind, modelOf, type RegionRead } from './InferenceTypes.js';
import { createVisionMetrics } from './metrics.js';
import { ReadingsClient } from './ReadingsClient.js';
import { regionsOf } from './Regions.js';
import type {
  DecodedFrameLike,
  FrameSourceFactory,
  FrameSourceLike,
  TableHealth,
  VisionHealth,
} from './VisionWorkerTypes.js';

export interface VisionWorkerOptions {
  config: VisionConfig;
  createFrameSource: FrameSourceFactory;
  log?: Logger;
  /** table-service's client; by default one signed in as the config's service. */
  tableService?: TableServiceClient;
}

interface TableRuntime {
  readonly table: VisionTable;
  /** The table's game and the regions of its calibration. */
  readonly readSpec: ReadSpec;
  readonly source: FrameSourceLike;
  readonly debouncer: WheelDebouncer | CardsDebouncer;
  feed: unknown;
  framesReceived: number;
  framesRead: number;
  skipped: { rate: number; stale: number; noModel: number; failed: number };
  /** Studio time of the last frame accepted for reading (the read rate is kept in video time). */
  lastAcceptedStudioMs: number | null;
  /** Studio time of the last frame whose read reached the debouncer (reads apply in frame order). */
  lastAppliedStudioMs: number | null;
  lastFrameStudioMs: number | null;
  lastFrameAt: number | null;
  readings: { sent: number; refused: number; failed: number };
  lastReading: TableHealth['lastReading'];
  /** Readings of a table are sent one after the other, in the order they were read. */
  sending: Promise<void>;
}

const WINDOW = 1000;

/**
 * The live reader: one frame source per table, one inference pool for them all. Each table's
 * frames are read at `readFps` (in video time), debounced, and every stable reading goes to
 * table-service with the studio time of the frame it became stable on and its lowest confidence.
 */
export class VisionWorker {
  readonly #config: VisionConfig;
  readonly #log: Logger;
  readonly #metrics: Registry;
  readonly #pool: InferencePool;
  readonly #tableService: TableServiceClient;
  readonly #client: ReadingsClient;
  readonly #tables: TableRuntime[] = [];
  readonly #models: ModelKind[];
  readonly #startedAt = Date.now();
  readonly #inferMs: number[] = [];
  readonly #cropMs: number[] = [];
  #reads = 0;
  #closed = false;

  private constructor(opts: VisionWorkerOptions) {
    this.#config = opts.config;
    this.#log = opts.log ?? pino({ level: 'silent' });
    this.#metrics = createVisionMetrics(() => this.serialize());
    const c = opts.config;
    this.#models = [...new Set(c.tables.map((t) => modelOf(t.game)))];
    const paths: Record<ModelKind, string> = { cards: c.cardModelPath, wheel: c.wheelModelPath };
    this.#pool = new InferencePool({
      models: Object.fromEntries(this.#models.map((m) => [m, paths[m]])),
      threads: c.inferenceThreads,
      modelRetryMs: c.modelRetryMs,
    });
    this.#pool.on('modelstate', ({ model, thread, status }) => {
      if (status.state === 'failed' && status.attempts === 1) {
        this.#log.error(
          { model, thread, path: status.path, error: status.error },
          `${model} model cannot be loaded; retrying every ${c.modelRetryMs} ms`,
        );
      } else if (status.state === 'ready') {
        this.#log.info({ model, thread, path: status.path }, `${model} model loaded`);
      }
    });
    this.#pool.on('threaddied', ({ thread, error }) =>
      this.#log.error({ thread, error }, 'inference thread died; replacing it'),
    );
    // One session for everything the worker asks of table-service, however many tables it reads.
    this.#tableService =
      opts.tableService ??
      new TableServiceClient({
        baseUrl: c.tableServiceUrl,
        credentials: { kind: 'staff', id: c.serviceId, password: c.serviceSecret },
      });
    this.#client = new ReadingsClient({
      tableService: this.#tableService,
      log: (msg, extra) => this.#log.warn(extra ?? {}, msg),
    });
    for (const table of c.tables) {
      const source = opts.createFrameSource({
        tableId: table.tableId,
        sfuUrl: c.sfuUrl,
        tableService: this.#tableService,
        maxFps: c.readFps,
        stallMs: c.stallMs,
        log: this.#log,
      });
      const debouncer =
        table.game === 'roulette'
          ? new WheelDebouncer({ stableReads: c.stableReads.roulette })
          : new CardsDebouncer({ stableReads: c.stableReads.baccarat });
      const rt: TableRuntime = {
        table,
        readSpec: { game: table.game, regions: regionsOf(table.calibration) },
        source,
        debouncer,
        feed: null,
        framesReceived: 0,
        framesRead: 0,
        skipped: { rate: 0, stale: 0, noModel: 0, failed: 0 },
        lastAcceptedStudioMs: null,
        lastAppliedStudioMs: null,
        lastFrameStudioMs: null,
        lastFrameAt: null,
        readings: { sent: 0, refused: 0, failed: 0 },
        lastReading: null,
        sending: Promise.resolve(),
      };
      source.on('frame', (frame) => this.#onFrame(rt, frame));
      source.on('status', (status) => {
        rt.feed = status;
        this.#log.info({ tableId: table.tableId, status }, 'feed status');
      });
      this.#tables.push(rt);
    }
  }

  static async create(opts: VisionWorkerOptions): Promise<VisionWorker> {
    const worker = new VisionWorker(opts);
    for (const rt of worker.#tables) await rt.source.start();
    return worker;
  }

  #onFrame(rt: TableRuntime, frame: DecodedFrameLike): void {
    if (this.#closed) return;
    rt.framesReceived++;
    const gap = rt.lastFrameStudioMs === null ? 0 : frame.studioMs - rt.lastFrameStudioMs;
    rt.lastFrameStudioMs = frame.studioMs;
    rt.lastFrameAt = Date.now();
    // A gap in the video: what was stable before it may not be any more.
    if (gap > this.#config.stallMs) rt.debouncer.reset();
    const minGap = 1000 / this.#config.readFps - 5;
    if (rt.lastAcceptedStudioMs !== null && frame.studioMs - rt.lastAcceptedStudioMs < minGap) {
      if (frame.studioMs >= rt.lastAcceptedStudioMs) {
        rt.skipped.rate++;
        return;
      }
    }
    const model = modelOf(rt.table.game);
    if (!this.#pool.isReady(model)) {
      rt.skipped.noModel++;
      return;
    }
    rt.lastAcceptedStudioMs = frame.studioMs;
    void this.#pool.read(rt.table.tableId, rt.readSpec, frame).then((outcome) => {
      if (this.#closed) return;
      if (!outcome.ok) {
        if (outcome.reason === 'dropped') rt.skipped.stale++;
        else if (outcome.reason === 'failed') {
          rt.skipped.failed++;
          this.#log.warn({ tableId: rt.table.tableId, error: outcome.error }, 'read failed');
        }
        return;
      }
      if (rt.lastAppliedStudioMs !== null && frame.studioMs <= rt.lastAppliedStudioMs) {
        rt.skipped.stale++;
        return;
      }
      rt.lastAppliedStudioMs = frame.studioMs;
      rt.framesRead++;
      this.#reads++;
      pushWindow(this.#inferMs, outcome.inferMs);
      pushWindow(this.#cropMs, outcome.cropMs);
      if (this.#log.isLevelEnabled('debug')) {
        this.#log.debug(
          {
            tableId: rt.table.tableId,
            studioMs: frame.studioMs,
            reads: outcome.reads.map((r) => `${r.region}:${r.label}@${r.confidence.toFixed(3)}`).join(' '),
          },
          'read',
        );
      }
      const reading = this.#debounce(rt, outcome.reads, frame.studioMs);
      if (reading) this.#send(rt, reading);
    });
  }

  #debounce(rt: TableRuntime, reads: readonly RegionRead[], studioMs: number): DebouncedReading | null {
    const d = rt.debouncer;
    try {
      if (d instanceof WheelDebouncer) {
        const r = reads[0];
        if (!r) return this.#badRead(rt, reads);
        const pocket = WheelReader.pocketOf(r);
        const read: WheelRead = pocket === null ? { pocket: null } : { pocket, confidence: r.confidence };
        return d.push(read, studioMs);
      }
      const byPosition = new Map(reads.map((r) => [r.region, r]));
      const read: Partial<Record<CardPosition, CardsRead[CardPosition]>> = {};
      for (const position of CARD_POSITIONS) {
        const r = byPosition.get(position);
        if (!r) return this.#badRead(rt, reads);
        const card = CardReader.cardOf(r);
        read[position] = card === null ? { card: null } : { card, confidence: r.confidence };
      }
      return d.push(read as CardsRead, studioMs);
    } catch (err) {
      if (err instanceof RangeError) return this.#badRead(rt, reads);
      throw err;
    }
  }

  #badRead(rt: TableRuntime, reads: readonly RegionRead[]): null {
    rt.skipped.failed++;
    this.#log.warn({ tableId: rt.table.tableId, reads }, 'model answered outside its classes');
    return null;
  }

  #send(rt: TableRuntime, reading: DebouncedReading): void {
    const body = {
      readingId: ReadingsClient.newReadingId(),
      studioMs: Math.round(reading.studioMs),
      confidence: Math.max(0, Math.min(1, reading.confidence)),
      result:
        'pocket' in reading.result
          ? { pocket: reading.result.pocket }
          : { cards: [...reading.result.cards], positions: [...reading.result.positions] },
    };
    const tableId = rt.table.tableId;
    this.#log.info({ tableId, ...body }, 'reading');
    rt.sending = rt.sending.then(async () => {
      const outcome = await this.#client.send(tableId, body);
      rt.lastReading = {
        readingId: body.readingId,
        studioMs: body.studioMs,
        confidence: body.confidence,
        status: outcome.status,
        code: outcome.sent ? null : outcome.code,
      };
      if (outcome.sent) {
        rt.readings.sent++;
      } else if (outcome.status !== null && outcome.status < 500 && outcome.status !== 429) {
        rt.readings.refused++;
        this.#log.warn({ tableId, readingId: body.readingId, ...outcome }, 'reading refused');
      } else {
        rt.readings.failed++;
        this.#log.error({ tableId, readingId: body.readingId, ...outcome }, 'reading not delivered');
      }
    });
  }

  serialize(): VisionHealth {
    const now = Date.now();
    const tables: TableHealth[] = this.#tables.map((rt) => {
      const age = rt.lastFrameAt === null ? null : now - rt.lastFrameAt;
      const state: TableHealth['state'] = !this.#pool.isReady(modelOf(rt.table.game))
        ? 'waiting-for-model'
        : age === null
          ? 'no-frames'
          : age > this.#config.stallMs
            ? 'stalled'
            : 'reading';
      return {
        tableId: rt.table.tableId,
        game: rt.table.game,
        state,
        feed: rt.feed,
        framesReceived: rt.framesReceived,
        framesRead: rt.framesRead,
        framesSkipped: { ...rt.skipped },
        lastFrameStudioMs: rt.lastFrameStudioMs,
        lastFrameAgeMs: age,
        readings: { ...rt.readings },
        lastReading: rt.lastReading,
      };
    });
    const stats = this.#pool.stats;
    return {
      status: tables.every((t) => t.state === 'reading') ? 'ok' : 'degraded',
      uptimeMs: now - this.#startedAt,
      models: Object.fromEntries(this.#models.map((m) => [m, this.#pool.modelState(m)])),
      inference: {
        threads: stats.threads,
        reads: this.#reads,
        dropped: stats.dropped,
        failed: stats.failed,
        threadRestarts: stats.threadRestarts,
        inferMs: quantiles(this.#inferMs),
        cropMs: quantiles(this.#cropMs),
      },
      tables,
    };
  }

  /** Prometheus text exposition of the same numbers. */
  metrics(): Promise<string> {
    return this.#metrics.metrics();
  }

  get metricsContentType(): string {
    return this.#metrics.contentType;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#tables.map(async (rt) => rt.source.close()));
    this.#client.close();
    this.#tableService.close();
    await Promise.all(this.#tables.map((rt) => rt.sending));
    await this.#pool.close();
  }
}

function pushWindow(window: number[], value: number): void {
  window.push(value);
  if (window.length > WINDOW) window.shift();
}

function quantiles(values: readonly number[]): { p50: number | null; p95: number | null } {
  if (values.length === 0) return { p50: null, p95: null };
  const at = (p: number): number => Math.round(percentile(values, p) * 100) / 100;
  return { p50: at(50), p95: at(95) };
}
