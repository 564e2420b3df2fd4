import type { GameBet } from '@live-casino/protocol';
import type { BaccaratBetType } from '@live-casino/protocol/games/baccarat';
import type { SlipState } from '../bets/BetSlip.js';
import { chipLabel } from './money.js';

const BOXES: { type: BaccaratBetType; label: string; pays: string }[] = [
  { type: 'playerPair', label: 'P Pair', pays: '11:1' },
  { type: 'tie', label: 'Tie', pays: '8:1' },
  { type: 'bankerPair', label: 'B Pair', pays: '11:1' },
  { type: 'player', label: 'Player', pays: '1:1' },
  { type: 'banker', label: 'Banker', pays: '0.95:1' },
];

/** The baccarat layout: player, banker, tie and the two pairs, each with its chips. */
export function BaccaratBoard({
  slip,
  enabled,
  lateClicks = false,
  winners,
  onBet,
}: {
  slip: SlipState;
  enabled: boolean;
  /** Betting is over on the video: clicks still reach `onBet`, which refuses them with the reason. */
  lateClicks?: boolean;
  /** The boxes that won (after the result is on screen). */
  winners: ReadonlySet<string>;
  onBet: (bet: GameBet) => void;
}) {
  return (
    <fieldset className={`baccarat-board ${enabled ? 'enabled' : 'disabled'}`}>
      <legend className="sr-only">Baccarat layout</legend>
      {BOXES.map((b) => {
        const spot = slip.spots.find((s) => s.key === b.type);
        const total = spot?.chips.reduce((sum, c) => sum + c.stake, 0) ?? 0;
        return (
          <button
            key={b.type}
            type="button"
            className={`bac-box bac-${b.type} ${winners.has(b.type) ? 'lit' : ''}`}
            data-spot={b.type}
            disabled={!enabled && !lateClicks}
            onClick={() => onBet({ type: b.type })}
          >
            <span className="bac-label">{b.label}</span>
            <span className="bac-pays">{b.pays}</span>
            {total > 0 && (
              <span
                className={`chip-badge ${spot?.chips.some((c) => c.status !== 'placed') ? 'pending' : ''}`}
                data-chip={b.type}
              >
                {chipLabel(total)}
              </span>
            )}
          </button>
        );
      })}
    </fieldset>
  );
}
