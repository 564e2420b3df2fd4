import { percentile } from '@live-casino/server-kit';
import { DatachannelViewer, type DatachannelViewerOptions, type DatachannelViewerStats } from './DatachannelViewer.js';

export interface ViewerSwarmOptions {
  count: number;
  /** Viewers being set up at once; the sfu's signalling and ICE both prefer a trickle to a flood. */
  concurrency?: number;
  tableId: string;
  /** Where and with what token viewer `index` connects (a fresh grant each, as real players get). */
  grant: (index: number) => Promise<{ sfuUrl: string; token: string }>;
  viewer?: Omit<DatachannelViewerOptions, 'sfuUrl' | 'tableId' | 'token' | 'name'>;
  /** Called as viewers come up or fail, for progress lines. */
  onProgress?: (progress: { started: number; failed: number; total: number }) => void;
}

export interface SwarmStats {
  viewers: number;
  failed: number;
  receiving: number;
  rtpPackets: number;
  rtpBytes: number;
  packetsLost: number;
  /** Median setup-to-first-RTP time over the receiving viewers. */
  timeToFirstRtpMsP50: number | null;
  errors: string[];
}

/**
 * N DatachannelViewers on one table, started with bounded concurrency and stopped together. The
 * constructor is public (unlike the viewers'): a caller needs the handle before `start()` ends so
 * that an error or Ctrl-C halfway through still stops the viewers already up.
 */
export class ViewerSwarm {
  readonly #opts: ViewerSwarmOptions;
  readonly #viewers: DatachannelViewer[] = [];
  readonly #errors: string[] = [];
  #failed = 0;
  #stopped = false;

  constructor(opts: ViewerSwarmOptions) {
    this.#opts = opts;
  }

  /** Starts every viewer; failures are counted (see stats()), not thrown. */
  async start(): Promise<void> {
    const opts = this.#opts;
    const concurrency = Math.max(1, opts.concurrency ?? 8);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (!this.#stopped) {
        const index = next++;
        if (index >= opts.count) return;
        try {
          const { sfuUrl, token } = await opts.grant(index);
          const viewer = await DatachannelViewer.create({
            ...opts.viewer,
            sfuUrl,
            token,
            tableId: opts.tableId,
            name: `viewer-${index}`,
          });
          if (this.#stopped) viewer.close();
          else this.#viewers.push(viewer);
        } catch (err) {
          this.#failed++;
          if (this.#errors.length < 10) this.#errors.push(err instanceof Error ? err.message : String(err));
        }
        opts.onProgress?.({ started: this.#viewers.length, failed: this.#failed, total: opts.count });
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, opts.count) }, lane));
  }

  get viewers(): readonly DatachannelViewer[] {
    return this.#viewers;
  }

  /** Resolves when every started viewer has had RTP, or rejects with how many had not. */
  async waitAllReceiving(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.#viewers.every((v) => v.receiving)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    const silent = this.#viewers.filter((v) => !v.receiving).length;
    throw new Error(`${silent} of ${this.#viewers.length} viewers had no RTP after ${timeoutMs} ms`);
  }

  viewerStats(): DatachannelViewerStats[] {
    return this.#viewers.map((v) => v.stats());
  }

  stats(): SwarmStats {
    const all = this.viewerStats();
    const ttf = all.map((s) => s.timeToFirstRtpMs).filter((t): t is number => t !== null);
    return {
      viewers: all.length,
      failed: this.#failed,
      receiving: all.filter((s) => s.rtpPackets > 0 && s.state === 'connected').length,
      rtpPackets: all.reduce((n, s) => n + s.rtpPackets, 0),
      rtpBytes: all.reduce((n, s) => n + s.rtpBytes, 0),
      packetsLost: all.reduce((n, s) => n + s.packetsLost, 0),
      timeToFirstRtpMsP50: ttf.length > 0 ? percentile(ttf, 50) : null,
      errors: [...this.#errors],
    };
  }

  /** Closes every viewer; idempotent. Viewers still starting are closed as they finish. */
  stop(): void {
    this.#stopped = true;
    for (const v of this.#viewers) v.close();
    this.#viewers.length = 0;
  }
}
