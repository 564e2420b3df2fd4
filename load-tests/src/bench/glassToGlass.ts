import type { Browser, Page } from 'playwright-core';
import { round, type Summary, summarize } from '@live-casino/server-kit';

/** What player-web's `window.__viewer` gives (player-web/src/viewerHook.ts), as far as we read it. */
interface ViewerSample {
  studioTimeMs: number | null;
  burnedInMs: number | null;
  presentedAt: number;
  mediaTime: number;
}

interface ViewerState {
  status: string;
  framesPresented: number;
  playoutDelayMs: number | null;
  reconnects: number;
  lastError?: { code: string; message: string } | null;
}

interface ViewerHook {
  state(): ViewerState;
  samples(): ViewerSample[];
  clear(): void;
}

export interface GlassToGlassOptions {
  browser: Browser;
  tableServiceUrl: string;
  tableId: string;
  /** Watching needs a signed-in player: the page signs in through its form first. */
  player: { username: string; password: string };
  mode: 'webrtc' | 'hls';
  /** How long to collect once playing and warmed up. */
  collectMs: number;
  /** Let the player settle (jitter buffer, HLS live edge) before measuring. */
  warmupMs: number;
  playingTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface GlassToGlassResult {
  mode: 'webrtc' | 'hls';
  /** presentedAt − burnedInMs: the studio clock on the frame's pixels to the moment it is shown. */
  glassToGlassMs: Summary;
  /** Frames whose burned-in timecode was read (the player reads at most ~15 a second). */
  samples: number;
  framesPresented: number;
  framesPerSecond: number;
  /** presentedAt − studioTimeMs: the delay the client itself believes (from RTP/RTCP or PDT). */
  clientPlayoutDelayMs: Summary;
  reconnects: number;
  timeToPlayingMs: number;
}

/**
 * Opens the player page in Chromium with `measure=1`, waits for it to play, and collects frames
 * whose burned-in studio timecode the page read back from the pixels. The studio and the browser
 * run on the same machine and clock, so presentedAt − burnedInMs is glass-to-glass latency with
 * no clock-sync error (only the page's own presentation-time estimate).
 */
export async function measureGlassToGlass(opts: GlassToGlassOptions): Promise<GlassToGlassResult> {
  const log = opts.log ?? (() => undefined);
  const context = await opts.browser.newContext({ viewport: { width: 1280, height: 720 } });
  try {
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    const url = `${opts.tableServiceUrl}/?table=${encodeURIComponent(opts.tableId)}&mode=${opts.mode}&measure=1`;
    await page.goto(opts.tableServiceUrl, { waitUntil: 'load', timeout: 30_000 });
    const form = page.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Username').fill(opts.player.username);
    await form.getByLabel('Password').fill(opts.player.password);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 10_000 });
    const opened = Date.now();
    await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
    await waitPlaying(page, opts.playingTimeoutMs ?? 45_000, pageErrors);
    const timeToPlayingMs = Date.now() - opened;
    log(`${opts.mode}: playing after ${timeToPlayingMs} ms; warming up ${opts.warmupMs} ms`);
    await page.waitForTimeout(opts.warmupMs);

    const first = await drain(page);
    const framesBefore = first.state.framesPresented;
    const reconnectsBefore = first.state.reconnects;
    const started = Date.now();
    const samples: ViewerSample[] = [];
    // Drain every few seconds: the page keeps a bounded ring of samples.
    while (Date.now() - started < opts.collectMs) {
      await page.waitForTimeout(Math.min(3000, Math.max(0, opts.collectMs - (Date.now() - started))));
      const { samples: batch, state } = await drain(page);
      samples.push(...batch);
      if (state.status === 'error') throw new Error(`${opts.mode} player error: ${describe(state)}`);
    }
    const elapsedS = (Date.now() - started) / 1000;
    const last = await drain(page);
    samples.push(...last.samples);

    const measured = samples.filter((s) => s.burnedInMs !== null);
    const g2g = measured.map((s) => s.presentedAt - (s.burnedInMs as number));
    const clientDelay = samples
      .filter((s) => s.studioTimeMs !== null)
      .map((s) => s.presentedAt - (s.studioTimeMs as number));
    const framesPresented = last.state.framesPresented - framesBefore;
    log(`${opts.mode}: ${measured.length} timecoded frames of ${samples.length} sampled in ${elapsedS.toFixed(1)} s`);
    if (measured.length === 0) {
      throw new Error(
        `${opts.mode}: no frame had a readable burned-in timecode (${samples.length} samples, ${framesPresented} frames presented)`,
      );
    }
    return {
      mode: opts.mode,
      glassToGlassMs: summarize(g2g),
      samples: measured.length,
      framesPresented,
      framesPerSecond: framesPresented / elapsedS,
      clientPlayoutDelayMs: summarize(clientDelay),
      reconnects: last.state.reconnects - reconnectsBefore,
      timeToPlayingMs,
    };
  } finally {
    await context.close().catch(() => undefined);
  }
}

async function waitPlaying(page: Page, timeoutMs: number, pageErrors: string[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let state: ViewerState | null = null;
  while (Date.now() < deadline) {
    state = await page.evaluate(() => (globalThis as unknown as { __viewer?: ViewerHook }).__viewer?.state() ?? null);
    if (state?.status === 'playing') return;
    await page.waitForTimeout(250);
  }
  const why = state ? describe(state) : 'window.__viewer is missing (is player-web built with its viewer hook?)';
  const errors = pageErrors.length > 0 ? `; page errors: ${pageErrors.slice(0, 3).join(' | ')}` : '';
  throw new Error(`player not playing after ${timeoutMs} ms: ${why}${errors}`);
}

/** Samples and state in one turn of the page's event loop, so no frame falls between read and clear. */
async function drain(page: Page): Promise<{ samples: ViewerSample[]; state: ViewerState }> {
  return page.evaluate(() => {
    const hook = (globalThis as unknown as { __viewer: ViewerHook }).__viewer;
    const samples = hook.samples();
    hook.clear();
    return { samples, state: hook.state() };
  });
}

function describe(state: ViewerState): string {
  const error = state.lastError ? ` (${state.lastError.code}: ${state.lastError.message})` : '';
  return `status ${state.status}, ${state.framesPresented} frames${error}`;
}

/** The JSON shape of a result. */
export function glassToGlassJson(r: GlassToGlassResult): Record<string, unknown> {
  return {
    glass_to_glass_ms: summaryJson(r.glassToGlassMs),
    samples: r.samples,
    frames_presented: r.framesPresented,
    fps: round(r.framesPerSecond),
    client_playout_delay_ms: summaryJson(r.clientPlayoutDelayMs),
    reconnects: r.reconnects,
    time_to_playing_ms: r.timeToPlayingMs,
  };
}

export function summaryJson(s: Summary): Record<string, number | null> {
  return { p50: round(s.p50), p95: round(s.p95), min: round(s.min), max: round(s.max), mean: round(s.mean) };
}
