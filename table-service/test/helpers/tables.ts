import { AppError, type GameKind } from '@live-casino/protocol';
import { BACCARAT_BET_TYPES, ROULETTE_BET_TYPES } from '../../src/games/index.js';
import { DEFAULT_WINDOW_POLICY } from '../../src/rounds/BettingWindow.js';
import type { TableRules } from '../../src/rounds/RoundTypes.js';

/**
 * A table's rules for tests below the HTTP API: `<game>-1` in EUR, every bet type from 1 to 100,000,
 * a wide per-player cap and the game's default window, with `overrides` on top.
 */
export function testTable(game: GameKind, overrides: Partial<TableRules> = {}): TableRules {
  const betTypes: readonly string[] = game === 'roulette' ? ROULETTE_BET_TYPES : BACCARAT_BET_TYPES;
  return {
    tableId: `${game}-1`,
    game,
    currency: 'EUR',
    limits: Object.fromEntries(betTypes.map((t) => [t, { min: 1, max: 100_000 }])),
    maxPlayerStakePerRound: 10_000_000,
    window: DEFAULT_WINDOW_POLICY[game],
    ...overrides,
  };
}

/** `ok` when the promise resolves, else the AppError code it was refused with. */
export async function outcomeCode(p: Promise<unknown>, ok = 'ok'): Promise<string> {
  try {
    await p;
    return ok;
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
}
