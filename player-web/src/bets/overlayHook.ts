import type { OverlayPhase } from './videoTime.js';

/** What the overlay drew on one animation frame: the frame on screen and the countdown shown for it. */
export interface OverlaySample {
  /** Studio time of the frame on screen that the overlay was drawn for. */
  frameStudioMs: number;
  phase: OverlayPhase['kind'];
  /** The countdown shown (open phase only). */
  msLeft: number | null;
  /** Studio time of the last frame on which a click stands (open phase only). */
  endsAtStudioMs: number | null;
}

/**
 * `window.__overlay`: what end-to-end tests read of the bet overlay, frame by frame (to compare
 * its countdown with the studio time burned into the picture). It only keeps what was drawn.
 */
export interface OverlayHook {
  samples(): OverlaySample[];
  clear(): void;
}

declare global {
  interface Window {
    __overlay?: OverlayHook;
  }
}

const CAPACITY = 600;

export class OverlayRecorder {
  #samples: OverlaySample[] = [];
  #lastFrame: number | null = null;

  /** One sample per new frame on screen. */
  record(sample: OverlaySample): void {
    if (sample.frameStudioMs === this.#lastFrame) return;
    this.#lastFrame = sample.frameStudioMs;
    this.#samples.push(sample);
    if (this.#samples.length > CAPACITY) this.#samples.splice(0, this.#samples.length - CAPACITY);
  }

  install(): () => void {
    const hook: OverlayHook = {
      samples: () => [...this.#samples],
      clear: () => {
        this.#samples = [];
      },
    };
    window.__overlay = hook;
    return () => {
      if (window.__overlay === hook) window.__overlay = undefined;
    };
  }
}
