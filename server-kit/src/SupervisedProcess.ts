import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { type BackoffPolicy, backoffDelay } from './backoff.js';

export interface SupervisedExit {
  run: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The next run starts after this long. */
  restartInMs: number;
  /** The end of what the run wrote on stderr (or why it could not start). */
  stderr: string;
}

export interface SupervisedProcessOptions {
  command: string;
  /** The command line of run 1, 2, ...: prepared anew for each, as a run may need its own files or ports. */
  args: (run: number) => string[] | Promise<string[]>;
  /** ['pipe', 'pipe', 'pipe'] unless set; stderr must stay a pipe to be captured. */
  stdio?: StdioOptions;
  /** Delays between runs. */
  restart: BackoffPolicy;
  /** A run that lived this long was healthy: the next failure starts the backoff afresh. Never, unless set. */
  healthyAfterMs?: number;
  /** How much of stderr to keep for the exit report; 4096 characters unless set. */
  stderrTailChars?: number;
  /**
   * A first run that cannot start is retried like any other (a service that must keep running
   * without it); otherwise start() rejects.
   */
  retryFirstRun?: boolean;
  /** A run has started: attach to its streams here (before any of its output is read). */
  onSpawn?: (child: ChildProcess, run: number) => void;
  /** A run ended without close(); the next is scheduled. */
  onExit?: (exit: SupervisedExit) => void;
}

/**
 * One long-lived child process (ffmpeg), restarted with exponential backoff whenever it exits or
 * cannot start, with the tail of its stderr kept for the report. `close()` stops it for good.
 */
export class SupervisedProcess {
  readonly #opts: SupervisedProcessOptions;
  #child: ChildProcess | undefined;
  #run = 0;
  #restarts = 0;
  #attempt = 0;
  #startedAt = 0;
  #stderr = '';
  #restartTimer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(opts: SupervisedProcessOptions) {
    this.#opts = opts;
  }

  /** Starts run 1; rejects (and supervises nothing) if it cannot be spawned, unless retryFirstRun. */
  static async start(opts: SupervisedProcessOptions): Promise<SupervisedProcess> {
    const supervisor = new SupervisedProcess(opts);
    try {
      await supervisor.#spawn();
    } catch (err) {
      if (!opts.retryFirstRun) throw err;
      supervisor.#couldNotStart(err);
    }
    return supervisor;
  }

  /** The current run's process; undefined between runs and after close(). */
  get child(): ChildProcess | undefined {
    return this.#child;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Runs started after the first (including ones that failed to spawn). */
  get restarts(): number {
    return this.#restarts;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Kills the current run; it is restarted like any other exit. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.#child?.kill(signal);
  }

  /** Stops for good: no more restarts, the running process killed, resolved once it has exited. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#restartTimer);
    const child = this.#child;
    this.#child = undefined;
    if (!child) return;
    const exited =
      child.exitCode === null && child.signalCode === null
        ? new Promise((resolve) => child.once('exit', resolve))
        : Promise.resolve();
    child.stdin?.destroy();
    child.stdout?.destroy();
    child.stderr?.destroy();
    child.kill('SIGKILL');
    await exited;
  }

  async #spawn(): Promise<void> {
    const run = ++this.#run;
    this.#startedAt = Date.now();
    const args = await this.#opts.args(run);
    if (this.#closed) return;
    const child = spawn(this.#opts.command, args, { stdio: this.#opts.stdio ?? ['pipe', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    this.#child = child;
    this.#stderr = '';
    const keep = this.#opts.stderrTailChars ?? 4096;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      if (child === this.#child) this.#stderr = (this.#stderr + text).slice(-keep);
    });
    // A dead process makes writes fail with EPIPE; its exit is what counts.
    child.stdin?.on('error', () => undefined);
    child.on('error', () => undefined);
    // 'close', not 'exit': by then stderr has been read to its end.
    child.once('close', (code, signal) => this.#onExit(child, run, code, signal, this.#stderr.trim()));
    if (this.#closed) {
      child.kill('SIGKILL');
      return;
    }
    this.#opts.onSpawn?.(child, run);
  }

  #onExit(
    child: ChildProcess | undefined,
    run: number,
    code: number | null,
    signal: NodeJS.Signals | null,
    stderr: string,
  ) {
    if (this.#closed || child !== this.#child) return;
    this.#child = undefined;
    const healthyAfter = this.#opts.healthyAfterMs;
    if (healthyAfter !== undefined && Date.now() - this.#startedAt > healthyAfter) this.#attempt = 0;
    const restartInMs = backoffDelay(this.#attempt++, this.#opts.restart);
    this.#opts.onExit?.({ run, code, signal, restartInMs, stderr });
    this.#restartTimer = setTimeout(() => {
      if (this.#closed) return;
      this.#restarts++;
      this.#spawn().catch((err: unknown) => this.#couldNotStart(err));
    }, restartInMs);
  }

  /** Like a crash, so that the backoff keeps growing. */
  #couldNotStart(err: unknown): void {
    const reason = err instanceof Error ? err.message : String(err);
    this.#onExit(undefined, this.#run, null, null, `could not start: ${reason}`);
  }
}
