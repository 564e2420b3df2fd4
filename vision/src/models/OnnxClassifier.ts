/**
 * ONNX image classifiers for the vision readers (CardReader, WheelReader build on this).
 *
 *   const reader = await CardReader.load();          // vision/models/cards.onnx by default
 *   const readings = await reader.read([crop]);      // 1..6 RGB uint8 HWC crops
 *   // readings[i] = { classIndex, label, confidence } (confidence: softmax probability of the top class)
 *   await reader.close();
 *
 * load(path, { manifestPath, threads }) reads the model file, checks its sha256 against the entry
 * of its kind in models.json (beside the model unless `manifestPath` says otherwise), opens an
 * onnxruntime session and checks the input/output shapes against what the reader feeds and
 * expects. Every failure is a ModelLoadError whose message names the file:
 *   MODEL_MISSING   the model file does not exist (or cannot be read)
 *   MODEL_CORRUPT   bytes differ from the manifest's sha256 (truncated, altered) or onnxruntime
 *                   cannot parse them
 *   MODEL_SHAPE     input or output shape/classes are not the reader's
 *   MODEL_MANIFEST  models.json is missing, unreadable or has no valid entry for the model
 * read() throws a RangeError for a batch of the wrong size or a crop of the wrong length.
 *
 * No global state: each reader owns its session (the live worker creates one per worker thread).
 * Pre-processing, (x * scale - mean) / std per channel in NCHW order, comes from models.json,
 * written by the training (vision/training) from the same constants it trained with.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InferenceSession, Tensor } from 'onnxruntime-node';

export type ModelLoadErrorCode = 'MODEL_MISSING' | 'MODEL_CORRUPT' | 'MODEL_SHAPE' | 'MODEL_MANIFEST';

export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
  readonly code: ModelLoadErrorCode;
  readonly path: string;

  constructor(code: ModelLoadErrorCode, path: string, detail: string, options?: { cause?: unknown }) {
    super(`${code}: ${path}: ${detail}`, options);
    this.code = code;
    this.path = path;
  }
}

export type ModelKind = 'cards' | 'wheel';

/** One model's entry in models.json. */
export interface ModelManifestEntry {
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly classes: readonly string[];
  readonly input: { readonly name: string; readonly shape: readonly [number, number, number]; readonly layout: 'NCHW' };
  readonly output: { readonly name: string; readonly kind: 'logits' | 'log_probs' };
  readonly normalisation: { readonly scale: number; readonly mean: readonly number[]; readonly std: readonly number[] };
}

export interface ModelManifest {
  readonly version: 1;
  readonly models: Partial<Record<ModelKind, ModelManifestEntry>>;
}

export interface Reading {
  readonly classIndex: number;
  readonly label: string;
  /** Softmax probability of the top class, 0..1. */
  readonly confidence: number;
}

export interface LoadOptions {
  /** models.json to check the file against; default: the one beside the model. */
  manifestPath?: string;
  /** onnxruntime intra-op threads per session (default 1: readers run in parallel worker threads). */
  threads?: number;
}

/** What a reader feeds the model: the crop's size and the number of classes it expects back. */
export interface ClassifierSpec {
  readonly kind: ModelKind;
  readonly width: number;
  readonly height: number;
  readonly classes: number;
}

export const MAX_BATCH = 6;
/** vision/models, from src/models (tsx) as from dist/models (built). */
export const DEFAULT_MODEL_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'models');

export class OnnxClassifier {
  readonly spec: ClassifierSpec;
  readonly path: string;
  readonly entry: ModelManifestEntry;
  readonly #session: InferenceSession;
  #closed = false;

  protected constructor(spec: ClassifierSpec, path: string, entry: ModelManifestEntry, session: InferenceSession) {
    this.spec = spec;
    this.path = path;
    this.entry = entry;
    this.#session = session;
  }

  protected static async open(
    spec: ClassifierSpec,
    path: string,
    opts: LoadOptions = {},
  ): Promise<{ entry: ModelManifestEntry; session: InferenceSession }> {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw new ModelLoadError('MODEL_MISSING', path, `cannot read the model (${errorCode(error)})`, { cause: error });
    }
    const manifestPath = opts.manifestPath ?? join(dirname(path), 'models.json');
    const entry = await readManifestEntry(manifestPath, spec, path);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== entry.sha256) {
      throw new ModelLoadError(
        'MODEL_CORRUPT',
        path,
        `sha256 ${sha256} (${bytes.length} bytes) does not match ${entry.sha256} (${entry.bytes} bytes) in ${manifestPath}`,
      );
    }
    let session: InferenceSession;
    try {
      session = await InferenceSession.create(bytes, {
        intraOpNumThreads: opts.threads ?? 1,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
    } catch (error) {
      throw new ModelLoadError('MODEL_CORRUPT', path, `onnxruntime cannot load it: ${String(error)}`, { cause: error });
    }
    try {
      checkShapes(session, spec, entry, path);
      // A dry run: the output must really be one row of spec.classes per crop.
      const probe = new Tensor('float32', new Float32Array(3 * spec.height * spec.width), [
        1,
        3,
        spec.height,
        spec.width,
      ]);
      let length: number | undefined;
      try {
        length = (await session.run({ [entry.input.name]: probe }))[entry.output.name]?.data.length;
      } catch (error) {
        throw new ModelLoadError('MODEL_SHAPE', path, `a ${spec.kind} crop does not run: ${String(error)}`, {
          cause: error,
        });
      }
      if (length !== spec.classes) {
        throw new ModelLoadError('MODEL_SHAPE', path, `one crop gives ${length} scores, expected ${spec.classes}`);
      }
    } catch (error) {
      await session.release();
      throw error;
    }
    return { entry, session };
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Classifies 1..MAX_BATCH crops (RGB, HWC, uint8, spec.height x spec.width x 3 each). */
  async read(crops: readonly Uint8Array[]): Promise<Reading[]> {
    if (this.#closed) throw new Error(`${this.spec.kind} reader is closed`);
    if (crops.length < 1 || crops.length > MAX_BATCH) {
      throw new RangeError(`a batch holds 1 to ${MAX_BATCH} crops, got ${crops.length}`);
    }
    const { width, height, classes } = this.spec;
    const plane = width * height;
    const bytes = plane * 3;
    const input = new Float32Array(crops.length * bytes);
    const { scale, mean, std } = this.entry.normalisation;
    const mul = [0, 1, 2].map((c) => scale / (std[c] as number));
    const add = [0, 1, 2].map((c) => -(mean[c] as number) / (std[c] as number));
    crops.forEach((crop, n) => {
      if (!(crop instanceof Uint8Array) || crop.length !== bytes) {
        throw new RangeError(`crop ${n}: expected ${height}x${width}x3 = ${bytes} bytes, got ${crop?.length}`);
      }
      const base = n * bytes;
      for (let c = 0; c < 3; c++) {
        const m = mul[c] as number;
        const a = add[c] as number;
        const out = base + c * plane;
        for (let p = 0; p < plane; p++) input[out + p] = (crop[p * 3 + c] as number) * m + a;
      }
    });
    const feeds = { [this.entry.input.name]: new Tensor('float32', input, [crops.length, 3, height, width]) };
    const result = await this.#session.run(feeds);
    const scores = result[this.entry.output.name]?.data as Float32Array | undefined;
    if (!scores || scores.length !== crops.length * classes) {
      throw new Error(`${this.spec.kind} model returned ${scores?.length} scores for ${crops.length} crops`);
    }
    const readings: Reading[] = [];
    for (let n = 0; n < crops.length; n++) {
      readings.push(top(scores.subarray(n * classes, (n + 1) * classes), this.entry.classes));
    }
    return readings;
  }

  /** Releases the session; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#session.release();
  }
}

/** Softmax over one row of scores (logits or log-probabilities): the top class and its probability. */
export function top(scores: ArrayLike<number>, labels: readonly string[]): Reading {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if ((scores[i] as number) > (scores[best] as number)) best = i;
  const max = scores[best] as number;
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += Math.exp((scores[i] as number) - max);
  return { classIndex: best, label: labels[best] as string, confidence: 1 / sum };
}

async function readManifestEntry(
  manifestPath: string,
  spec: ClassifierSpec,
  path: string,
): Promise<ModelManifestEntry> {
  let manifest: ModelManifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as ModelManifest;
  } catch (error) {
    throw new ModelLoadError('MODEL_MANIFEST', path, `cannot read ${manifestPath} (${errorCode(error)})`, {
      cause: error,
    });
  }
  const entry = manifest?.models?.[spec.kind];
  const valid =
    entry !== undefined &&
    typeof entry.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(entry.sha256) &&
    Array.isArray(entry.classes) &&
    typeof entry.input?.name === 'string' &&
    typeof entry.output?.name === 'string' &&
    typeof entry.normalisation?.scale === 'number' &&
    [entry.normalisation.mean, entry.normalisation.std].every(
      (v) => Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number'),
    ) &&
    entry.normalisation.std.every((x) => x > 0);
  if (!valid) throw new ModelLoadError('MODEL_MANIFEST', path, `${manifestPath} has no valid '${spec.kind}' entry`);
  if (entry.file !== basename(path)) {
    throw new ModelLoadError(
      'MODEL_MANIFEST',
      path,
      `${manifestPath} describes '${entry.file}' as the ${spec.kind} model`,
    );
  }
  return entry;
}

function checkShapes(session: InferenceSession, spec: ClassifierSpec, entry: ModelManifestEntry, path: string): void {
  const expected = [3, spec.height, spec.width];
  const fail = (detail: string): never => {
    throw new ModelLoadError('MODEL_SHAPE', path, detail);
  };
  if (entry.classes.length !== spec.classes) {
    fail(`manifest lists ${entry.classes.length} classes, the ${spec.kind} reader needs ${spec.classes}`);
  }
  if (entry.input.shape.join('x') !== expected.join('x')) {
    fail(`manifest input ${entry.input.shape.join('x')}, the ${spec.kind} reader feeds ${expected.join('x')}`);
  }
  if (session.inputNames.length !== 1 || session.inputNames[0] !== entry.input.name) {
    fail(`inputs [${session.inputNames.join(', ')}], expected [${entry.input.name}]`);
  }
  if (!session.outputNames.includes(entry.output.name)) {
    fail(`outputs [${session.outputNames.join(', ')}] lack '${entry.output.name}'`);
  }
  const input = session.inputMetadata[0];
  if (input?.isTensor) {
    const dims = input.shape.slice(1);
    if (input.type !== 'float32' || input.shape.length !== 4 || dims.join('x') !== expected.join('x')) {
      fail(`input is ${input.type}[${input.shape.join(', ')}], expected float32[batch, ${expected.join(', ')}]`);
    }
  }
  const output = session.outputMetadata[session.outputNames.indexOf(entry.output.name)];
  if (output?.isTensor) {
    const classes = output.shape[output.shape.length - 1];
    if (output.shape.length !== 2 || (typeof classes === 'number' && classes !== spec.classes)) {
      fail(`output is [${output.shape.join(', ')}], expected [batch, ${spec.classes}]`);
    }
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? String(error);
}
