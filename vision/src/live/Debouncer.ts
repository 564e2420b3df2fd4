import { CARD_POSITIONS, type Card, type CardPosition } from '@live-casino/protocol/games/baccarat';

/** What the wheel reader saw on one frame. */
export type WheelRead = { readonly pocket: number; readonly confidence: number } | { readonly pocket: null };

/** What the card reader saw at one position on one frame: a face-up card, or none. */
export type CardRead = { readonly card: Card; readonly confidence: number } | { readonly card: null };

export type CardsRead = Readonly<Record<CardPosition, CardRead>>;

/** A reading ready to be sent: stable over the configured number of consecutive reads. */
export type DebouncedReading =
  | { readonly studioMs: number; readonly confidence: number; readonly result: { readonly pocket: number } }
  | {
      readonly studioMs: number;
      readonly confidence: number;
      readonly result: { readonly cards: readonly Card[]; readonly positions: readonly CardPosition[] };
    };

interface Candidate<T> {
  key: string;
  value: T;
  count: number;
  confidence: number;
}

/**
 * A value becomes stable after `stableReads` equal reads in a row; `key` says what "equal" is.
 * Its confidence is that of the latest read agreeing with it: the first reads of a run are often
 * of a card still turning or a ball still rolling in, and say less about the value than the
 * frame on which it became stable.
 */
class StableValue<T> {
  readonly #stableReads: number;
  readonly #key: (value: T) => string;
  #candidate: Candidate<T> | null = null;
  #stable: { key: string; value: T; confidence: number } | null = null;

  constructor(stableReads: number, key: (value: T) => string) {
    this.#stableReads = stableReads;
    this.#key = key;
  }

  get stable(): { value: T; confidence: number } | null {
    return this.#stable;
  }

  /** Feeds one read; true when the stable value changed on it. */
  push(value: T, confidence: number): boolean {
    const key = this.#key(value);
    let now = this.#candidate;
    if (now && now.key === key) {
      now.count++;
      now.confidence = confidence;
    } else {
      now = { key, value, count: 1, confidence };
      this.#candidate = now;
    }
    if (now.count < this.#stableReads) return false;
    if (this.#stable?.key === now.key) {
      this.#stable.confidence = confidence;
      return false;
    }
    this.#stable = { key: now.key, value: now.value, confidence };
    return true;
  }

  /** Forgets everything (a gap in the frames: what was stable may no longer be). */
  reset(): void {
    this.#candidate = null;
    this.#stable = null;
  }
}

export function assertStableReads(stableReads: number): void {
  if (!Number.isInteger(stableReads) || stableReads < 1 || stableReads > 100) {
    throw new RangeError(`stableReads ${stableReads} must be an integer in 1..100`);
  }
}

/**
 * Roulette: a pocket once the ball has lain in it for `stableReads` reads in a row, once per
 * settle. "Not settled" must be just as stable to end a settle, so one misread frame while the
 * ball lies still does not produce a second reading of the same spin.
 */
export class WheelDebouncer {
  readonly #value: StableValue<number | null>;

  constructor(opts: { stableReads: number }) {
    assertStableReads(opts.stableReads);
    this.#value = new StableValue(opts.stableReads, (pocket) => (pocket === null ? 'none' : String(pocket)));
  }

  push(read: WheelRead, studioMs: number): DebouncedReading | null {
    const confidence = read.pocket === null ? 1 : read.confidence;
    if (!this.#value.push(read.pocket, confidence)) return null;
    const stable = this.#value.stable;
    if (!stable || stable.value === null) return null;
    return { studioMs, confidence: stable.confidence, result: { pocket: stable.value } };
  }

  reset(): void {
    this.#value.reset();
  }
}

/** The hands a baccarat layout shows as a coup is dealt: P1, B1, P2, B2, then P3 and/or B3. */
const DEALING_ORDER: readonly CardPosition[] = ['P1', 'B1', 'P2', 'B2', 'P3', 'B3'];

/** Whether these positions can be the face-up cards of a coup being dealt. */
export function isDealtLayout(positions: ReadonlySet<CardPosition>): boolean {
  if (positions.size === 0) return false;
  const firstFour = DEALING_ORDER.slice(0, 4);
  const n = firstFour.filter((p) => positions.has(p)).length;
  // The first four come in order; thirds only after all four.
  if (!firstFour.slice(0, n).every((p) => positions.has(p))) return false;
  return n === 4 || (!positions.has('P3') && !positions.has('B3'));
}

/**
 * Baccarat: each position is debounced on its own (a card, or none); whenever the stable hand
 * gains a card and forms a layout a coup can show, a reading of the whole hand in dealing order
 * (with the cards as now read: a misread corrected since shows in the next reading). An empty
 * layout ends the coup (no reading); cards leaving the table at clearing are not news.
 */
export class CardsDebouncer {
  readonly #positions: Readonly<Record<CardPosition, StableValue<Card | null>>>;
  #lastSent: Set<CardPosition> = new Set();

  constructor(opts: { stableReads: number }) {
    assertStableReads(opts.stableReads);
    const key = (card: Card | null): string => (card ? `${card.rank}${card.suit}` : 'none');
    this.#positions = Object.fromEntries(
      CARD_POSITIONS.map((p) => [p, new StableValue<Card | null>(opts.stableReads, key)]),
    ) as unknown as Record<CardPosition, StableValue<Card | null>>;
  }

  push(read: CardsRead, studioMs: number): DebouncedReading | null {
    let changed = false;
    for (const position of CARD_POSITIONS) {
      const r = read[position];
      if (this.#positions[position].push(r.card, r.card ? r.confidence : 1)) changed = true;
    }
    if (!changed) return null;
    const hand = new Map<CardPosition, { card: Card; confidence: number }>();
    let unknown = false;
    for (const position of CARD_POSITIONS) {
      const stable = this.#positions[position].stable;
      if (!stable) unknown = true;
      else if (stable.value) hand.set(position, { card: stable.value, confidence: stable.confidence });
    }
    if (hand.size === 0 && !unknown) {
      this.#lastSent = new Set();
      return null;
    }
    if (unknown || !isDealtLayout(new Set(hand.keys()))) return null;
    // Only a hand that gained a card is news. Cards sliding off at clearing pass over other
    // positions, which can look like a changed card for a moment, but the hand only shrinks then.
    const grew = hand.size > this.#lastSent.size && [...this.#lastSent].every((p) => hand.has(p));
    if (!grew) return null;
    this.#lastSent = new Set(hand.keys());
    const positions = DEALING_ORDER.filter((p) => hand.has(p));
    const cards = positions.map((p) => (hand.get(p) as { card: Card }).card);
    // The least sure of the cards it names.
    const confidence = Math.min(...positions.map((p) => (hand.get(p) as { confidence: number }).confidence));
    return { studioMs, confidence, result: { cards, positions } };
  }

  reset(): void {
    for (const position of CARD_POSITIONS) this.#positions[position].reset();
    this.#lastSent = new Set();
  }
}
