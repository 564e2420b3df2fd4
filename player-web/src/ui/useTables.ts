import type { TableSummary } from '@live-casino/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import { tableService, tableServiceFailure } from '../api.js';
import type { ViewerError } from '../viewerErrors.js';

export type TablesState =
  | { status: 'loading' }
  | { status: 'ready'; tables: TableSummary[]; receivedAtMs: number }
  | { status: 'failed'; error: ViewerError };

/** The lobby list, refreshed every `refreshMs` (live badges change) and retried after a failure. */
export function useTables(refreshMs = 10_000): { state: TablesState; reload: () => void } {
  const [state, setState] = useState<TablesState>({ status: 'loading' });
  const loadNow = useRef<() => void>(() => undefined);
  const reload = useCallback(() => loadNow.current(), []);

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async (): Promise<void> => {
      try {
        const tables = await tableService.tables();
        if (cancelled) return;
        setState({ status: 'ready', tables, receivedAtMs: performance.now() });
        timer = setTimeout(load, refreshMs);
      } catch (err) {
        if (cancelled) return;
        setState((prev) =>
          prev.status === 'ready' ? prev : { status: 'failed', error: tableServiceFailure(err).toError() },
        );
        timer = setTimeout(load, Math.min(refreshMs, 5000));
      }
    };
    loadNow.current = () => {
      clearTimeout(timer);
      void load();
    };
    void load();
    return () => {
      cancelled = true;
      clearTimeout(timer);
      loadNow.current = () => undefined;
    };
  }, [refreshMs]);

  return { state, reload };
}
