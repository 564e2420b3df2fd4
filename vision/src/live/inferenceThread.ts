/**
 * An inference thread of the InferencePool: loads the readers (retrying a missing or broken model
 * file until a good one appears), then cuts each frame's regions and reads them. Runs off the
 * main thread so that decoding, debouncing and sending never wait for a model.
 */
import { parentPort } from 'node:worker_threads';
import {
  errorInfo,
  type FromThread,
  type InferenceJob,
  type ModelKind,
  type ModelState,
  modelOf,
  type ToThread,
} from './InferenceTypes.js';
import { type LoadedReader, loadReader } from './Readers.js';
import { cropRegions } from './Regions.js';

const port = parentPort;
if (!port) throw new Error('inferenceThread runs as a worker thread');

const readers = new Map<ModelKind, LoadedReader>();

function post(message: FromThread): void {
  port?.postMessage(message);
}

async function keepLoading(model: ModelKind, path: string, retryMs: number): Promise<void> {
  post({ type: 'model', model, status: { state: 'loading', path } });
  for (let attempts = 1; ; attempts++) {
    try {
      readers.set(model, await loadReader(model, path));
      post({ type: 'model', model, status: { state: 'ready', path, loadedAtMs: Date.now() } });
      return;
    } catch (err) {
      const status: ModelState = {
        state: 'failed',
        path,
        error: errorInfo(err),
        attempts,
        nextAttemptAtMs: Date.now() + retryMs,
      };
      post({ type: 'model', model, status });
      await new Promise((r) => setTimeout(r, retryMs));
    }
  }
}

async function read(job: InferenceJob): Promise<void> {
  const model = modelOf(job.game);
  const reader = readers.get(model);
  if (!reader) {
    post({
      type: 'failed',
      jobId: job.jobId,
      error: { name: 'ModelNotReady', code: 'VISION_MODEL_NOT_READY', message: `${model} model not loaded` },
    });
    return;
  }
  try {
    const t0 = performance.now();
    const wanted = job.regions;
    const crops = cropRegions({ width: job.width, height: job.height, rgb: job.rgb }, wanted);
    const t1 = performance.now();
    const results = await reader.read(crops.map((c) => c.pixels));
    const t2 = performance.now();
    post({
      type: 'result',
      jobId: job.jobId,
      reads: results.map((r, i) => ({ region: wanted[i]?.name ?? String(i), ...r })),
      cropMs: t1 - t0,
      inferMs: t2 - t1,
    });
  } catch (err) {
    post({ type: 'failed', jobId: job.jobId, error: errorInfo(err) });
  }
}

port.on('message', (message: ToThread) => {
  switch (message.type) {
    case 'init':
      for (const [model, path] of Object.entries(message.models) as [ModelKind, string][]) {
        void keepLoading(model, path, message.retryMs);
      }
      return;
    case 'read':
      void read(message);
      return;
    default: {
      const unknown: never = message;
      throw new Error(`unexpected message ${JSON.stringify(unknown)}`);
    }
  }
});
