import type { GameKind } from '@live-casino/protocol';

/** Wheel pockets for the roulette glyph (18 wedges: one green, then red and black). */
const POCKETS = Array.from({ length: 18 }, (_, i) => {
  const a0 = (i * 2 * Math.PI) / 18;
  const a1 = ((i + 1) * 2 * Math.PI) / 18;
  const p = (a: number, r: number): string =>
    `${(32 + r * Math.cos(a)).toFixed(2)},${(32 + r * Math.sin(a)).toFixed(2)}`;
  return {
    id: `pocket-${i}`,
    points: `${p(a0, 27)} ${p(a1, 27)} ${p(a1, 17)} ${p(a0, 17)}`,
    fill: i === 0 ? '#1f8a4c' : i % 2 ? '#b3261e' : '#111',
  };
});

export function GameIcon({ game }: { game: GameKind }) {
  if (game === 'roulette') {
    return (
      <svg className="game-icon" viewBox="0 0 64 64" aria-hidden="true">
        <circle cx="32" cy="32" r="29" fill="#1c140c" stroke="#d4af37" strokeWidth="2" />
        {POCKETS.map((pocket) => (
          <polygon key={pocket.id} points={pocket.points} fill={pocket.fill} />
        ))}
        <circle cx="32" cy="32" r="15" fill="#3a2a16" stroke="#d4af37" strokeWidth="1" />
        <circle cx="32" cy="32" r="4" fill="#d4af37" />
        <circle cx="46" cy="20" r="2.6" fill="#f4f1ea" />
      </svg>
    );
  }
  return (
    <svg className="game-icon" viewBox="0 0 64 64" aria-hidden="true">
      <g transform="rotate(-12 26 34)">
        <rect x="10" y="14" width="26" height="36" rx="3" fill="#f4f1ea" stroke="#d4af37" strokeWidth="1.5" />
        <text x="15" y="27" fontSize="10" fontWeight="700" fill="#b3261e">
          9
        </text>
        <path d="M23 36 l4 -6 l4 6 l-4 6z" fill="#b3261e" />
      </g>
      <g transform="rotate(10 40 34)">
        <rect x="28" y="14" width="26" height="36" rx="3" fill="#f4f1ea" stroke="#d4af37" strokeWidth="1.5" />
        <text x="33" y="27" fontSize="10" fontWeight="700" fill="#111">
          K
        </text>
        <path d="M41 31 c-5 4 -5 9 0 7 c5 2 5 -3 0 -7z M41 37 l-2 5 h4z" fill="#111" />
      </g>
    </svg>
  );
}

export function gameLabel(game: GameKind): string {
  return game === 'roulette' ? 'European Roulette' : 'Baccarat';
}
