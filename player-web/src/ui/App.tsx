import { useEffect, useState } from 'react';
import { parseRoute, type Route } from '../routing.js';
import { playerSession } from '../session.js';
import { useStore } from '../store.js';
import { followLink } from './links.js';
import { Lobby } from './Lobby.js';
import { SessionBadge } from './SignIn.js';
import { TablePage } from './TablePage.js';

export function App() {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.search));
  const player = useStore(playerSession.store, (s) => s.player);
  useEffect(() => {
    const onPop = (): void => setRoute(parseRoute(location.search));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href="/" onClick={(e) => followLink(e, { page: 'lobby' })}>
          <span className="brand-chip" aria-hidden="true" />
          Live Casino
        </a>
        {player && <SessionBadge name={player.displayName} />}
      </header>
      <main className="content">{route.page === 'lobby' ? <Lobby /> : <TablePage route={route} />}</main>
    </div>
  );
}
