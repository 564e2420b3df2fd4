import { describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../src/index.js';

describe('waitFor', () => {
  it("resolves with the probe's first value, sync or async", async () => {
    let polls = 0;
    await expect(waitFor('the third poll', () => (++polls === 3 ? polls : undefined), 5000, 1)).resolves.toBe(3);
    await expect(waitFor('an async value', async () => 'ready')).resolves.toBe('ready');
  });

  it('fails naming what it waited for once the time is up', async () => {
    await expect(waitFor('Godot', () => undefined, 50, 5)).rejects.toThrow('timed out after 50 ms waiting for Godot');
  });

  it("fails on the probe's own error at once", async () => {
    await expect(
      waitFor('a probe that throws', () => {
        throw new Error('probe broke');
      }),
    ).rejects.toThrow('probe broke');
  });
});

it('freePort gives a port nothing listens on', async () => {
  const port = await freePort();
  expect(port).toBeGreaterThan(0);
  await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
});
