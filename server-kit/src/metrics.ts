import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/**
 * A service's own registry (never prom-client's global one: tests run several services in one
 * process), with Node's process metrics when asked for.
 */
export function createRegistry(opts: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * A metric whose samples are read from live state at scrape time (counters included: the state
 * keeps the running totals). Label values are escaped by prom-client.
 */
export function scrapedMetric<L extends string>(
  registry: Registry,
  opts: {
    name: string;
    help: string;
    type: 'counter' | 'gauge';
    labelNames?: readonly L[];
    samples: () => Iterable<[Partial<Record<L, string>>, number | null]>;
  },
): void {
  const common = { name: opts.name, help: opts.help, labelNames: opts.labelNames ?? [], registers: [registry] };
  if (opts.type === 'counter') {
    new Counter<L>({
      ...common,
      collect() {
        this.reset();
        for (const [labels, value] of opts.samples()) if (value !== null) this.inc(labels, value);
      },
    });
  } else {
    new Gauge<L>({
      ...common,
      collect() {
        this.reset();
        for (const [labels, value] of opts.samples()) if (value !== null) this.set(labels, value);
      },
    });
  }
}
