import type { BetHistoryEntry } from '@live-casino/protocol';
import { useEffect, useState } from 'react';
import { tableService, tableServiceFailure } from '../api.js';
import { BetHistoryPager, type BetHistoryState } from '../bets/BetHistoryPager.js';
import { type BetSettlement, betSettlement, describeBet } from '../bets/describeBet.js';
import { useStore } from '../store.js';
import { assertUnreachable, type ViewerError } from '../viewerErrors.js';
import { formatMoney } from './money.js';
import './history.css';

/**
 * The player's bets, newest first, a page at a time with "Load more". Reloads the newest page when
 * `refreshKey` changes (a round settled), keeping the rows shown until it arrives. Each bet is shown
 * in its own currency; `currency` stands in for a bet that came without one.
 */
export function BetHistory({ currency, refreshKey }: { currency: string; refreshKey?: unknown }) {
  const [pager] = useState(
    () => new BetHistoryPager({ source: tableService, describeError: (err) => tableServiceFailure(err).toError() }),
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshKey is what asks for a reload
  useEffect(() => {
    void pager.reload();
  }, [pager, refreshKey]);

  const state = useStore(pager.store, (s) => s);
  const tableNames = useTableNames();

  return (
    <section className="bet-history" aria-label="Your bets" data-bet-history={state.loading ?? 'idle'}>
      <h2 className="history-title">Your bets</h2>
      {state.error && <HistoryProblem error={state.error.error} onRetry={() => retry(pager, state)} />}
      {!state.loaded && !state.error && (
        <p className="history-note muted" data-history-state="loading">
          Loading your bets…
        </p>
      )}
      {state.loaded && state.bets.length === 0 && (
        <p className="history-note muted" data-history-state="empty">
          No bets yet.
        </p>
      )}
      {state.bets.length > 0 && (
        <table className="history-table">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Table</th>
              <th scope="col">Bet</th>
              <th scope="col">Stake</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {state.bets.map((entry) => (
              <BetRow
                key={entry.betId}
                entry={entry}
                table={tableNames.get(entry.tableId) ?? entry.tableId}
                currency={entry.currency || currency}
              />
            ))}
          </tbody>
        </table>
      )}
      {state.before !== null && state.bets.length > 0 && (
        <button
          type="button"
          className="btn btn-ghost history-more"
          data-load-more=""
          disabled={state.loading !== null}
          onClick={() => void pager.loadMore()}
        >
          {state.loading === 'more' ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}

function retry(pager: BetHistoryPager, state: BetHistoryState): void {
  if (state.error?.page === 'more') void pager.loadMore();
  else void pager.reload();
}

function BetRow({ entry, table, currency }: { entry: BetHistoryEntry; table: string; currency: string }) {
  const settlement = betSettlement(entry);
  const bet = describeBet(entry.bet);
  return (
    <tr data-bet-id={entry.betId} data-status={entry.status} data-round-id={entry.roundId}>
      <td className="history-time muted">
        <time dateTime={new Date(entry.placedAtMs).toISOString()}>{formatPlacedAt(entry.placedAtMs)}</time>
      </td>
      <td className="history-table-name">{table}</td>
      <td className="history-bet" data-bet={bet}>
        {bet}
      </td>
      <td className="history-stake num">{formatMoney(entry.stake, currency)}</td>
      <td className="history-result">
        <SettlementLine settlement={settlement} stake={entry.stake} currency={currency} />
      </td>
    </tr>
  );
}

const STATUS_LABEL: Record<BetSettlement['kind'], string> = {
  pending: 'Pending',
  won: 'Won',
  lost: 'Lost',
  push: 'Push',
  refunded: 'Refunded',
  cancelled: 'Cancelled',
};

function SettlementLine({
  settlement,
  stake,
  currency,
}: {
  settlement: BetSettlement;
  stake: number;
  currency: string;
}) {
  return (
    <span className={`settlement settlement-${settlement.kind}`} data-result={settlement.kind}>
      <span className="status-pill">{STATUS_LABEL[settlement.kind]}</span>
      <span className="settlement-amount num">{settlementAmount(settlement, stake, currency)}</span>
    </span>
  );
}

/** What the bet did to the balance: the win beyond the stake or the stake lost; a push or refund's pill says it all. */
function settlementAmount(settlement: BetSettlement, stake: number, currency: string): string {
  switch (settlement.kind) {
    case 'won':
      return settlement.net === null ? '' : `+${formatMoney(settlement.net, currency)}`;
    case 'lost':
      return `−${formatMoney(stake, currency)}`;
    case 'push':
    case 'refunded':
    case 'pending':
    case 'cancelled':
      return '';
    default:
      return assertUnreachable(settlement);
  }
}

/** Today's bets by time alone; older ones with their date. */
function formatPlacedAt(ms: number): string {
  const placed = new Date(ms);
  const today = new Date().toDateString() === placed.toDateString();
  const options: Intl.DateTimeFormatOptions = today
    ? { hour: '2-digit', minute: '2-digit', second: '2-digit' }
    : { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' };
  return new Intl.DateTimeFormat(undefined, options).format(placed);
}

function HistoryProblem({ error, onRetry }: { error: ViewerError; onRetry: () => void }) {
  return (
    <div className="panel-problem" role="alert" data-history-state="error" data-error-code={error.code}>
      <span>{problemText(error)}</span>
      {!signInNeeded(error) && (
        <button type="button" className="btn btn-ghost" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

function signInNeeded(error: ViewerError): boolean {
  return error.code.startsWith('AUTH_');
}

function problemText(error: ViewerError): string {
  if (signInNeeded(error)) return 'Sign in to see your bets.';
  if (error.code === 'NETWORK_UNREACHABLE') return "We can't reach the casino right now.";
  return `We couldn't load your bets (${error.code}).`;
}

/** Table names from the lobby list, asked for once; a bet's table id stands in until then. */
function useTableNames(): ReadonlyMap<string, string> {
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    let cancelled = false;
    tableService.tables().then(
      (tables) => {
        if (!cancelled) setNames(new Map(tables.map((t) => [t.tableId, t.name])));
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, []);
  return names;
}
