import type { FrameSample } from './StudioClockReader.js';
import type { TableClient } from './TableClient.js';
import type { ViewerState } from './TableClientTypes.js';

/**
 * `window.__viewer`: what end-to-end tests and the video benchmark read from a real browser.
 * Always installed; it only reads what the client keeps anyway.
 */
export interface ViewerHook {
  state(): ViewerState;
  samples(): FrameSample[];
  clear(): void;
}

declare global {
  interface Window {
    __viewer?: ViewerHook;
  }
}

let active: TableClient | null = null;

/** The table page registers its client; the lobby has none. */
export function setActiveClient(client: TableClient | null): void {
  active = client;
}

const IDLE: ViewerState = {
  tableId: '',
  mode: 'webrtc',
  status: 'idle',
  framesPresented: 0,
  lastStudioTimeMs: null,
  playoutDelayMs: null,
  bitrateBps: null,
  reconnects: 0,
  grantRefreshes: 0,
  lastError: null,
  problem: null,
  muted: true,
};

export function installViewerHook(): void {
  window.__viewer = {
    state: () => (active && !active.closed ? active.snapshot() : { ...IDLE }),
    samples: () => (active && !active.closed ? active.samples() : []),
    clear: () => active?.clearSamples(),
  };
}
