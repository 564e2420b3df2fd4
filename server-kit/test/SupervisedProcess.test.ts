import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { type SupervisedExit, SupervisedProcess } from '../src/SupervisedProcess.js';
import { waitFor } from '@live-casino/testing';

const node = process.execPath;

describe('SupervisedProcess', () => {
  it('restarts a process that exits, with growing delays, and reports its stderr', async () => {
    const exits: SupervisedExit[] = [];
    const spawned: number[] = [];
    const sup = await SupervisedProcess.start({
      command: node,
      args: (run) => ['-e', `process.stderr.write('run ${run} failed\\n'); process.exit(3)`],
      restart: { initialMs: 20, maxMs: 80 },
      onSpawn: (_child, run) => spawned.push(run),
      onExit: (exit) => exits.push(exit),
    });
    await waitFor('4 exits', () => exits.length >= 4 || undefined, 15_000);
    await sup.close();
    expect(spawned.slice(0, 4)).toEqual([1, 2, 3, 4]);
    expect(exits.slice(0, 4).map((e) => e.restartInMs)).toEqual([20, 40, 80, 80]);
    expect(exits[0]).toMatchObject({ run: 1, code: 3, signal: null, stderr: 'run 1 failed' });
    expect(sup.restarts).toBeGreaterThanOrEqual(3);
  });

  it('keeps a live process running; kill() restarts it, close() stops it for good', async () => {
    const children: ChildProcess[] = [];
    const exits: SupervisedExit[] = [];
    const sup = await SupervisedProcess.start({
      command: node,
      args: () => ['-e', 'setInterval(() => {}, 1000)'],
      restart: { initialMs: 10, maxMs: 10 },
      onSpawn: (child) => children.push(child),
      onExit: (exit) => exits.push(exit),
    });
    const first = sup.pid;
    expect(first).toBeGreaterThan(0);
    sup.kill();
    await waitFor('the second run', () => (children.length === 2 && sup.pid !== undefined) || undefined, 15_000);
    expect(exits).toMatchObject([{ run: 1, signal: 'SIGKILL' }]);
    expect(sup.pid).not.toBe(first);
    await sup.close();
    await sup.close();
    expect(sup.closed).toBe(true);
    expect(sup.child).toBeUndefined();
    expect(children[1]!.signalCode).toBe('SIGKILL');
    await new Promise((r) => setTimeout(r, 50));
    expect(children).toHaveLength(2);
    expect(exits).toHaveLength(1);
  });

  it('rejects a first run that cannot start, or retries it when asked to', async () => {
    const missing = '/nonexistent/ffmpeg';
    await expect(
      SupervisedProcess.start({ command: missing, args: () => [], restart: { initialMs: 1, maxMs: 1 } }),
    ).rejects.toThrow(/ENOENT/);
    const exits: SupervisedExit[] = [];
    const sup = await SupervisedProcess.start({
      command: missing,
      args: () => [],
      restart: { initialMs: 5, maxMs: 10 },
      retryFirstRun: true,
      onExit: (exit) => exits.push(exit),
    });
    await waitFor('3 exits', () => exits.length >= 3 || undefined, 15_000);
    await sup.close();
    expect(exits[0]!.stderr).toMatch(/^could not start: .*ENOENT/);
    expect(exits.slice(0, 3).map((e) => e.restartInMs)).toEqual([5, 10, 10]);
  });

  it('starts the backoff afresh after a healthy run', async () => {
    const exits: SupervisedExit[] = [];
    const sup = await SupervisedProcess.start({
      command: node,
      args: (run) => ['-e', `setTimeout(() => process.exit(1), ${run === 3 ? 2000 : 0})`],
      restart: { initialMs: 10, maxMs: 1000 },
      healthyAfterMs: 1500,
      onExit: (exit) => exits.push(exit),
    });
    await waitFor('4 exits', () => exits.length >= 4 || undefined, 15_000);
    await sup.close();
    expect(exits.slice(0, 4).map((e) => e.restartInMs)).toEqual([10, 20, 10, 20]);
  });
});
