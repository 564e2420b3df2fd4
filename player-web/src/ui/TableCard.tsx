import type { TablePhase, TableSummary } from '@live-casino/protocol';
import { useEffect, useState } from 'react';
import { type Route, routeHref } from '../routing.js';
import { GameIcon, gameLabel } from './GameIcon.js';
import { followLink } from './links.js';
import { formatMoney } from './money.js';

/** The lobby's stills are taken every few seconds; one URL per period keeps every cache useful. */
const THUMB_PERIOD_MS = 4_000;

/**
 * A table in the lobby: a still of its video refreshed every few seconds, the game, the stakes,
 * how many people watch, and the round's phase with the time left to bet.
 */
export function TableCard({ table, receivedAtMs }: { table: TableSummary; receivedAtMs: number }) {
  const route: Route = { page: 'table', tableId: table.tableId, mode: 'webrtc', measure: false };
  return (
    <a
      className={`table-card${table.live ? '' : ' table-card-off'}`}
      href={routeHref(route)}
      onClick={(e) => followLink(e, route)}
      data-table-id={table.tableId}
    >
      <span className="table-thumb">
        {table.live && table.thumbnailUrl ? <Thumbnail url={table.thumbnailUrl} /> : <GameIcon game={table.game} />}
        <LiveBadge live={table.live} />
        {table.live && table.round && <PhaseTag phase={table.round} receivedAtMs={receivedAtMs} />}
      </span>
      <span className="table-card-body">
        <span className="table-card-name">{table.name}</span>
        <span className="table-card-game">{gameLabel(table.game)}</span>
        <span className="table-card-facts">
          {stakeRange(table) && <span title="Smallest and largest bet">{stakeRange(table)}</span>}
          {table.viewers !== undefined && (
            <span title="People watching now" data-viewers={table.viewers}>
              {table.viewers === 1 ? '1 watching' : `${table.viewers} watching`}
            </span>
          )}
        </span>
      </span>
    </a>
  );
}

export function LiveBadge({ live }: { live: boolean }) {
  return live ? <span className="badge badge-live">Live</span> : <span className="badge badge-off">Offline</span>;
}

function Thumbnail({ url }: { url: string }) {
  const [period, setPeriod] = useState(() => Math.floor(Date.now() / THUMB_PERIOD_MS));
  // The period whose still failed (the feed just dropped): shown dimmed; the next period tries again.
  const [failedPeriod, setFailedPeriod] = useState<number | null>(null);
  useEffect(() => {
    const timer = setInterval(() => setPeriod(Math.floor(Date.now() / THUMB_PERIOD_MS)), THUMB_PERIOD_MS / 2);
    return () => clearInterval(timer);
  }, []);
  const failed = failedPeriod === period;
  const src = `${url}${url.includes('?') ? '&' : '?'}p=${period}`;
  return (
    <img
      className={`thumb${failed ? ' thumb-stale' : ''}`}
      src={src}
      alt=""
      loading="lazy"
      decoding="async"
      onError={() => setFailedPeriod(period)}
    />
  );
}

function PhaseTag({ phase, receivedAtMs }: { phase: TablePhase; receivedAtMs: number }) {
  const [now, setNow] = useState(() => performance.now());
  const counting = phase.state === 'BETTING_OPEN' && phase.bettingEndsInMs !== null;
  useEffect(() => {
    if (!counting) return;
    const timer = setInterval(() => setNow(performance.now()), 250);
    return () => clearInterval(timer);
  }, [counting]);
  if (phase.state === 'BETTING_OPEN') {
    const left = Math.max(0, (phase.bettingEndsInMs ?? 0) - (now - receivedAtMs));
    return (
      <span className="phase-tag phase-tag-open" data-phase="open">
        {left > 0 ? `Bets open · ${Math.ceil(left / 1000)} s` : 'Closing'}
      </span>
    );
  }
  const label =
    phase.state === 'IDLE'
      ? 'Next round soon'
      : phase.state === 'BETTING_CLOSED' || phase.state === 'RESULT_PENDING'
        ? 'No more bets'
        : 'Result';
  return (
    <span className="phase-tag" data-phase={phase.state.toLowerCase()}>
      {label}
    </span>
  );
}

/** "€1 – €5,000": the smallest minimum and the largest maximum over the table's bets. */
function stakeRange(table: TableSummary): string | null {
  const limits = Object.values(table.limits ?? {});
  if (limits.length === 0) return null;
  const min = Math.min(...limits.map((l) => l.min));
  const max = Math.max(...limits.map((l) => l.max));
  return `${formatMoney(min, table.currency ?? null)} – ${formatMoney(max, table.currency ?? null)}`;
}
