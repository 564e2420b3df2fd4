import { ConfigError } from '@live-casino/server-kit';
import type { TableConfig } from '../tableConfig.js';
import { assertStakeLimits, BACCARAT_BET_TYPES, ROULETTE_BET_TYPES, type StakeLimit } from '../games/index.js';
import { DEFAULT_WINDOW_POLICY } from './BettingWindow.js';
import type { TableRules } from './RoundTypes.js';

/** House limits per bet type, in minor units: a table's config may narrow them. */
const DEFAULT_LIMITS = {
  roulette: Object.fromEntries(
    ROULETTE_BET_TYPES.map((t): [string, StakeLimit] => [
      t,
      ['straight', 'split', 'street', 'corner', 'firstFour', 'sixLine'].includes(t)
        ? { min: 10, max: 10_000 }
        : { min: 100, max: 100_000 },
    ]),
  ),
  baccarat: Object.fromEntries(
    BACCARAT_BET_TYPES.map((t): [string, StakeLimit] => [
      t,
      t === 'player' || t === 'banker' ? { min: 100, max: 500_000 } : { min: 100, max: 50_000 },
    ]),
  ),
};

/** A table's rules from its configuration; a bet type unknown to the game, or min > max, stops boot. */
export function tableRulesOf(table: TableConfig, currency: string): TableRules {
  const defaults = DEFAULT_LIMITS[table.game];
  for (const betType of Object.keys(table.limits ?? {})) {
    if (!(betType in defaults)) {
      throw new ConfigError(
        `invalid table-service configuration:\n  TABLES ${table.tableId}: ${table.game} has no bet type ${betType}`,
      );
    }
  }
  const limits = { ...defaults, ...table.limits };
  try {
    assertStakeLimits(limits);
  } catch (err) {
    throw new ConfigError(`invalid table-service configuration:\n  TABLES ${table.tableId}: ${(err as Error).message}`);
  }
  return {
    tableId: table.tableId,
    game: table.game,
    currency,
    limits,
    maxPlayerStakePerRound: table.maxPlayerStakePerRound ?? (table.game === 'roulette' ? 100_000 : 500_000),
    bettingWindowMs: (table.bettingWindowS ?? 15) * 1000,
    window: { ...DEFAULT_WINDOW_POLICY[table.game], ...table.window },
    visionCheck: table.visionCheck ?? false,
  };
}
