import { GameIcon, gameLabel } from './GameIcon.js';
import { followLink } from './links.js';
import { routeHref, type Route } from '../routing.js';
import { playerSession } from '../session.js';
import { useStore } from '../store.js';
import { SignIn } from './SignIn.js';
import { useTables } from './useTables.js';

export function Lobby() {
  const { state, reload } = useTables();
  const signedIn = useStore(playerSession.store, (s) => s.player !== null);

  return (
    <section className="lobby">
      <div className="lobby-head">
        <h1>Live tables</h1>
        <p className="muted">Real dealers, streamed live from the studio.</p>
      </div>
      {!signedIn && (
        <div className="lobby-sign-in">
          <SignIn title="Sign in to watch a table" />
        </div>
      )}
      {state.status === 'loading' && <div className="notice">Loading tables…</div>}
      {state.status === 'failed' && (
        <div className="notice notice-error" role="alert">
          <strong>We can't reach the casino right now.</strong>
          <span className="muted">
            {state.error.code === 'NETWORK_UNREACHABLE'
              ? 'Check your connection. We keep trying every few seconds.'
              : `Something went wrong (${state.error.code}). We keep trying.`}
          </span>
          <button type="button" className="btn" onClick={reload}>
            Try again
          </button>
        </div>
      )}
      {state.status === 'ready' && state.tables.length === 0 && (
        <div className="notice">No tables are open right now. Come back in a moment.</div>
      )}
      {state.status === 'ready' && state.tables.length > 0 && (
        <ul className="table-grid">
          {state.tables.map((table) => {
            const route: Route = { page: 'table', tableId: table.tableId, mode: 'webrtc', measure: false };
            return (
              <li key={table.tableId}>
                <a
                  className={`table-card${table.live ? '' : ' table-card-off'}`}
                  href={routeHref(route)}
                  onClick={(e) => followLink(e, route)}
                  data-table-id={table.tableId}
                >
                  <GameIcon game={table.game} />
                  <span className="table-card-body">
                    <span className="table-card-name">{table.name}</span>
                    <span className="table-card-game">{gameLabel(table.game)}</span>
                  </span>
                  <LiveBadge live={table.live} />
                </a>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

export function LiveBadge({ live }: { live: boolean }) {
  return live ? <span className="badge badge-live">Live</span> : <span className="badge badge-off">Offline</span>;
}
