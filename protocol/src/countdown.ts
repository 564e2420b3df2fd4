/**
 * Where a player's betting countdown ends, in the studio time of the frames on their screen (UKGC
 * RTS 4: latency handled by handicap, and shown). A bet clicked on frame f reaches table-service
 * about `ownDelayMs + networkMs` after the studio captured f; it stands iff it arrives within the
 * late time the server allows this player after the close (`allowanceMs` from the `reportDelay`
 * answer; null: none, the server clock). So an honest player's last safe frame is
 *
 *   closesAtStudioMs − max(0, ownDelayMs + networkMs − allowance)
 *
 * and a client draws "no more bets" there, and says why when it is before the close, so that an
 * honest click never lands in a refusal. (While the close is not yet known, the table's scheduled
 * close stands in for it.)
 */
export interface CountdownEnd {
  /** Studio time of the last frame on which a click still stands. */
  endsAtStudioMs: number;
  /** How much earlier than the close that is (0: none); shown to the player with the reason. */
  handicapMs: number;
}

export function countdownEnd(
  closesAtStudioMs: number,
  ownDelayMs: number,
  networkMs: number,
  allowanceMs: number | null,
): CountdownEnd {
  const late = Math.max(0, ownDelayMs) + Math.max(0, networkMs);
  // Without an allowance the server clock decides, and "before the close" is strict: one ms less.
  const handicapMs = allowanceMs === null ? late + 1 : Math.max(0, late - allowanceMs);
  return { endsAtStudioMs: closesAtStudioMs - handicapMs, handicapMs };
}
