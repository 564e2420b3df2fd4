import type { TableConfig } from '../config.js';
import { BACCARAT_BET_TYPES, ROULETTE_BET_TYPES, type StakeLimit } from '../games/index.js';
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

export function tableRulesOf(table: TableConfig, currency: string): TableRules {
  return {
    tableId: table.tableId,
    game: table.game,
    currency,
    limits: DEFAULT_LIMITS[table.game],
    maxPlayerStakePerRound: table.game === 'roulette' ? 100_000 : 500_000,
    window: DEFAULT_WINDOW_POLICY,
  };
}
