import type { GameBet } from '@live-casino/protocol';
import { AppError, type GameKind } from '@live-casino/protocol';
import type { Card, Coup } from '@live-casino/protocol/games/baccarat';
import {
  BACCARAT_BET_TYPES,
  type BaccaratBet,
  coupFromCards,
  ROULETTE_BET_TYPES,
  type RouletteBet,
  type RuleResult,
  type Settlement,
  type StakeLimits,
  settleBaccaratBet,
  settleRouletteBet,
  validateBaccaratBet,
  validateRouletteBet,
  validateStake,
} from '../games/index.js';

/** A game's rules as the round and bet machinery needs them, whatever the game. */
export interface GameRules {
  game: GameKind;
  betTypes: readonly string[];
  /** Checks a bet from the wire; returns it normalised (e.g. numbers sorted). */
  parseBet(input: unknown): { bet: GameBet; betType: string };
  validateStake(betType: string, stake: unknown, limits: StakeLimits<string>): number;
  /** Checks a result from the dealer or vision; returns it normalised. */
  parseResult(input: unknown): unknown;
  settle(bet: unknown, stake: number, result: unknown): Settlement;
  /** Whether two readings of a result are the same outcome (dealer vs vision). */
  sameResult(a: unknown, b: unknown): boolean;
}

function orThrow<T>(result: RuleResult<T>, code: 'BET_INVALID' | 'RESULT_INVALID' = 'BET_INVALID'): T {
  if (result.ok) return result.value;
  // Rule codes are protocol codes; a bet-shaped refusal of a result is the result's.
  throw new AppError(result.error.code === 'BET_INVALID' ? code : result.error.code, result.error.message);
}

export interface RouletteResult {
  pocket: number;
}

export interface BaccaratResult {
  cards: Card[];
}

const roulette: GameRules = {
  game: 'roulette',
  betTypes: ROULETTE_BET_TYPES,
  parseBet(input) {
    const bet = orThrow(validateRouletteBet(input));
    return { bet, betType: bet.type };
  },
  validateStake: (betType, stake, limits) => orThrow(validateStake(betType, stake, limits)),
  parseResult(input) {
    const pocket = (input as RouletteResult | undefined)?.pocket;
    if (typeof input !== 'object' || input === null || Object.keys(input).length !== 1 || !Number.isInteger(pocket)) {
      throw new AppError('RESULT_INVALID', 'a roulette result is { pocket: 0..36 }');
    }
    if ((pocket as number) < 0 || (pocket as number) > 36) throw new AppError('RESULT_INVALID', 'pocket out of range');
    return { pocket: pocket as number } satisfies RouletteResult;
  },
  settle: (bet, stake, result) => settleRouletteBet(bet as RouletteBet, stake, (result as RouletteResult).pocket),
  sameResult: (a, b) => (a as RouletteResult).pocket === (b as RouletteResult).pocket,
};

const baccarat: GameRules = {
  game: 'baccarat',
  betTypes: BACCARAT_BET_TYPES,
  parseBet(input) {
    const bet = orThrow(validateBaccaratBet(input));
    return { bet, betType: bet.type };
  },
  validateStake: (betType, stake, limits) => orThrow(validateStake(betType, stake, limits)),
  parseResult(input) {
    const cards = (input as BaccaratResult | undefined)?.cards;
    if (typeof input !== 'object' || input === null || Object.keys(input).length !== 1 || !Array.isArray(cards)) {
      throw new AppError('RESULT_INVALID', 'a baccarat result is { cards: [...] } in dealing order');
    }
    const coup = orThrow(coupFromCards(cards), 'RESULT_INVALID');
    return { cards: coup.cards.map(({ card }) => ({ rank: card.rank, suit: card.suit })) } satisfies BaccaratResult;
  },
  settle(bet, stake, result) {
    const coup = coupFromCards((result as BaccaratResult).cards);
    if (!coup.ok) throw new AppError('RESULT_INVALID', coup.error.message);
    return settleBaccaratBet(bet as BaccaratBet, stake, coup.value as Coup);
  },
  sameResult: (a, b) => JSON.stringify((a as BaccaratResult).cards) === JSON.stringify((b as BaccaratResult).cards),
};

export function rulesOf(game: GameKind): GameRules {
  switch (game) {
    case 'roulette':
      return roulette;
    case 'baccarat':
      return baccarat;
    default: {
      const unknown: never = game;
      throw new Error(`no rules for ${String(unknown)}`);
    }
  }
}
