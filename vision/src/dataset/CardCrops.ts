import { CARD_POSITIONS, type Card, type CardPosition, type Rank } from '@live-casino/protocol/games/baccarat';
import { type Canvas, type Image, createCanvas } from '@napi-rs/canvas';
import { BACCARAT_LAYOUT, BaccaratScene, nodeLayerFactory, REF_HEIGHT, REF_WIDTH } from '@live-casino/studio/simulator';
import {
  ALL_CARDS,
  type CardDeck,
  CardDecks,
  type DeckName,
  HELD_OUT_DECKS,
  TRAIN_DECKS,
  assertCardDecksInstalled,
  cardIndex,
} from '@live-casino/studio/simulator';
import { SeededRandom, degrade, drawChip, drawHand, gaussian, hashSeed, pick, randomDegradation } from './Augment.js';
import { paintMiddle, restyleIndex } from './CardAugment.js';
import { type Mat3, chain, rotate, scale, shear, tilt, translate, warp } from '../image/ImageOps.js';
import { CARD_READER_INPUT } from '../models/CardReader.js';

export type DatasetSplit = 'train' | 'seen-test' | 'unseen-test';
export const DATASET_SPLITS: readonly DatasetSplit[] = ['train', 'seen-test', 'unseen-test'];

/** Decks each split draws from: the two "seen" splits share the training decks, with other seeds. */
export function decksOf(split: DatasetSplit): readonly DeckName[] {
  return split === 'unseen-test' ? HELD_OUT_DECKS : TRAIN_DECKS;
}

/**
 * Card reader input: 96x144 RGB (HWC, uint8). Portrait like the card, with the card ~108 px tall:
 * about the 110 px the card has in a 640x360 frame, so the crop keeps every pixel of the video.
 * The corner index (rank + suit, 8-12% of the card height by deck) is then 9-13 px: the only part
 * of a king that every deck draws alike. Colour is kept: red/black halves the suit confusion.
 */
export const CARD_CROP = CARD_READER_INPUT;

/** Class index: 0-51 as ALL_CARDS (suit-major, A..K), 52 = no face-up card at the position. */
export const CARD_CLASSES: readonly string[] = [...ALL_CARDS.map((c) => `${c.rank}${c.suit[0]}`), 'none'];
export const NO_CARD_CLASS = 52;

export type CardLabel = Card | 'none';

export function cardLabelClass(label: CardLabel): number {
  return label === 'none' ? NO_CARD_CLASS : cardIndex(label);
}

/**
 * The simulator's dealing layout in its 640x360 reference frame (BaccaratScene's own boxes). Third
 * cards lie sideways; their crop is turned with them so that every crop shows an upright card.
 */
export const CARD_SIZE = { width: BACCARAT_LAYOUT.cardWidth, height: BACCARAT_LAYOUT.cardHeight } as const;
export const DEALING_POSITIONS = Object.fromEntries(
  Object.entries(BACCARAT_LAYOUT.positions).map(([position, box]) => {
    const w = box.sideways ? CARD_SIZE.height : CARD_SIZE.width;
    const h = box.sideways ? CARD_SIZE.width : CARD_SIZE.height;
    return [position, { cx: box.x + w / 2, cy: box.y + h / 2, sideways: box.sideways }];
  }),
) as Record<CardPosition, { cx: number; cy: number; sideways: boolean }>;

/** Crop pixels per reference unit before jitter: the card's 110 units become 108 px. */
export const CARD_CROP_SCALE = 108 / CARD_SIZE.height;

/** Hands, chips and the dealer's placement error scale with the card (sizes below are for 78 units). */
const K = CARD_SIZE.height / 78;

/**
 * The crop the live reader takes at a position: maps crop pixels to reference-frame coordinates
 * (multiply by the frame's px per reference unit for a real frame). Shared with the live half.
 */
export function cardCropToReference(position: CardPosition): Mat3 {
  const p = DEALING_POSITIONS[position];
  return chain(
    translate(p.cx, p.cy),
    rotate(p.sideways ? Math.PI / 2 : 0),
    scale(1 / CARD_CROP_SCALE),
    translate(-CARD_CROP.width / 2, -CARD_CROP.height / 2),
  );
}

/** Source patch around a position: reference units each side of its centre, and px per unit. */
const PATCH_HALF = Math.ceil(70 * K);
const SRC_SCALE = 2;

export interface CardCropOptions {
  /** Force the content: a card, `null` for no face-up card, undefined for random. */
  card?: Card | null;
  position?: CardPosition;
  deck?: DeckName;
  /** Skip every random degradation and jitter (for checks and contact sheets). */
  clean?: boolean;
}

export interface CardCropSample {
  /** RGB, HWC, CARD_CROP.height x CARD_CROP.width x 3. */
  readonly pixels: Uint8Array;
  readonly label: CardLabel;
  readonly labelClass: number;
  readonly position: CardPosition;
  readonly deck: DeckName;
}

export interface CardCropRendererOptions {
  split: DatasetSplit;
  /** Share of samples with no face-up card at the position (default 0.15). */
  noneRate?: number;
  /** Restrict to some of the split's decks (tests, per-deck evaluation). */
  onlyDecks?: readonly DeckName[];
  /**
   * Share of target cards whose two corner indices are repainted in another typeface (default 0.35
   * for the train split, 0 for the test splits; see restyleIndex).
   */
  restyleIndexRate?: number;
  /**
   * Share of target cards whose middle (figure or pips) is another card's (default 0.6 of the face
   * cards, except FIGURE_DECKS', and 0.15 of the others for the train split, 0 for the test splits).
   */
  swapMiddleRate?: { face: number; other: number };
  decks?: CardDecks;
}

/**
 * Renders labelled crops of one dealing position of the simulator's baccarat table with real
 * deck artwork: the simulator's felt, the target card and random neighbours placed with the
 * dealer's imprecision, an occasional hand or chip over it, then camera jitter (scale, rotation,
 * perspective) and degradations (lighting, blur, noise, JPEG). Sample i of a seed is a pure
 * function of (split, seed, i).
 */
export class CardCropRenderer {
  readonly split: DatasetSplit;
  readonly noneRate: number;
  readonly restyleIndexRate: number;
  readonly swapMiddleRate: { readonly face: number; readonly other: number };
  readonly deckNames: readonly DeckName[];
  readonly #decks: CardDecks;
  readonly #felt: Canvas;
  readonly #patch: Canvas;

  private constructor(
    split: DatasetSplit,
    noneRate: number,
    restyleIndexRate: number,
    swapMiddleRate: { face: number; other: number },
    deckNames: readonly DeckName[],
    decks: CardDecks,
    felt: Canvas,
  ) {
    this.split = split;
    this.restyleIndexRate = restyleIndexRate;
    this.swapMiddleRate = swapMiddleRate;
    this.deckNames = deckNames;
    this.noneRate = noneRate;
    this.#decks = decks;
    this.#felt = felt;
    const side = 2 * PATCH_HALF * SRC_SCALE;
    this.#patch = createCanvas(side, side);
  }

  static async create(opts: CardCropRendererOptions): Promise<CardCropRenderer> {
    assertCardDecksInstalled();
    const allowed = decksOf(opts.split);
    const deckNames = opts.onlyDecks ?? allowed;
    const foreign = deckNames.filter((d) => !allowed.includes(d));
    if (foreign.length > 0 || deckNames.length === 0) {
      throw new RangeError(`decks ${foreign.join(', ') || '(none)'} are not usable for the ${opts.split} split`);
    }
    // The empty table: a betting-phase frame of the simulator (no cards, no totals yet).
    const scene = new BaccaratScene({ tableName: 'dataset', seed: 1, epochMs: 0, createLayer: nodeLayerFactory });
    scene.advance(1_000);
    const felt = createCanvas(REF_WIDTH * SRC_SCALE, REF_HEIGHT * SRC_SCALE);
    scene.draw(felt.getContext('2d'), felt.width, felt.height);
    const restyle = opts.restyleIndexRate ?? (opts.split === 'train' ? 0.35 : 0);
    const swap = opts.swapMiddleRate ?? (opts.split === 'train' ? { face: 0.6, other: 0.15 } : { face: 0, other: 0 });
    for (const rate of [restyle, swap.face, swap.other]) {
      if (!(rate >= 0 && rate <= 1)) throw new RangeError(`augmentation rate ${rate} must be in [0, 1]`);
    }
    return new CardCropRenderer(
      opts.split,
      opts.noneRate ?? 0.15,
      restyle,
      swap,
      deckNames,
      opts.decks ?? new CardDecks(),
      felt,
    );
  }

  async render(seed: number, index: number, opts: CardCropOptions = {}): Promise<CardCropSample> {
    const random = new SeededRandom(hashSeed(seed, DATASET_SPLITS.indexOf(this.split), index));
    const clean = opts.clean ?? false;
    const deckName = opts.deck ?? pick(random, this.deckNames);
    if (!decksOf(this.split).includes(deckName)) throw new RangeError(`${deckName} is not a ${this.split} deck`);
    const deck = this.#decks.get(deckName);
    const position = opts.position ?? pick(random, CARD_POSITIONS);
    const target = DEALING_POSITIONS[position];
    const card = opts.card !== undefined ? opts.card : random.next() < this.noneRate ? null : pick(random, ALL_CARDS);
    // No face-up card: empty felt, sometimes a face-down card on its way in.
    const faceDown = card === null && random.next() < 0.2;

    const ctx = this.#patch.getContext('2d');
    const ox = target.cx - PATCH_HALF;
    const oy = target.cy - PATCH_HALF;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.#felt, -ox * SRC_SCALE, -oy * SRC_SCALE);
    ctx.setTransform(SRC_SCALE, 0, 0, SRC_SCALE, -ox * SRC_SCALE, -oy * SRC_SCALE);

    for (const other of CARD_POSITIONS) {
      if (other === position || random.next() < 0.4) continue;
      const o = DEALING_POSITIONS[other];
      if (Math.abs(o.cx - target.cx) > 2 * PATCH_HALF) continue;
      await this.#drawCard(ctx, deck, pick(random, ALL_CARDS), o.cx, o.cy, o.sideways, random, clean ? 0 : 1);
    }
    if (card !== null || faceDown) {
      const restyle = card !== null && !clean && random.next() < this.restyleIndexRate ? card : null;
      let middle: Card | null = null;
      if (card !== null && !clean) {
        const face = cardKind(card) === 'face';
        const rate = face
          ? FIGURE_DECKS.includes(deckName)
            ? 0
            : this.swapMiddleRate.face
          : this.swapMiddleRate.other;
        if (random.next() < rate) middle = otherMiddle(random, card);
      }
      await this.#drawCard(ctx, deck, card, target.cx, target.cy, target.sideways, random, clean ? 0 : 1, {
        restyle,
        middle,
      });
    }
    if (!clean && random.next() < 0.25) {
      const a = random.between(0, 2 * Math.PI);
      const d = K * random.between(28, 48);
      const x = target.cx + d * Math.cos(a);
      const y = target.cy + d * Math.sin(a);
      if (random.next() < 0.5) drawChip(ctx, random, x, y, K * random.between(9, 14));
      else drawHand(ctx, random, x, y, K * random.between(40, 60), a);
    }

    const side = 2 * PATCH_HALF * SRC_SCALE;
    const jitter = clean ? 0 : 1;
    const s = 1 + jitter * random.between(-0.15, 0.15);
    const outToSrc = chain(
      scale(SRC_SCALE),
      translate(-ox, -oy),
      translate(jitter * K * random.between(-3, 3), jitter * K * random.between(-3, 3)),
      cardCropToReference(position),
      translate(CARD_CROP.width / 2, CARD_CROP.height / 2),
      rotate(jitter * random.between(-0.05, 0.05)),
      shear(jitter * random.between(-0.06, 0.06)),
      tilt(jitter * random.between(-0.004, 0.004), jitter * random.between(-0.003, 0.003)),
      scale(1 / s),
      translate(-CARD_CROP.width / 2, -CARD_CROP.height / 2),
    );
    const data = ctx.getImageData(0, 0, side, side).data;
    let pixels = warp(data, side, side, outToSrc, CARD_CROP.width, CARD_CROP.height, 2, [7, 68, 42]);
    if (!clean) {
      pixels = await degrade(pixels, CARD_CROP.width, CARD_CROP.height, randomDegradation(random), random);
    }
    const label: CardLabel = card ?? 'none';
    return { pixels, label, labelClass: cardLabelClass(label), position, deck: deckName };
  }

  /** A card (face, or back for `null`) centred at (cx, cy), placed with the dealer's imprecision. */
  async #drawCard(
    ctx: ReturnType<Canvas['getContext']>,
    deck: CardDeck,
    card: Card | null,
    cx: number,
    cy: number,
    sideways: boolean,
    random: SeededRandom,
    jitter: number,
    augment: { restyle: Card | null; middle: Card | null } = { restyle: null, middle: null },
  ): Promise<void> {
    const size = [
      Math.round(CARD_SIZE.height * (await deck.aspect()) * SRC_SCALE),
      CARD_SIZE.height * SRC_SCALE,
    ] as const;
    const image: Image = await deck.render(card, ...size);
    const w = image.width / SRC_SCALE;
    const h = image.height / SRC_SCALE;
    ctx.save();
    ctx.translate(cx + jitter * 2 * K * gaussian(random), cy + jitter * 2 * K * gaussian(random));
    // Up to ±15° off square; the face may be either way up (decks are point-symmetric anyway).
    ctx.rotate(
      (sideways ? Math.PI / 2 : 0) + jitter * random.between(-0.26, 0.26) + (random.next() < 0.5 ? Math.PI : 0),
    );
    ctx.fillStyle = 'rgba(0,0,0,0.35)';
    ctx.fillRect(-w / 2 + 1.5 * K, -h / 2 + 2 * K, w, h);
    ctx.drawImage(image, -w / 2, -h / 2, w, h);
    if (augment.middle) paintMiddle(ctx, await deck.render(augment.middle, ...size), w, h);
    if (augment.restyle) restyleIndex(ctx, augment.restyle, w, h, random);
    ctx.restore();
  }
}

export const FACE_RANKS: readonly Rank[] = ['J', 'Q', 'K'];

/** What a crop shows: a face card (figure), a number card (pips) or no card. */
export function cardKind(label: CardLabel): 'face' | 'number' | 'none' {
  if (label === 'none') return 'none';
  return FACE_RANKS.includes(label.rank) ? 'face' : 'number';
}

/** The card whose middle replaces `card`'s: another card, and another face card for a face card. */
export function otherMiddle(random: SeededRandom, card: Card): Card {
  const face = cardKind(card) === 'face';
  return pick(
    random,
    ALL_CARDS.filter((c) => cardIndex(c) !== cardIndex(card) && (!face || FACE_RANKS.includes(c.rank))),
  );
}

/**
 * Decks whose face cards keep their own figure in training: oxygen's index is a few white pixels
 * on a dark card at 640x360, and its silhouettes (profile, hair, crown) are what tells J, Q and K.
 */
const FIGURE_DECKS: readonly DeckName[] = ['svg-oxygen'];
