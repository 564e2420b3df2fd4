import type { GameKind, Region } from './Regions.js';

export type ModelKind = 'cards' | 'wheel';

/** The model a game's regions are read with. */
export function modelOf(game: GameKind): ModelKind {
  return game === 'roulette' ? 'wheel' : 'cards';
}

/** A model load failure as it crosses the thread boundary: the reader's own error, named. */
export interface ModelErrorInfo {
  readonly name: string;
  readonly code: string | null;
  readonly message: string;
}

export type ModelState =
  | { readonly state: 'loading'; readonly path: string }
  | { readonly state: 'ready'; readonly path: string; readonly loadedAtMs: number }
  | {
      readonly state: 'failed';
      readonly path: string;
      readonly error: ModelErrorInfo;
      readonly attempts: number;
      readonly nextAttemptAtMs: number;
    };

/** One region's read: the model's class and its softmax confidence. */
export interface RegionRead {
  readonly region: string;
  readonly classIndex: number;
  readonly label: string;
  readonly confidence: number;
}

export interface InferenceInit {
  readonly type: 'init';
  readonly models: Partial<Record<ModelKind, string>>;
  readonly retryMs: number;
}

export interface InferenceJob {
  readonly type: 'read';
  readonly jobId: number;
  readonly game: GameKind;
  /** The table's regions, from its calibration. */
  readonly regions: readonly Region[];
  readonly width: number;
  readonly height: number;
  /** RGB HWC; transferred to the thread. */
  readonly rgb: Uint8Array;
}

export type ToThread = InferenceInit | InferenceJob;

export type FromThread =
  | { readonly type: 'model'; readonly model: ModelKind; readonly status: ModelState }
  | {
      readonly type: 'result';
      readonly jobId: number;
      readonly reads: readonly RegionRead[];
      readonly cropMs: number;
      readonly inferMs: number;
    }
  | { readonly type: 'failed'; readonly jobId: number; readonly error: ModelErrorInfo };

export function errorInfo(err: unknown): ModelErrorInfo {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, code: typeof code === 'string' ? code : null, message: err.message };
  }
  return { name: 'Error', code: null, message: String(err) };
}
