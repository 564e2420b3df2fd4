import type { GameBet, RoundResult } from '@live-casino/protocol';
import type { BaccaratBet } from '@live-casino/protocol/games/baccarat';
import {
  BACCARAT_ODDS,
  type Card,
  cardValue,
  handTotal,
  playerDraws,
  bankerDraws,
} from '@live-casino/protocol/games/baccarat';
import { ROULETTE_ODDS, rouletteBetWins } from '@live-casino/protocol/games/roulette';

/** A baccarat coup as the overlay shows it: each side's cards and total, and who won. */
export interface BaccaratHands {
  readonly player: readonly Card[];
  readonly banker: readonly Card[];
  readonly playerTotal: number;
  readonly bankerTotal: number;
  readonly winner: 'player' | 'banker' | 'tie';
}

/** Splits a coup's cards (dealing order P1, B1, P2, B2, then the third cards) into the two hands. */
export function baccaratHands(cards: readonly Card[]): BaccaratHands {
  const player = [cards[0], cards[2]].filter((c): c is Card => c !== undefined);
  const banker = [cards[1], cards[3]].filter((c): c is Card => c !== undefined);
  const rest = cards.slice(4);
  const p2 = handTotal(player);
  const b2 = handTotal(banker);
  if (rest.length > 0 && p2 < 8 && b2 < 8) {
    if (playerDraws(p2)) {
      const third = rest[0] as Card;
      player.push(third);
      if (rest[1] && bankerDraws(b2, cardValue(third))) banker.push(rest[1]);
    } else {
      banker.push(rest[0] as Card);
    }
  }
  const playerTotal = handTotal(player);
  const bankerTotal = handTotal(banker);
  const winner = playerTotal === bankerTotal ? 'tie' : playerTotal > bankerTotal ? 'player' : 'banker';
  return { player, banker, playerTotal, bankerTotal, winner };
}

/**
 * What a bet returns on a result (stake and winnings; the stake alone for a push; 0 for a loss),
 * for the overlay's "you win" line. The wallet table-service reports is what counts.
 */
export function betReturn(bet: GameBet, stake: number, result: RoundResult): number {
  if ('pocket' in result) {
    if (isBaccaratBet(bet) || !rouletteBetWins(bet, result.pocket)) return 0;
    const [pays, to] = ROULETTE_ODDS[bet.type];
    return stake + Math.floor((stake * pays) / to);
  }
  if (!isBaccaratBet(bet)) return 0;
  const hands = baccaratHands(result.cards);
  const type = bet.type;
  const [pays, to] = BACCARAT_ODDS[type];
  const win = stake + Math.floor((stake * pays) / to);
  switch (type) {
    case 'player':
    case 'banker':
      return hands.winner === 'tie' ? stake : hands.winner === type ? win : 0;
    case 'tie':
      return hands.winner === 'tie' ? win : 0;
    case 'playerPair':
      return hands.player[0]?.rank === hands.player[1]?.rank ? win : 0;
    case 'bankerPair':
      return hands.banker[0]?.rank === hands.banker[1]?.rank ? win : 0;
  }
}

function isBaccaratBet(bet: GameBet): bet is BaccaratBet {
  return Object.hasOwn(BACCARAT_ODDS, bet.type);
}
