import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { onShutdownSignal } from '../src/shutdown.js';

function capture(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('writes JSON lines with the service and redacts credentials', () => {
    const { lines, stream } = capture();
    const log = createLogger({ service: 'sfu', level: 'info', destination: stream });
    log.info({ peer: { token: 'jwt' }, user: { password: 'pw' }, serviceSecret: 's' }, 'hello');
    log.debug('not at info');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      service: 'sfu',
      msg: 'hello',
      level: 30,
      peer: { token: '[Redacted]' },
      user: { password: '[Redacted]' },
      serviceSecret: '[Redacted]',
    });
  });
});

describe('onShutdownSignal', () => {
  it('closes once on the first signal, then exits 0, even if close fails', async () => {
    const { lines, stream } = capture();
    const log = createLogger({ service: 'kit-test', destination: stream });
    const exits: number[] = [];
    let closes = 0;
    const { shutdown } = onShutdownSignal({
      service: 'kit-test',
      log,
      close: async () => {
        closes++;
        throw new Error('pool would not close');
      },
      signals: [],
      exit: (code) => exits.push(code),
    });
    await Promise.all([shutdown('SIGTERM'), shutdown('SIGINT')]);
    expect(closes).toBe(1);
    expect(exits).toEqual([0]);
    expect(lines.map((l) => l.msg)).toEqual(['kit-test shutting down', 'kit-test did not close cleanly']);
  });
});
