import { describe, expect, it } from 'vitest';
import { createRegistry, scrapedMetric } from '../src/metrics.js';

describe('scrapedMetric', () => {
  it('reads samples at each scrape, with the declared type and escaped label values', async () => {
    const registry = createRegistry();
    let sent = 1;
    scrapedMetric(registry, {
      name: 'kit_readings_total',
      help: 'Readings by outcome',
      type: 'counter',
      labelNames: ['table', 'outcome'],
      samples: () => [
        [{ table: 'a"b\\c\nd', outcome: 'sent' }, sent],
        [{ table: 'gone', outcome: 'sent' }, null],
      ],
    });
    scrapedMetric(registry, {
      name: 'kit_up',
      help: '1 while up',
      type: 'gauge',
      samples: () => [[{}, 1]],
    });
    expect(await registry.metrics()).toBe(
      [
        '# HELP kit_readings_total Readings by outcome',
        '# TYPE kit_readings_total counter',
        'kit_readings_total{table="a\\"b\\\\c\\nd",outcome="sent"} 1',
        '',
        '# HELP kit_up 1 while up',
        '# TYPE kit_up gauge',
        'kit_up 1',
        '',
      ].join('\n'),
    );
    sent = 5;
    expect(await registry.metrics()).toContain('kit_readings_total{table="a\\"b\\\\c\\nd",outcome="sent"} 5\n');
  });

  it('adds the process metrics only when asked', async () => {
    expect(await createRegistry().metrics()).toBe('\n');
    expect(await createRegistry({ processMetrics: true }).metrics()).toContain('process_cpu_user_seconds_total');
  });
});
