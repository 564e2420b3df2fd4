import type { GameKind, HoldReason } from '@live-casino/protocol';
import type { Card, CardPosition } from '@live-casino/protocol/games/baccarat';
import { coupFromCards } from '../games/index.js';

/** A reading as the cross-check sees it (already validated and attributed to the round). */
export interface CheckedReading {
  readingId: string;
  studioMs: number;
  receivedAtMs: number;
  confidence: number;
  result: { pocket: number } | { cards: Card[]; positions: CardPosition[] };
}

export interface CrossCheckPolicy {
  /** Least confidence of a reading that confirms or contradicts. */
  minConfidence: number;
  /** How long after the dealer's result an agreeing reading may take. */
  timeoutMs: number;
}

export type Verdict =
  | { kind: 'confirm'; readingId: string }
  | { kind: 'hold'; reason: HoldReason; readingId: string | null; message: string }
  | { kind: 'wait'; deadlineMs: number };

/** What one reading says of the dealer's result. */
type Comparison = 'agrees' | 'partial' | 'contradicts';

/**
 * Judges a dealer's result against the readings of its round, pure. Readings are taken in studio
 * time order (the order the table showed them) and the first one that decides wins, so the verdict
 * is the same whether the readings came before the dealer's result or after it:
 * - a reading that contradicts the result (another pocket; a card that differs at a position, or a
 *   card where the dealer has none) holds it: `disagreement`, or `low_confidence` when the reading is
 *   not sure enough to count;
 * - a reading that shows the whole result holds it as `low_confidence` when unsure, else confirms;
 * - a partial baccarat reading that agrees so far decides nothing (the hand is still being dealt).
 * With nothing decided, the round waits until `timeoutMs` after the result, then holds: `no_reading`.
 */
export function judgeResult(
  game: GameKind,
  dealerResult: unknown,
  readings: readonly CheckedReading[],
  policy: CrossCheckPolicy,
  timing: { resultAtMs: number; nowMs: number },
): Verdict {
  const ordered = [...readings].sort(
    (a, b) => a.studioMs - b.studioMs || a.receivedAtMs - b.receivedAtMs || (a.readingId < b.readingId ? -1 : 1),
  );
  const compare = comparer(game, dealerResult);
  for (const reading of ordered) {
    const comparison = compare(reading);
    const sure = reading.confidence >= policy.minConfidence;
    if (comparison === 'partial') continue;
    if (comparison === 'agrees' && sure) return { kind: 'confirm', readingId: reading.readingId };
    const reason: HoldReason = sure ? 'disagreement' : 'low_confidence';
    return { kind: 'hold', reason, readingId: reading.readingId, message: holdMessage(reason, reading, policy) };
  }
  const deadlineMs = timing.resultAtMs + policy.timeoutMs;
  if (timing.nowMs >= deadlineMs) {
    return {
      kind: 'hold',
      reason: 'no_reading',
      readingId: null,
      message: `no agreeing vision reading within ${policy.timeoutMs} ms of the dealer's result`,
    };
  }
  return { kind: 'wait', deadlineMs };
}

function holdMessage(reason: HoldReason, reading: CheckedReading, policy: CrossCheckPolicy): string {
  const read = 'pocket' in reading.result ? `pocket ${reading.result.pocket}` : describeCards(reading.result);
  switch (reason) {
    case 'disagreement':
      return `vision read ${read}, which contradicts the dealer's result`;
    case 'low_confidence':
      return `vision read ${read} with confidence ${reading.confidence.toFixed(3)} (needs ${policy.minConfidence})`;
    case 'no_reading':
      return 'no agreeing vision reading';
    default: {
      const unknown: never = reason;
      throw new Error(`unknown hold reason ${String(unknown)}`);
    }
  }
}

function describeCards(result: { cards: Card[]; positions: CardPosition[] }): string {
  return result.cards.map((c, i) => `${result.positions[i]} ${c.rank} of ${c.suit}`).join(', ');
}

function comparer(game: GameKind, dealerResult: unknown): (reading: CheckedReading) => Comparison {
  switch (game) {
    case 'roulette': {
      const pocket = (dealerResult as { pocket: number }).pocket;
      return ({ result }) => ('pocket' in result && result.pocket === pocket ? 'agrees' : 'contradicts');
    }
    case 'baccarat': {
      const coup = coupFromCards((dealerResult as { cards: Card[] }).cards);
      // The dealer's hand was validated when entered; an invalid one agrees with nothing.
      const hand = new Map<CardPosition, Card>(coup.ok ? coup.value.cards.map((d) => [d.position, d.card]) : []);
      return ({ result }) => {
        if (!('cards' in result) || hand.size === 0) return 'contradicts';
        for (let i = 0; i < result.cards.length; i++) {
          const dealt = hand.get(result.positions[i]!);
          const seen = result.cards[i]!;
          if (!dealt || dealt.rank !== seen.rank || dealt.suit !== seen.suit) return 'contradicts';
        }
        return result.cards.length === hand.size ? 'agrees' : 'partial';
      };
    }
    default: {
      const unknown: never = game;
      throw new Error(`no cross-check for ${String(unknown)}`);
    }
  }
}
