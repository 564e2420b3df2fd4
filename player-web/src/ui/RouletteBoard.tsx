import { useMemo } from 'react';
import type { GameBet } from '@live-casino/protocol';
import type { SlipState } from '../bets/BetSlip.js';
import { type LayoutCell, type Orientation, rouletteLayout, spotAt, winningKeys } from '../bets/rouletteLayout.js';
import { chipLabel } from './money.js';

const FILL = { red: '#b3262e', black: '#161a19', green: '#0f7a4a', none: 'transparent' } as const;

/**
 * The roulette layout: numbers, outside boxes, and the lines and corners between numbers. A click
 * anywhere resolves to the bet under it (spotAt); chips stand where they were placed, with their
 * total; after the result, the winning spots light up.
 */
export function RouletteBoard({
  orientation,
  slip,
  enabled,
  lateClicks = false,
  winningPocket,
  onBet,
}: {
  orientation: Orientation;
  slip: SlipState;
  enabled: boolean;
  /** Betting is over on the video: clicks still reach `onBet`, which refuses them with the reason. */
  lateClicks?: boolean;
  winningPocket: number | null;
  onBet: (bet: GameBet) => void;
}) {
  const layout = useMemo(() => rouletteLayout(orientation), [orientation]);
  const wins = useMemo(
    () => (winningPocket === null ? new Set<string>() : winningKeys(winningPocket, layout)),
    [winningPocket, layout],
  );
  const chips = new Map(slip.spots.map((s) => [s.key, s]));
  const pad = 0.1;
  const onClick = (e: React.MouseEvent<SVGSVGElement>) => {
    if (!enabled && !lateClicks) return;
    const svg = e.currentTarget;
    const point = svg.createSVGPoint();
    point.x = e.clientX;
    point.y = e.clientY;
    const matrix = svg.getScreenCTM();
    if (!matrix) return;
    const p = point.matrixTransform(matrix.inverse());
    const spot = spotAt(layout, p.x, p.y);
    if (spot) onBet(spot.bet);
  };
  return (
    // biome-ignore lint/a11y/useSemanticElements: an SVG has no fieldset; the group names the layout
    <svg
      className={`roulette-board ${enabled ? 'enabled' : 'disabled'}`}
      data-orientation={orientation}
      viewBox={`${-pad} ${-pad} ${layout.width + 2 * pad} ${layout.height + 2 * pad}`}
      role="group"
      aria-label="Roulette layout"
      onClick={onClick}
      onKeyDown={() => undefined}
    >
      {layout.cells.map((c) => {
        const spot = layout.spots.find((s) => !s.onLine && s.hit.x === c.x && s.hit.y === c.y && s.hit.w === c.w);
        const lit = spot ? wins.has(spot.key) : false;
        return (
          <g key={`${c.label}-${c.x}-${c.y}`} data-bet={spot?.key} className={lit ? 'cell lit' : 'cell'}>
            <rect x={c.x} y={c.y} width={c.w} height={c.h} fill={FILL[c.colour]} className="cell-rect" />
            <CellLabel cell={c} />
          </g>
        );
      })}
      {/* Invisible buttons for keyboards and tests: one per bet, on its chip position. */}
      {layout.spots.map((s) => (
        // biome-ignore lint/a11y/useSemanticElements: SVG has no <button>; each bet is a keyboard-reachable rect
        <rect
          key={s.key}
          x={s.hit.x}
          y={s.hit.y}
          width={s.hit.w}
          height={s.hit.h}
          className="hit"
          data-spot={s.key}
          aria-label={s.label}
          role="button"
          tabIndex={enabled && !s.onLine ? 0 : -1}
          // The bet is the one whose area took the click, not the one at the click's coordinates as
          // recomputed afterwards: the two differ if anything moved the board in between.
          onClick={(e) => {
            e.stopPropagation();
            if (enabled || lateClicks) onBet(s.bet);
          }}
          onKeyDown={(e) => {
            if ((enabled || lateClicks) && (e.key === 'Enter' || e.key === ' ')) {
              e.preventDefault();
              onBet(s.bet);
            }
          }}
        />
      ))}
      {layout.spots.map((s) => {
        const spot = chips.get(s.key);
        if (!spot) return null;
        const total = spot.chips.reduce((sum, c) => sum + c.stake, 0);
        const pending = spot.chips.some((c) => c.status !== 'placed');
        return (
          <g
            key={`chip-${s.key}`}
            className={`chip ${pending ? 'pending' : ''} ${wins.has(s.key) ? 'won' : ''}`}
            data-chip={s.key}
          >
            <circle cx={s.chipX} cy={s.chipY} r={0.3} />
            <text x={s.chipX} y={s.chipY} dominantBaseline="central" textAnchor="middle">
              {chipLabel(total)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** A cell's label, turned along a tall box and shrunk to fit it. */
function CellLabel({ cell: c }: { cell: LayoutCell }) {
  const tall = c.h > c.w * 1.5 && c.label.length > 2;
  const along = tall ? c.h : c.w;
  const size = Math.min(0.38, (0.85 * along) / (0.62 * c.label.length));
  const x = c.x + c.w / 2;
  const y = c.y + c.h / 2;
  return (
    <text
      x={x}
      y={y}
      className="cell-label"
      style={{ fontSize: `${size}px` }}
      dominantBaseline="central"
      textAnchor="middle"
      transform={tall ? `rotate(-90 ${x} ${y})` : undefined}
    >
      {c.label}
    </text>
  );
}
