import {
  type Card,
  type CardPosition,
  type Coup,
  type CoupWinner,
  type Shoe,
  dealCoup,
  handTotal,
  isCutCardOut,
  shuffleShoe,
} from '@live-casino/protocol/games/baccarat';
import {
  type Canvas2D,
  type CanvasImageLike,
  FONT_FAMILY,
  type LayerFactory,
  SERIF_FAMILY,
  roundedRectPath,
} from './Canvas2D.js';
import type { CardArt } from './CardArt.js';
import { drawCard } from './CardPainter.js';
import { hashSeed } from './SeededRandom.js';
import {
  type BaccaratSceneEvent,
  type BaccaratSceneState,
  type SceneOptions,
  type TableScene,
  assertUnreachable,
} from './SceneTypes.js';
import { REF_HEIGHT, REF_WIDTH, drawPhaseBanner } from './StudioOverlay.js';

/** Round timeline (ms from the start of a round). */
export const BACCARAT_TIMELINE = {
  bettingClosed: 10_000,
  /** P1, B1, P2, B2 land face up at these offsets. */
  firstFour: [11_000, 12_200, 13_400, 14_600],
  /** The croupier announces the totals before any third card. */
  firstThird: 16_400,
  secondThird: 17_600,
  resultAfterLastCard: 1_200,
  cardsCleared: 22_500,
  cycle: 25_000,
  /** A card slides out of the shoe face down, then is turned over; it counts as dealt once face up. */
  slideMs: 400,
  turnMs: 220,
} as const;

// Cards as a close-up table camera shows them: 110 of the frame's 360 units tall, so that the
// corner index of any deck is legible to players and to the vision reader (~13 px at 640x360).
const CARD_W = 76;
const CARD_H = 110;
const CARD_TOP = 124;
const AREA = { top: 100, height: 164, width: 290, player: 10, banker: 340 } as const;
const TOTALS_Y = CARD_TOP + CARD_H + 15;
const BOTTOM_Y = 276;
const HISTORY_COLUMNS = 20;
const HISTORY_ROWS = 6;
const SHOE = { x: 294, y: 56, w: 52, h: 42 } as const;

/** Top-left corner of each dealing position on the layout; third cards lie sideways, outermost. */
const POSITION_BOXES: Record<CardPosition, { x: number; y: number; sideways: boolean }> = {
  P1: { x: 134, y: CARD_TOP, sideways: false },
  P2: { x: 216, y: CARD_TOP, sideways: false },
  P3: { x: 18, y: CARD_TOP + (CARD_H - CARD_W) / 2, sideways: true },
  B1: { x: 348, y: CARD_TOP, sideways: false },
  B2: { x: 430, y: CARD_TOP, sideways: false },
  B3: { x: 512, y: CARD_TOP + (CARD_H - CARD_W) / 2, sideways: true },
};

/**
 * Where cards lie in the 640x360 reference frame, for whoever reads them from the video (the
 * vision crops are cut from exactly these boxes).
 */
export const BACCARAT_LAYOUT = {
  cardWidth: CARD_W,
  cardHeight: CARD_H,
  positions: POSITION_BOXES,
} as const;

const COLOURS = {
  player: '#2f6fe0',
  banker: '#d3222f',
  tie: '#14a04b',
  gold: '#e0bf6a',
  feltLight: '#14784a',
  feltDark: '#07442a',
} as const;

interface PlannedCoup {
  readonly round: number;
  readonly shoeNumber: number;
  readonly firstOfShoe: boolean;
  readonly coup: Coup;
  /** When each card lands face up, ms from the start of the round, in dealing order. */
  readonly dealtAt: readonly number[];
  readonly resultAt: number;
}

interface BaccaratLayers {
  width: number;
  height: number;
  felt: CanvasImageLike;
}

/**
 * Punto banco seen from an overhead camera: cards dealt one by one from a seeded 8-deck shoe in
 * the real order and by the real third-card rules, the result, the bead road of the shoe. A new
 * shoe is shuffled when the cut card comes out.
 */
export class BaccaratScene implements TableScene {
  readonly game = 'baccarat' as const;
  readonly tableName: string;
  readonly #seed: number;
  readonly #epochMs: number;
  readonly #createLayer: LayerFactory | undefined;
  readonly #cardArt: CardArt | undefined;
  #layers: BaccaratLayers | null = null;
  #timeMs: number;
  #lastAdvanceMs: number | null = null;
  readonly #coups = new Map<number, PlannedCoup>();
  /** Where sequential dealing stands: the shoe before `nextRound` is dealt. */
  #cursor: { nextRound: number; shoeNumber: number; shoe: Shoe };

  /**
   * `cardArt`: draw the cards with a real deck's artwork (the look the vision model is trained
   * on); without it, the painted cards of CardPainter.
   */
  constructor(opts: SceneOptions & { createLayer?: LayerFactory; cardArt?: CardArt }) {
    this.tableName = opts.tableName;
    this.#seed = opts.seed >>> 0;
    this.#epochMs = opts.epochMs;
    this.#createLayer = opts.createLayer;
    this.#cardArt = opts.cardArt;
    this.#timeMs = opts.epochMs;
    this.#cursor = this.#freshCursor();
  }

  /** The coup of a round, known in advance (the simulator is the shoe). */
  /** The deck whose artwork the cards are drawn with, or `painted`. */
  get cardLook(): string {
    return this.#cardArt?.deck ?? 'painted';
  }

  coupOf(round: number): Coup {
    return this.#plan(round).coup;
  }

  advance(studioTimeMs: number): BaccaratSceneEvent[] {
    const events: BaccaratSceneEvent[] = [];
    const from = this.#lastAdvanceMs;
    this.#timeMs = studioTimeMs;
    this.#lastAdvanceMs = from === null ? studioTimeMs : Math.max(from, studioTimeMs);
    if (from === null) {
      const round = this.#roundAt(studioTimeMs);
      if (round >= 0 && studioTimeMs - this.#roundStart(round) < BACCARAT_TIMELINE.bettingClosed) {
        events.push(this.#bettingOpened(round, studioTimeMs));
      }
      return events;
    }
    if (studioTimeMs <= from) return events;

    const T = BACCARAT_TIMELINE;
    const firstRound = Math.max(this.#roundAt(from), this.#roundAt(studioTimeMs) - 1, 0);
    for (let round = firstRound; round <= this.#roundAt(studioTimeMs); round++) {
      const start = this.#roundStart(round);
      const due = (offset: number): boolean => start + offset > from && start + offset <= studioTimeMs;
      const plan = this.#plan(round);
      if (due(0)) {
        if (plan.firstOfShoe && plan.shoeNumber > 0) {
          events.push({ type: 'shoeChanged', round, shoe: plan.shoeNumber, studioTimeMs });
        }
        events.push(this.#bettingOpened(round, studioTimeMs));
      }
      if (due(T.bettingClosed)) events.push({ type: 'bettingClosed', round, studioTimeMs });
      plan.coup.cards.forEach((dealt, i) => {
        if (due(plan.dealtAt[i] as number)) {
          events.push({ type: 'cardDealt', round, position: dealt.position, card: dealt.card, studioTimeMs });
        }
      });
      if (due(plan.resultAt)) {
        const { winner, playerTotal, bankerTotal, playerPair, bankerPair } = plan.coup;
        events.push({
          type: 'coupResult',
          round,
          winner,
          playerTotal,
          bankerTotal,
          playerPair,
          bankerPair,
          studioTimeMs,
        });
      }
      if (due(T.cardsCleared)) events.push({ type: 'cardsCleared', round, studioTimeMs });
    }
    return events;
  }

  state(): BaccaratSceneState {
    const t = this.#timeMs;
    const round = Math.max(0, this.#roundAt(t));
    const start = this.#roundStart(round);
    const into = t - start;
    const plan = this.#plan(round);
    const T = BACCARAT_TIMELINE;
    const cleared = into >= T.cardsCleared;
    const cards = cleared ? [] : plan.coup.cards.filter((_, i) => into >= (plan.dealtAt[i] as number));
    const side = (prefix: 'P' | 'B'): number | null => {
      const own = cards.filter((c) => c.position.startsWith(prefix)).map((c) => c.card);
      return own.length > 0 ? handTotal(own) : null;
    };
    const decided = into >= plan.resultAt;
    return {
      game: 'baccarat',
      tableName: this.tableName,
      round,
      phase: cleared ? 'clearing' : decided ? 'result' : into < T.bettingClosed ? 'betting' : 'dealing',
      bettingClosesAtMs: start + T.bettingClosed,
      roundStartedAtMs: start,
      roundEndsAtMs: start + T.cycle,
      shoe: plan.shoeNumber,
      cards,
      playerTotal: side('P'),
      bankerTotal: side('B'),
      winner: decided ? plan.coup.winner : null,
      history: this.#history(plan, decided),
    };
  }

  draw(ctx: Canvas2D, width: number, height: number): void {
    const state = this.state();
    const sx = width / REF_WIDTH;
    const sy = height / REF_HEIGHT;
    const layers = this.#ensureLayers(width, height);
    ctx.save();
    if (layers) {
      ctx.drawImage(layers.felt, 0, 0);
      ctx.scale(sx, sy);
    } else {
      ctx.scale(sx, sy);
      paintFelt(ctx);
    }
    this.#drawCards(ctx, state);
    this.#drawTotals(ctx, state);
    this.#drawBeadRoad(ctx, state.history);
    this.#drawStatus(ctx, state);
    ctx.restore();
  }

  #roundAt(t: number): number {
    return Math.floor((t - this.#epochMs) / BACCARAT_TIMELINE.cycle);
  }

  #roundStart(round: number): number {
    return this.#epochMs + round * BACCARAT_TIMELINE.cycle;
  }

  #bettingOpened(round: number, studioTimeMs: number): BaccaratSceneEvent {
    return {
      type: 'bettingOpened',
      round,
      studioTimeMs,
      bettingClosesAtMs: this.#roundStart(round) + BACCARAT_TIMELINE.bettingClosed,
    };
  }

  #freshCursor(): { nextRound: number; shoeNumber: number; shoe: Shoe } {
    return { nextRound: 0, shoeNumber: 0, shoe: shuffleShoe(hashSeed(this.#seed, 0)) };
  }

  /**
   * Coups are dealt in sequence from the shoe, so round N depends on every round of its shoe
   * before it: deal forward from the cursor (replaying from round 0 if asked about the past).
   */
  #plan(round: number): PlannedCoup {
    const cached = this.#coups.get(round);
    if (cached) return cached;
    if (round < this.#cursor.nextRound) this.#cursor = this.#freshCursor();
    let plan: PlannedCoup | undefined;
    while (this.#cursor.nextRound <= round) {
      let { shoe, shoeNumber } = this.#cursor;
      const firstOfShoe = this.#cursor.nextRound === 0 || isCutCardOut(shoe);
      if (this.#cursor.nextRound > 0 && isCutCardOut(shoe)) {
        shoeNumber++;
        shoe = shuffleShoe(hashSeed(this.#seed, shoeNumber));
      }
      const dealt = dealCoup(shoe);
      plan = planCoup(this.#cursor.nextRound, shoeNumber, firstOfShoe, dealt.coup);
      this.#coups.set(plan.round, plan);
      this.#cursor = { nextRound: this.#cursor.nextRound + 1, shoeNumber, shoe: dealt.shoe };
    }
    // A shoe lasts ~80 coups; keep enough for the bead road of the current one.
    for (const key of this.#coups.keys()) {
      if (this.#coups.size <= 200) break;
      this.#coups.delete(key);
    }
    return plan ?? (this.#coups.get(round) as PlannedCoup);
  }

  #history(plan: PlannedCoup, includeCurrent: boolean): CoupWinner[] {
    const winners: CoupWinner[] = [];
    for (let r = plan.round - 1; r >= 0; r--) {
      const earlier = this.#plan(r);
      if (earlier.shoeNumber !== plan.shoeNumber) break;
      winners.push(earlier.coup.winner);
      if (earlier.firstOfShoe) break;
    }
    winners.reverse();
    if (includeCurrent) winners.push(plan.coup.winner);
    return winners;
  }

  #ensureLayers(width: number, height: number): BaccaratLayers | null {
    if (!this.#createLayer) return null;
    if (this.#layers && this.#layers.width === width && this.#layers.height === height) return this.#layers;
    const felt = this.#createLayer(width, height);
    felt.ctx.scale(width / REF_WIDTH, height / REF_HEIGHT);
    paintFelt(felt.ctx);
    this.#layers = { width, height, felt: felt.image };
    return this.#layers;
  }

  #drawCards(ctx: Canvas2D, state: BaccaratSceneState): void {
    const T = BACCARAT_TIMELINE;
    const into = this.#timeMs - state.roundStartedAtMs;
    if (into >= T.cardsCleared + 600) return;
    const plan = this.#plan(state.round);
    // Clearing: the cards slide off towards the discard holder and fade.
    const clearing = into >= T.cardsCleared ? (into - T.cardsCleared) / 600 : 0;
    ctx.save();
    if (clearing > 0) ctx.globalAlpha = 1 - clearing;
    plan.coup.cards.forEach((dealt, i) => {
      const landsAt = plan.dealtAt[i] as number;
      const leavesShoeAt = landsAt - T.turnMs - T.slideMs;
      if (into < leavesShoeAt) return;
      const box = POSITION_BOXES[dealt.position];
      let x = box.x;
      let y = box.y;
      let flip = 1;
      if (into < landsAt - T.turnMs) {
        const s = easeOutCubic((into - leavesShoeAt) / T.slideMs);
        x = SHOE.x + 4 + (box.x - SHOE.x - 4) * s;
        y = SHOE.y + 6 + (box.y - SHOE.y - 6) * s;
        flip = -1;
      } else if (into < landsAt) {
        // Turn over about the vertical axis: the back narrows to nothing, then the face widens.
        flip = ((into - (landsAt - T.turnMs)) / T.turnMs) * 2 - 1;
      }
      if (clearing > 0) {
        x += (20 - x) * clearing;
        y += (60 - y) * clearing;
      }
      if (this.#cardArt) {
        const w = box.sideways ? CARD_H : CARD_W;
        const h = box.sideways ? CARD_W : CARD_H;
        drawArtCard(ctx, this.#cardArt, flip < 0 ? null : dealt.card, x + w / 2, y + h / 2, box.sideways, flip);
      } else {
        drawCard(ctx, dealt.card, x, y, CARD_W, CARD_H, { sideways: box.sideways, flip });
      }
    });
    ctx.restore();
  }

  #drawTotals(ctx: Canvas2D, state: BaccaratSceneState): void {
    const disc = (total: number | null, cx: number, colour: string, won: boolean): void => {
      if (total === null) return;
      ctx.fillStyle = won ? colour : 'rgba(0,0,0,0.55)';
      ctx.strokeStyle = won ? '#fff' : colour;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(cx, TOTALS_Y, 13, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
      ctx.fillStyle = '#fff';
      ctx.font = `bold 15px ${FONT_FAMILY}`;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(String(total), cx, TOTALS_Y + 1);
    };
    const middle = (a: CardPosition, b: CardPosition): number =>
      (POSITION_BOXES[a].x + POSITION_BOXES[b].x + CARD_W) / 2;
    disc(state.playerTotal, middle('P1', 'P2'), COLOURS.player, state.winner === 'player');
    disc(state.bankerTotal, middle('B1', 'B2'), COLOURS.banker, state.winner === 'banker');

    if (state.winner === null || state.phase === 'clearing') return;
    // The winning side's area lights up (the banner below names it); nothing is drawn over the
    // cards, which stay readable to players and to the vision reader until they are cleared.
    ctx.lineWidth = 4;
    const glow = (x: number, colour: string): void => {
      ctx.strokeStyle = colour;
      roundedRectPath(ctx, x, AREA.top, AREA.width, AREA.height, 14);
      ctx.stroke();
    };
    if (state.winner !== 'banker') glow(AREA.player, state.winner === 'tie' ? COLOURS.tie : '#fff');
    if (state.winner !== 'player') glow(AREA.banker, state.winner === 'tie' ? COLOURS.tie : '#fff');
    const coup = this.coupOf(state.round);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    const pairBadge = (x: number): void => {
      ctx.fillStyle = COLOURS.gold;
      roundedRectPath(ctx, x, AREA.top + 6, 40, 16, 8);
      ctx.fill();
      ctx.fillStyle = '#1a1a1a';
      ctx.font = `bold 9px ${FONT_FAMILY}`;
      ctx.fillText('PAIR', x + 20, AREA.top + 14.5);
    };
    if (coup.playerPair) pairBadge(AREA.player + AREA.width - 48);
    if (coup.bankerPair) pairBadge(AREA.banker + AREA.width - 48);
  }

  #drawBeadRoad(ctx: Canvas2D, history: readonly CoupWinner[]): void {
    const x0 = 16;
    const y0 = BOTTOM_Y;
    const cell = 10.5;
    ctx.fillStyle = 'rgba(255,255,255,0.92)';
    ctx.fillRect(x0, y0, HISTORY_COLUMNS * cell, HISTORY_ROWS * cell);
    ctx.strokeStyle = 'rgba(0,0,0,0.15)';
    ctx.lineWidth = 0.5;
    ctx.beginPath();
    for (let c = 0; c <= HISTORY_COLUMNS; c++) {
      ctx.moveTo(x0 + c * cell, y0);
      ctx.lineTo(x0 + c * cell, y0 + HISTORY_ROWS * cell);
    }
    for (let r = 0; r <= HISTORY_ROWS; r++) {
      ctx.moveTo(x0, y0 + r * cell);
      ctx.lineTo(x0 + HISTORY_COLUMNS * cell, y0 + r * cell);
    }
    ctx.stroke();
    // Bead road: one bead per coup, filled down the columns; the oldest scroll off the left.
    const overflowColumns = Math.max(0, Math.ceil(history.length / HISTORY_ROWS) - HISTORY_COLUMNS);
    const shown = history.slice(overflowColumns * HISTORY_ROWS);
    ctx.font = `bold 7px ${FONT_FAMILY}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    shown.forEach((winner, i) => {
      const cx = x0 + Math.floor(i / HISTORY_ROWS) * cell + cell / 2;
      const cy = y0 + (i % HISTORY_ROWS) * cell + cell / 2;
      ctx.fillStyle = COLOURS[winner];
      ctx.beginPath();
      ctx.arc(cx, cy, cell / 2 - 1, 0, 2 * Math.PI);
      ctx.fill();
      ctx.fillStyle = '#fff';
      ctx.fillText(winner === 'player' ? 'P' : winner === 'banker' ? 'B' : 'T', cx, cy + 0.5);
    });
  }

  #drawStatus(ctx: Canvas2D, state: BaccaratSceneState): void {
    const x = 240;
    const y = BOTTOM_Y;
    const w = 384;
    switch (state.phase) {
      case 'betting':
        drawPhaseBanner(ctx, x, y, w, 'PLACE YOUR BETS', '#f4d77a', {
          remainingMs: state.bettingClosesAtMs - this.#timeMs,
          totalMs: BACCARAT_TIMELINE.bettingClosed,
        });
        break;
      case 'dealing':
        drawPhaseBanner(ctx, x, y, w, 'NO MORE BETS', '#ff8a7a', null);
        break;
      case 'result': {
        const winner = state.winner ?? 'tie';
        const title = winner === 'tie' ? 'TIE' : `${winner.toUpperCase()} WINS`;
        drawPhaseBanner(
          ctx,
          x,
          y,
          w,
          `${title}  ${state.playerTotal ?? 0} : ${state.bankerTotal ?? 0}`,
          COLOURS[winner],
          null,
        );
        break;
      }
      case 'clearing':
        drawPhaseBanner(ctx, x, y, w, 'NEXT COUP', '#ffffff', null);
        break;
      default:
        assertUnreachable(state.phase);
    }
    ctx.font = `10px ${FONT_FAMILY}`;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
    ctx.fillStyle = 'rgba(255,255,255,0.75)';
    ctx.fillText(`ROUND ${state.round}  ·  SHOE ${state.shoe + 1}  ·  PUNTO BANCO  ·  8 DECKS`, x + 2, 350);
  }
}

function planCoup(round: number, shoeNumber: number, firstOfShoe: boolean, coup: Coup): PlannedCoup {
  const T = BACCARAT_TIMELINE;
  const dealtAt = coup.cards.map((_, i) =>
    i < 4 ? (T.firstFour[i] as number) : i === 4 ? T.firstThird : T.secondThird,
  );
  return {
    round,
    shoeNumber,
    firstOfShoe,
    coup,
    dealtAt,
    resultAt: (dealtAt[dealtAt.length - 1] as number) + T.resultAfterLastCard,
  };
}

/** Felt with the printed layout, the shoe and the discard holder: everything that never moves. */
function paintFelt(ctx: Canvas2D): void {
  const felt = ctx.createRadialGradient(REF_WIDTH / 2, 150, 40, REF_WIDTH / 2, 180, 420);
  felt.addColorStop(0, COLOURS.feltLight);
  felt.addColorStop(1, COLOURS.feltDark);
  ctx.fillStyle = felt;
  ctx.fillRect(0, 0, REF_WIDTH, REF_HEIGHT);

  const area = (x: number, label: string, colour: string): void => {
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2;
    roundedRectPath(ctx, x, AREA.top, AREA.width, AREA.height, 14);
    ctx.stroke();
    ctx.fillStyle = colour;
    ctx.font = `bold 15px ${SERIF_FAMILY}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(label, x + AREA.width / 2, AREA.top + 13);
  };
  area(AREA.player, 'PLAYER', '#7fa8ff');
  area(AREA.banker, 'BANKER', '#ff7f88');

  ctx.strokeStyle = 'rgba(255,255,255,0.3)';
  ctx.lineWidth = 1;
  for (const box of Object.values(POSITION_BOXES)) {
    const w = box.sideways ? CARD_H : CARD_W;
    const h = box.sideways ? CARD_W : CARD_H;
    roundedRectPath(ctx, box.x, box.y, w, h, 5);
    ctx.stroke();
  }

  ctx.font = `9px ${FONT_FAMILY}`;
  ctx.fillStyle = 'rgba(224,191,106,0.85)';
  ctx.textAlign = 'center';
  ctx.fillText(
    'TIE PAYS 8 TO 1   ·   PAIRS PAY 11 TO 1   ·   BANKER PAYS 0.95 TO 1',
    REF_WIDTH / 2,
    AREA.top + AREA.height + 6,
  );

  // The shoe (dealing side toward the layout), with the back of the next card showing.
  ctx.fillStyle = 'rgba(0,0,0,0.4)';
  roundedRectPath(ctx, SHOE.x + 3, SHOE.y + 3, SHOE.w, SHOE.h, 6);
  ctx.fill();
  const shoeBody = ctx.createLinearGradient(SHOE.x, SHOE.y, SHOE.x, SHOE.y + SHOE.h);
  shoeBody.addColorStop(0, '#3a3a3a');
  shoeBody.addColorStop(1, '#111');
  ctx.fillStyle = shoeBody;
  roundedRectPath(ctx, SHOE.x, SHOE.y, SHOE.w, SHOE.h, 6);
  ctx.fill();
  ctx.fillStyle = '#7d1420';
  ctx.fillRect(SHOE.x + 8, SHOE.y + SHOE.h - 16, SHOE.w - 16, 10);
  ctx.strokeStyle = COLOURS.gold;
  ctx.lineWidth = 1;
  roundedRectPath(ctx, SHOE.x, SHOE.y, SHOE.w, SHOE.h, 6);
  ctx.stroke();

  // Discard holder, where cleared cards go.
  ctx.fillStyle = 'rgba(0,0,0,0.35)';
  roundedRectPath(ctx, 16, 56, 44, 40, 5);
  ctx.fill();
  ctx.fillStyle = 'rgba(255,255,255,0.6)';
  ctx.font = `7px ${FONT_FAMILY}`;
  ctx.fillText('DISCARD', 38, 76);
}

/**
 * A card of a real deck centred at (cx, cy): CARD_H units tall, as wide as the deck's aspect makes
 * it, with the shadow of the vision training crops (vision/src/dataset/CardCrops.ts draws the
 * same way, so the live frames and the training data agree). `flip` in [-1, 1] turns it over
 * about its long axis; `card` null shows the back.
 */
function drawArtCard(
  ctx: Canvas2D,
  art: CardArt,
  card: Card | null,
  cx: number,
  cy: number,
  sideways: boolean,
  flip: number,
): void {
  const image = card ? art.face(card) : art.back;
  const h = CARD_H;
  const w = (h * image.width) / image.height;
  ctx.save();
  ctx.translate(cx, cy);
  if (sideways) ctx.rotate(Math.PI / 2);
  ctx.scale(Math.max(0.02, Math.abs(flip)), 1);
  ctx.fillStyle = 'rgba(0,0,0,0.35)';
  ctx.fillRect(-w / 2 + 1.5, -h / 2 + 2, w, h);
  ctx.drawImage(image, -w / 2, -h / 2, w, h);
  ctx.restore();
}

function easeOutCubic(s: number): number {
  return 1 - (1 - Math.min(1, Math.max(0, s))) ** 3;
}
