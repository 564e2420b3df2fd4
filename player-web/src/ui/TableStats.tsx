import type { GameKind, TableResults } from '@live-casino/protocol';
import { pocketColour } from '@live-casino/protocol/games/roulette';
import { type CSSProperties, type ReactNode, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { tableService, tableServiceFailure } from '../api.js';
import {
  type BeadCell,
  type BigRoad,
  type BigRoadCell,
  bigRoad,
  beadRoad,
  type CoupOutcome,
  coupOutcome,
  ROAD_ROWS,
  roadCounts,
} from '../stats/baccaratRoads.js';
import { type RouletteStats, rouletteStats, type Share, type SpunNumber } from '../stats/rouletteStats.js';
import type { ViewerError } from '../viewerErrors.js';
import './stats.css';

/** Settled rounds asked for: the service's default, about one baccarat shoe's worth of coups. */
const RESULTS_WINDOW = 100;
/** Roads are at least this many columns wide, so that a new table shows an empty board, not a sliver. */
const MIN_ROAD_COLUMNS = 12;

type SettledRound = TableResults['results'][number];

interface ResultsState {
  /** The table the results (or the failure) are of: another table's never show. */
  readonly tableId: string;
  readonly results: readonly SettledRound[] | null;
  readonly error: ViewerError | null;
}

/**
 * The table's statistics from its settled rounds: roulette's last numbers, hot and cold numbers and
 * the outside bets' shares; baccarat's bead road and big road. Reloads whenever `refreshKey`
 * changes (the round just settled), keeping what it shows until the new results arrive.
 */
export function TableStats({ tableId, game, refreshKey }: { tableId: string; game: GameKind; refreshKey?: unknown }) {
  const [attempt, setAttempt] = useState(0);
  const state = useTableResults(tableId, refreshKey, attempt);
  const results = state.tableId === tableId ? state.results : null;
  const error = state.tableId === tableId ? state.error : null;

  return (
    <section className="table-stats" data-table-stats={game} aria-label="Table statistics">
      <header className="stats-head">
        <h2 className="stats-title">{game === 'roulette' ? 'Statistics' : 'Roads'}</h2>
        {results && results.length > 0 && (
          <span className="muted small" data-window={results.length}>
            {windowLabel(game, results.length)}
          </span>
        )}
      </header>
      {error && <StatsProblem error={error} stale={results !== null} onRetry={() => setAttempt((n) => n + 1)} />}
      {results === null && !error && (
        <p className="stats-note muted" data-stats-state="loading">
          Loading results…
        </p>
      )}
      {results?.length === 0 && (
        <p className="stats-note muted" data-stats-state="empty">
          No results yet.
        </p>
      )}
      {results && results.length > 0 && game === 'roulette' && <RouletteStatsView results={results} />}
      {results && results.length > 0 && game === 'baccarat' && <BaccaratRoadsView results={results} />}
    </section>
  );
}

function windowLabel(game: GameKind, rounds: number): string {
  const noun = game === 'roulette' ? 'spin' : 'coup';
  return `last ${rounds} ${noun}${rounds === 1 ? '' : 's'}`;
}

function useTableResults(tableId: string, refreshKey: unknown, attempt: number): ResultsState {
  const [state, setState] = useState<ResultsState>({ tableId, results: null, error: null });
  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshKey and attempt are what ask for a reload
  useEffect(() => {
    let cancelled = false;
    tableService.tableResults(tableId, RESULTS_WINDOW).then(
      (answer) => {
        if (!cancelled) setState({ tableId, results: answer.results, error: null });
      },
      (err: unknown) => {
        if (cancelled) return;
        const error = tableServiceFailure(err).toError();
        setState((prior) => ({ tableId, results: prior.tableId === tableId ? prior.results : null, error }));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [tableId, refreshKey, attempt]);
  return state;
}

function StatsProblem({ error, stale, onRetry }: { error: ViewerError; stale: boolean; onRetry: () => void }) {
  const reason =
    error.code === 'NETWORK_UNREACHABLE'
      ? "We can't reach the casino."
      : `We couldn't load the results (${error.code}).`;
  return (
    <div className="panel-problem stats-problem" role="alert" data-stats-state="error" data-error-code={error.code}>
      <span>{stale ? `${reason} These may be out of date.` : reason}</span>
      <button type="button" className="btn btn-ghost stats-retry" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}

// ---- roulette -------------------------------------------------------------------------------------

function RouletteStatsView({ results }: { results: readonly SettledRound[] }) {
  const stats = useMemo(() => rouletteStats(pocketsOf(results)), [results]);
  return (
    <div className="roulette-stats">
      <LastNumbers numbers={stats.lastNumbers} />
      <div className="stats-hot-cold">
        <HitList kind="hot" title="Hot" numbers={stats.hot} />
        <HitList kind="cold" title="Cold" numbers={stats.cold} />
      </div>
      <ShareBars stats={stats} />
    </div>
  );
}

/** Newest first; a round of another game (never expected at a roulette table) is left out. */
function pocketsOf(results: readonly SettledRound[]): number[] {
  return results.flatMap((r) => ('pocket' in r.result ? [r.result.pocket] : []));
}

function LastNumbers({ numbers }: { numbers: readonly SpunNumber[] }) {
  return (
    <ol
      className="last-numbers"
      aria-label="Last numbers, newest first"
      data-last-numbers={numbers.map((n) => n.pocket).join(',')}
    >
      {numbers.map((n, i) => (
        <li
          // Position is the identity here: the same number can come up twice in a row.
          // biome-ignore lint/suspicious/noArrayIndexKey: a strip of past results, never reordered
          key={i}
          className={`stats-pocket pocket-${n.colour}${i === 0 ? ' latest' : ''}`}
          data-pocket={n.pocket}
          data-colour={n.colour}
        >
          {n.pocket}
        </li>
      ))}
    </ol>
  );
}

function HitList({ kind, title, numbers }: { kind: 'hot' | 'cold'; title: string; numbers: RouletteStats['hot'] }) {
  return (
    <div className={`hit-list hit-${kind}`} data-hit-list={kind}>
      <h3>{title}</h3>
      <ol>
        {numbers.map((n) => (
          <li key={n.pocket} data-pocket={n.pocket} data-hits={n.hits} title={`${n.hits}×`}>
            <span className={`stats-pocket pocket-${pocketColour(n.pocket)}`}>{n.pocket}</span>
            <span className="hit-count muted">{n.hits}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}

interface SharePart {
  readonly key: string;
  readonly label: string;
  readonly share: Share;
}

function ShareBars({ stats }: { stats: RouletteStats }) {
  const zero: SharePart = { key: 'zero', label: '0', share: stats.zero };
  const [first, second, third] = stats.dozens;
  const groups: { name: string; parts: SharePart[] }[] = [
    {
      name: 'colour',
      parts: [
        { key: 'red', label: 'Red', share: stats.red },
        zero,
        { key: 'black', label: 'Black', share: stats.black },
      ],
    },
    {
      name: 'parity',
      parts: [{ key: 'odd', label: 'Odd', share: stats.odd }, zero, { key: 'even', label: 'Even', share: stats.even }],
    },
    {
      name: 'half',
      parts: [
        { key: 'low', label: '1–18', share: stats.low },
        zero,
        { key: 'high', label: '19–36', share: stats.high },
      ],
    },
    {
      name: 'dozen',
      parts: [
        { key: 'dozen1', label: '1st 12', share: first },
        { key: 'dozen2', label: '2nd 12', share: second },
        { key: 'dozen3', label: '3rd 12', share: third },
        zero,
      ],
    },
  ];
  return (
    <div className="share-bars">
      {groups.map((g) => (
        <ShareBar key={g.name} name={g.name} parts={g.parts} />
      ))}
    </div>
  );
}

/** One group of outside bets as a bar split by how often each came up. */
function ShareBar({ name, parts }: { name: string; parts: readonly SharePart[] }) {
  return (
    <div className="share-bar" data-share={name}>
      <div className="share-track" aria-hidden="true">
        {parts.map((p) => (
          <span key={p.key} className={`share-fill share-${p.key}`} style={{ flexGrow: p.share.count }} />
        ))}
      </div>
      <ul className="share-legend small">
        {parts.map((p) => (
          <li key={p.key} data-stat={p.key} data-percent={p.share.percent} data-count={p.share.count}>
            <span className="muted">{p.label}</span> <b className="num">{p.share.percent}%</b>
          </li>
        ))}
      </ul>
    </div>
  );
}

// ---- baccarat -------------------------------------------------------------------------------------

function BaccaratRoadsView({ results }: { results: readonly SettledRound[] }) {
  const coups = useMemo(() => coupsInPlayOrder(results), [results]);
  const counts = roadCounts(coups);
  return (
    <div className="baccarat-roads">
      <ul className="road-counts" aria-label="Wins by side">
        <RoadCount winner="player" label="Player" count={counts.player} />
        <RoadCount winner="banker" label="Banker" count={counts.banker} />
        <RoadCount winner="tie" label="Tie" count={counts.tie} />
        <li className="road-count-pairs muted small" data-count="pairs">
          Pairs P {counts.playerPair} · B {counts.bankerPair}
        </li>
      </ul>
      <BeadRoadGrid coups={coups} />
      <BigRoadGrid coups={coups} />
    </div>
  );
}

/** The service lists results newest first; roads are drawn from the first coup on. */
function coupsInPlayOrder(results: readonly SettledRound[]): CoupOutcome[] {
  return results.flatMap((r) => ('cards' in r.result ? [coupOutcome(r.result.cards)] : [])).reverse();
}

function RoadCount({ winner, label, count }: { winner: CoupOutcome['winner']; label: string; count: number }) {
  return (
    <li className={`road-count road-count-${winner}`} data-count={winner} data-value={count}>
      <span className={`road-dot road-${winner}`} aria-hidden="true">
        {label[0]}
      </span>
      <span className="muted">{label}</span> <b className="num">{count}</b>
    </li>
  );
}

function BeadRoadGrid({ coups }: { coups: readonly CoupOutcome[] }) {
  const road = useMemo(() => beadRoad(coups), [coups]);
  return (
    <RoadFrame kind="bead" title="Bead road" columns={road.columns} coups={coups.length}>
      {road.cells.map((cell) => (
        <BeadRoadCell key={`${cell.row}:${cell.col}`} cell={cell} />
      ))}
    </RoadFrame>
  );
}

function BeadRoadCell({ cell }: { cell: BeadCell }) {
  return (
    <span
      className={`road-cell bead-cell road-${cell.winner}`}
      style={placement(cell)}
      data-winner={cell.winner}
      data-row={cell.row}
      data-col={cell.col}
      data-pairs={pairsOf(cell)}
      title={cellTitle(cell.winner, cell)}
    >
      {cell.winner[0]?.toUpperCase()}
      <PairDots cell={cell} />
    </span>
  );
}

function BigRoadGrid({ coups }: { coups: readonly CoupOutcome[] }) {
  const road = useMemo(() => bigRoad(coups), [coups]);
  return (
    <RoadFrame kind="big" title="Big road" columns={road.columns} coups={coups.length}>
      {road.cells.map((cell) => (
        <BigRoadCellView key={`${cell.row}:${cell.col}`} cell={cell} />
      ))}
      {road.cells.length === 0 && <TiesOnly road={road} />}
    </RoadFrame>
  );
}

function BigRoadCellView({ cell }: { cell: BigRoadCell }) {
  return (
    <span
      className={`road-cell big-cell road-${cell.winner}`}
      style={placement(cell)}
      data-winner={cell.winner}
      data-row={cell.row}
      data-col={cell.col}
      data-ties={cell.ties}
      data-pairs={pairsOf(cell)}
      title={`${cellTitle(cell.winner, cell)}${cell.ties > 0 ? `, then ${cell.ties} tie${cell.ties > 1 ? 's' : ''}` : ''}`}
    >
      {cell.ties > 0 && <TieMark ties={cell.ties} />}
      <PairDots cell={cell} />
    </span>
  );
}

/** Ties before any win: the road's first cell shows them until a side wins. */
function TiesOnly({ road }: { road: BigRoad }) {
  if (road.leadingTies === 0) return null;
  return (
    <span
      className="road-cell big-cell big-ties-only"
      style={placement({ row: 0, col: 0 })}
      data-winner="tie"
      data-row={0}
      data-col={0}
      data-ties={road.leadingTies}
      title={`${road.leadingTies} tie${road.leadingTies > 1 ? 's' : ''}`}
    >
      <TieMark ties={road.leadingTies} />
    </span>
  );
}

function TieMark({ ties }: { ties: number }) {
  return (
    <>
      <span className="tie-slash" aria-hidden="true" />
      {ties > 1 && <span className="tie-count">{ties}</span>}
    </>
  );
}

function PairDots({ cell }: { cell: { playerPair: boolean; bankerPair: boolean } }) {
  return (
    <>
      {cell.bankerPair && <span className="pair-dot pair-banker" aria-hidden="true" />}
      {cell.playerPair && <span className="pair-dot pair-player" aria-hidden="true" />}
    </>
  );
}

/**
 * A road's grid, six rows high and scrolled to its newest column: a long session's roads are wider
 * than the panel, and the newest coups are the ones a player reads.
 */
function RoadFrame({
  kind,
  title,
  columns,
  coups,
  children,
}: {
  kind: 'bead' | 'big';
  title: string;
  columns: number;
  coups: number;
  children: ReactNode;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new coup (or column) scrolls to the end
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el) el.scrollLeft = el.scrollWidth;
  }, [columns, coups]);
  return (
    <figure className="road-frame">
      <figcaption className="small muted">{title}</figcaption>
      <div className="road-scroll" ref={scroller}>
        <div
          className={`road road-grid-${kind}`}
          role="img"
          aria-label={`${title}, ${coups} coups`}
          data-road={kind}
          data-columns={columns}
          style={{
            gridTemplateRows: `repeat(${ROAD_ROWS}, var(--road-cell))`,
            gridTemplateColumns: `repeat(${Math.max(columns, MIN_ROAD_COLUMNS)}, var(--road-cell))`,
          }}
        >
          {children}
        </div>
      </div>
    </figure>
  );
}

function placement(cell: { row: number; col: number }): CSSProperties {
  return { gridRow: cell.row + 1, gridColumn: cell.col + 1 };
}

function pairsOf(cell: { playerPair: boolean; bankerPair: boolean }): string {
  return [cell.playerPair ? 'player' : '', cell.bankerPair ? 'banker' : ''].filter(Boolean).join(' ');
}

const WINNER_NAME = { player: 'Player', banker: 'Banker', tie: 'Tie' } as const;

function cellTitle(winner: CoupOutcome['winner'], pairs: { playerPair: boolean; bankerPair: boolean }): string {
  const marks = [pairs.playerPair ? 'player pair' : '', pairs.bankerPair ? 'banker pair' : ''].filter(Boolean);
  return [WINNER_NAME[winner], ...marks].join(', ');
}
