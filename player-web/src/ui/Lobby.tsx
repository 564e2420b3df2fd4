import { useEffect } from 'react';
import { playerBalance } from '../balance.js';
import { playerSession } from '../session.js';
import { useStore } from '../store.js';
import { SignIn } from './SignIn.js';
import { TableCard } from './TableCard.js';
import { useTables } from './useTables.js';

const LOBBY_REFRESH_MS = 4_000;
const BALANCE_REFRESH_MS = 15_000;

export function Lobby() {
  // Often enough for the phases and the watchers; the answer is cached server-side for everyone.
  const { state, reload } = useTables(LOBBY_REFRESH_MS);
  const signedIn = useStore(playerSession.store, (s) => s.player !== null);
  useEffect(() => {
    if (!signedIn) return;
    void playerBalance.refresh();
    const timer = setInterval(() => void playerBalance.refresh(), BALANCE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [signedIn]);

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
          {state.tables.map((table) => (
            <li key={table.tableId}>
              <TableCard table={table} receivedAtMs={state.receivedAtMs} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
