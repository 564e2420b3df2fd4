import type { Card, CardPosition } from '@live-casino/protocol/games/baccarat';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CheckedReading, judgeResult } from '../src/rounds/crossCheck.js';

const POLICY = { minConfidence: 0.9, timeoutMs: 4000 };
const AT = { resultAtMs: 1_000_000, nowMs: 1_000_100 };

const c = (rank: Card['rank'], suit: Card['suit']): Card => ({ rank, suit });
/** Player 6 stands, banker 4 draws: five cards, the fifth at B3. */
const FIVE: Card[] = [c('3', 'hearts'), c('2', 'spades'), c('3', 'clubs'), c('2', 'diamonds'), c('K', 'hearts')];
const FIVE_AT: CardPosition[] = ['P1', 'B1', 'P2', 'B2', 'B3'];

let n = 0;
function reading(result: CheckedReading['result'], confidence = 0.99, studioMs = 2_000_000 + n): CheckedReading {
  n += 1;
  return { readingId: `rd-${n}`, studioMs, receivedAtMs: studioMs + 100, confidence, result };
}
function hand(count: number, cards = FIVE, positions = FIVE_AT): CheckedReading['result'] {
  return { cards: cards.slice(0, count), positions: positions.slice(0, count) };
}

describe('judgeResult: roulette', () => {
  it('a sure reading of the same pocket confirms; another pocket holds; an unsure one holds', () => {
    expect(judgeResult('roulette', { pocket: 17 }, [reading({ pocket: 17 })], POLICY, AT)).toMatchObject({
      kind: 'confirm',
    });
    expect(judgeResult('roulette', { pocket: 17 }, [reading({ pocket: 18 })], POLICY, AT)).toMatchObject({
      kind: 'hold',
      reason: 'disagreement',
    });
    expect(judgeResult('roulette', { pocket: 17 }, [reading({ pocket: 17 }, 0.5)], POLICY, AT)).toMatchObject({
      kind: 'hold',
      reason: 'low_confidence',
    });
    expect(judgeResult('roulette', { pocket: 0 }, [reading({ pocket: 0 }, 0.9)], POLICY, AT).kind).toBe('confirm');
  });

  it('waits without readings until the timeout, then holds for no reading', () => {
    expect(judgeResult('roulette', { pocket: 3 }, [], POLICY, AT)).toEqual({
      kind: 'wait',
      deadlineMs: AT.resultAtMs + POLICY.timeoutMs,
    });
    const late = { resultAtMs: AT.resultAtMs, nowMs: AT.resultAtMs + POLICY.timeoutMs };
    expect(judgeResult('roulette', { pocket: 3 }, [], POLICY, late)).toMatchObject({
      kind: 'hold',
      reason: 'no_reading',
      readingId: null,
    });
    // An agreeing reading counts even when checked after the deadline.
    expect(judgeResult('roulette', { pocket: 3 }, [reading({ pocket: 3 })], POLICY, late).kind).toBe('confirm');
  });

  it('the earliest deciding frame wins', () => {
    const first = reading({ pocket: 5 }, 0.99, 10);
    const second = reading({ pocket: 6 }, 0.99, 20);
    expect(judgeResult('roulette', { pocket: 5 }, [second, first], POLICY, AT)).toEqual({
      kind: 'confirm',
      readingId: first.readingId,
    });
    expect(judgeResult('roulette', { pocket: 6 }, [second, first], POLICY, AT)).toMatchObject({
      kind: 'hold',
      reason: 'disagreement',
      readingId: first.readingId,
    });
  });
});

describe('judgeResult: baccarat', () => {
  const dealer = { cards: FIVE };

  it('partial readings that agree wait; the whole hand confirms', () => {
    const partial = [1, 2, 3, 4].map((k) => reading(hand(k)));
    expect(judgeResult('baccarat', dealer, partial, POLICY, AT).kind).toBe('wait');
    const whole = reading(hand(5));
    expect(judgeResult('baccarat', dealer, [...partial, whole], POLICY, AT)).toEqual({
      kind: 'confirm',
      readingId: whole.readingId,
    });
    // An unsure partial reading that agrees decides nothing either.
    expect(judgeResult('baccarat', dealer, [reading(hand(2), 0.3)], POLICY, AT).kind).toBe('wait');
  });

  it('a card that differs at a position, or a card where the dealer has none, holds', () => {
    const otherSuit = reading({ cards: [c('3', 'spades')], positions: ['P1'] });
    expect(judgeResult('baccarat', dealer, [otherSuit], POLICY, AT)).toMatchObject({
      kind: 'hold',
      reason: 'disagreement',
    });
    // The fifth card is at B3 by the third-card rules; vision seeing it at P3 contradicts.
    const atP3 = reading({ cards: FIVE, positions: ['P1', 'B1', 'P2', 'B2', 'P3'] });
    expect(judgeResult('baccarat', dealer, [atP3], POLICY, AT)).toMatchObject({ reason: 'disagreement' });
    // More cards than the dealer entered.
    const natural = { cards: [c('4', 'hearts'), c('2', 'spades'), c('5', 'diamonds'), c('3', 'clubs')] };
    expect(
      judgeResult(
        'baccarat',
        natural,
        [reading({ cards: [...natural.cards, c('2', 'clubs')], positions: ['P1', 'B1', 'P2', 'B2', 'B3'] })],
        POLICY,
        AT,
      ),
    ).toMatchObject({ kind: 'hold', reason: 'disagreement' });
    // Unsure, whether it contradicts or shows the whole hand: low confidence.
    const unsureOther = reading({ cards: [c('Q', 'hearts')], positions: ['P1'] }, 0.2);
    expect(judgeResult('baccarat', dealer, [unsureOther], POLICY, AT)).toMatchObject({
      kind: 'hold',
      reason: 'low_confidence',
    });
    expect(judgeResult('baccarat', dealer, [reading(hand(5), 0.2)], POLICY, AT)).toMatchObject({
      kind: 'hold',
      reason: 'low_confidence',
    });
    // A roulette reading on a baccarat hand agrees with nothing.
    expect(judgeResult('baccarat', dealer, [reading({ pocket: 3 })], POLICY, AT)).toMatchObject({
      reason: 'disagreement',
    });
  });

  it('the verdict does not depend on the order readings arrived in', () => {
    const pool = [
      ...[1, 2, 3, 4, 5].map((k) => reading(hand(k), 0.99, 100 + k)),
      reading({ cards: [c('Q', 'hearts')], positions: ['P1'] }, 0.99, 103),
      reading(hand(5), 0.4, 104),
    ];
    fc.assert(
      fc.property(fc.shuffledSubarray(pool), (arrived) => {
        const inFrameOrder = [...arrived].sort((a, b) => a.studioMs - b.studioMs);
        expect(judgeResult('baccarat', dealer, arrived, POLICY, AT)).toEqual(
          judgeResult('baccarat', dealer, inFrameOrder, POLICY, AT),
        );
      }),
      { numRuns: 300 },
    );
  });
});
