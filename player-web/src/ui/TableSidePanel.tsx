import type { GameKind } from '@live-casino/protocol';
import { useState } from 'react';
import { BetHistory } from './BetHistory.js';
import { ChatPanel } from './ChatPanel.js';
import { TableStats } from './TableStats.js';

type Tab = 'chat' | 'stats' | 'history';

const TABS: { id: Tab; label: string }[] = [
  { id: 'chat', label: 'Chat' },
  { id: 'stats', label: 'Statistics' },
  { id: 'history', label: 'My bets' },
];

/**
 * Beside the video on a desktop, under the bets on a phone: the table's chat, its statistics and
 * the player's own bets. `settledRoundId` changes when a round settles: statistics and history
 * read again then, and only then.
 */
export function TableSidePanel(props: {
  tableId: string;
  game: GameKind;
  playerId: string | null;
  currency: string;
  settledRoundId: string | null;
}) {
  const [tab, setTab] = useState<Tab>('chat');
  return (
    <aside className="side-panel" aria-label="Table chat, statistics and your bets">
      <div className="segmented side-tabs" role="tablist">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`side-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`side-panel-${t.id}`}
            className={tab === t.id ? 'on' : ''}
            data-tab={t.id}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      {/* The chat stays mounted behind the other tabs: its messages keep arriving in order. */}
      <div role="tabpanel" id="side-panel-chat" aria-labelledby="side-tab-chat" hidden={tab !== 'chat'}>
        <ChatPanel tableId={props.tableId} playerId={props.playerId} />
      </div>
      {tab === 'stats' && (
        <div role="tabpanel" id="side-panel-stats" aria-labelledby="side-tab-stats">
          <TableStats tableId={props.tableId} game={props.game} refreshKey={props.settledRoundId} />
        </div>
      )}
      {tab === 'history' && (
        <div role="tabpanel" id="side-panel-history" aria-labelledby="side-tab-history">
          <BetHistory currency={props.currency} refreshKey={props.settledRoundId} />
        </div>
      )}
    </aside>
  );
}
