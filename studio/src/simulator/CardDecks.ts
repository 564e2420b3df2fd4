import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type Card, RANKS, type Rank, SUITS, type Suit } from '@live-casino/protocol/games/baccarat';
import { type Canvas, type Image, createCanvas, loadImage } from '@napi-rs/canvas';
import { BACCARAT_LAYOUT } from './BaccaratScene.js';
import type { CardArt } from './CardArt.js';

/** Where Debian's kdegames-card-data-kf5 puts its SVG decks. */
export const CARD_DECKS_DIR = '/usr/share/carddecks';
export const CARD_DECKS_PACKAGE = 'kdegames-card-data-kf5';

/** Decks the card reader may be trained (and validated, "seen-test") on. */
export const TRAIN_DECKS = [
  'svg-standard',
  'svg-dondorf',
  'svg-nicu-ornamental',
  'svg-oxygen',
  'svg-jolly-royal',
  'svg-penguins',
] as const;

/** Decks never shown in training: the unseen-deck test of generalisation to new artwork. */
export const HELD_OUT_DECKS = ['svg-gm-paris', 'svg-nicu-white', 'svg-ancient-egyptians'] as const;

export type TrainDeck = (typeof TRAIN_DECKS)[number];
export type HeldOutDeck = (typeof HELD_OUT_DECKS)[number];
export type DeckName = TrainDeck | HeldOutDeck;

/** The 52 cards in a fixed order (suit-major, ranks A..K): the class index of the card reader. */
export const ALL_CARDS: readonly Card[] = SUITS.flatMap((suit) => RANKS.map((rank) => ({ rank, suit })));

export function cardIndex(card: Card): number {
  return SUITS.indexOf(card.suit) * RANKS.length + RANKS.indexOf(card.rank);
}

export type CardDeckErrorCode = 'CARD_DECKS_NOT_INSTALLED' | 'CARD_DECK_UNKNOWN' | 'CARD_DECK_BAD_SVG';

export class CardDeckError extends Error {
  override readonly name = 'CardDeckError';
  constructor(
    readonly code: CardDeckErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const RANK_IDS: Record<Rank, string> = {
  A: '1',
  '2': '2',
  '3': '3',
  '4': '4',
  '5': '5',
  '6': '6',
  '7': '7',
  '8': '8',
  '9': '9',
  '10': '10',
  J: 'jack',
  Q: 'queen',
  K: 'king',
};
const SUIT_IDS: Record<Suit, string> = { spades: 'spade', hearts: 'heart', diamonds: 'diamond', clubs: 'club' };

/** The element id of a card in a KDE deck SVG (`1_club`, `king_heart`). */
export function kdeCardId(card: Card): string {
  return `${RANK_IDS[card.rank]}_${SUIT_IDS[card.suit]}`;
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * One KDE deck: the whole sheet of 52 cards in one SVG. A single card is rendered by putting the
 * whole sheet into <defs> and <use>-ing the card's element (wrapped in its ancestors' transforms,
 * which <use> does not inherit), with the viewBox set to the card's bounds. The bounds are
 * measured once per card from the alpha of a low-resolution render, which needs no SVG geometry
 * code and copes with every deck's own structure (groups, clones, embedded bitmaps).
 */
export class CardDeck {
  readonly name: DeckName;
  readonly #defs: string;
  readonly #sheet: Box;
  readonly #transforms: ReadonlyMap<string, string>;
  readonly #bounds = new Map<string, Box>();
  readonly #images = new Map<string, Image>();

  private constructor(name: DeckName, defs: string, sheet: Box, transforms: ReadonlyMap<string, string>) {
    this.name = name;
    this.#defs = defs;
    this.#sheet = sheet;
    this.#transforms = transforms;
  }

  static load(name: DeckName): CardDeck {
    const dir = join(deckRoot(), name);
    if (!existsSync(dir)) {
      throw new CardDeckError(
        'CARD_DECKS_NOT_INSTALLED',
        `card deck ${name} not found under ${deckRoot()}: run "apt-get install -y ${CARD_DECKS_PACKAGE}"`,
      );
    }
    const file = readdirSync(dir).find((f) => f.endsWith('.svgz') || f.endsWith('.svg'));
    if (!file) throw new CardDeckError('CARD_DECK_BAD_SVG', `no SVG in ${dir}`);
    const raw = readFileSync(join(dir, file));
    const text = (file.endsWith('.svgz') ? gunzipSync(raw) : raw).toString('utf8');
    const root = /<svg\b[^>]*>/.exec(text);
    const end = text.lastIndexOf('</svg>');
    if (!root || end < 0) throw new CardDeckError('CARD_DECK_BAD_SVG', `${file} has no <svg> root`);
    const sheet = sheetBox(root[0], file);
    const namespaces = [...root[0].matchAll(/\sxmlns(:[\w-]+)?="[^"]*"/g)].map((m) => m[0]).join('');
    const body = text.slice(root.index + root[0].length, end);
    const wanted = new Set([...ALL_CARDS.map(kdeCardId), 'back']);
    const transforms = ancestorTransforms(body, wanted);
    for (const id of wanted) {
      if (!transforms.has(id)) throw new CardDeckError('CARD_DECK_BAD_SVG', `${file} has no element "${id}"`);
    }
    const defs = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"${namespaces.replace(/\sxmlns(:xlink)?="[^"]*"/g, '')}`;
    return new CardDeck(name, `${defs} %ATTRS%><defs>${body}</defs>%USE%</svg>`, sheet, transforms);
  }

  /** A card face (or the back, `null`) rendered `width` x `height` px, the artwork stretched to fill. */
  async render(card: Card | null, width: number, height: number): Promise<Image> {
    const id = card ? kdeCardId(card) : 'back';
    const key = `${id}@${width}x${height}`;
    const cached = this.#images.get(key);
    if (cached) return cached;
    const box = await this.bounds(id);
    const svg = this.#svg(id, box, width, height);
    const image = await loadImage(Buffer.from(svg));
    this.#images.set(key, image);
    return image;
  }

  /**
   * The card's bounds in sheet units, from the alpha of renders of that card alone: a coarse pass
   * over three times the sheet (some decks keep the back outside their viewBox), then a fine one.
   */
  async bounds(id: string): Promise<Box> {
    const cached = this.#bounds.get(id);
    if (cached) return cached;
    const s = this.#sheet;
    const area = { x: s.x - s.w, y: s.y - s.h, w: 3 * s.w, h: 3 * s.h };
    const coarse = await this.#measure(id, area, Math.min(1, 1200 / area.w));
    if (!coarse) throw new CardDeckError('CARD_DECK_BAD_SVG', `${this.name}: element "${id}" renders empty`);
    const pad = 2 / Math.min(1, 1200 / area.w);
    const near = { x: coarse.x - pad, y: coarse.y - pad, w: coarse.w + 2 * pad, h: coarse.h + 2 * pad };
    const bounds = (await this.#measure(id, near, 4)) ?? coarse;
    this.#bounds.set(id, bounds);
    return bounds;
  }

  async #measure(id: string, area: Box, scale: number): Promise<Box | null> {
    const w = Math.ceil(area.w * scale);
    const h = Math.ceil(area.h * scale);
    const image = await loadImage(Buffer.from(this.#svg(id, area, w, h)));
    const canvas = createCanvas(w, h);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(image, 0, 0, w, h);
    const box = alphaBounds(ctx.getImageData(0, 0, w, h).data, w, h);
    return box && { x: area.x + box.x / scale, y: area.y + box.y / scale, w: box.w / scale, h: box.h / scale };
  }

  /** Width / height of the deck's cards (from the ace of spades). */
  async aspect(): Promise<number> {
    const box = await this.bounds(kdeCardId({ rank: 'A', suit: 'spades' }));
    return box.w / box.h;
  }

  #svg(id: string, box: Box, width: number, height: number): string {
    const attrs = `width="${width}" height="${height}" viewBox="${box.x} ${box.y} ${box.w} ${box.h}" preserveAspectRatio="none"`;
    const use = `<g transform="${this.#transforms.get(id) ?? ''}"><use xlink:href="#${id}" href="#${id}"/></g>`;
    return this.#defs.replace('%ATTRS%', attrs).replace('%USE%', use);
  }
}

/** Loads decks once per process (parsing Dondorf's 20 MB of SVG takes a while). */
export class CardDecks {
  readonly #decks = new Map<DeckName, CardDeck>();

  get(name: DeckName): CardDeck {
    let deck = this.#decks.get(name);
    if (!deck) {
      deck = CardDeck.load(name);
      this.#decks.set(name, deck);
    }
    return deck;
  }
}

/** Every deck this project may use (training and held-out): the only valid deck names. */
export const DECK_NAMES: readonly DeckName[] = [...TRAIN_DECKS, ...HELD_OUT_DECKS];

export function isDeckName(name: string): name is DeckName {
  return (DECK_NAMES as readonly string[]).includes(name);
}

/** Whether a deck's artwork is installed (the package may be missing on a bare machine). */
export function isDeckInstalled(name: DeckName): boolean {
  return existsSync(join(deckRoot(), name));
}

/**
 * A deck's 52 faces and back pre-rendered for BaccaratScene, `pxPerUnit` pixels per reference
 * unit (2: drawn down into a 640x360 frame, as the training crops are drawn down into theirs).
 */
export async function loadCardArt(deck: CardDeck, pxPerUnit = 2): Promise<CardArt> {
  if (!(pxPerUnit > 0 && pxPerUnit <= 8)) throw new RangeError(`pxPerUnit ${pxPerUnit} must be in (0, 8]`);
  const aspect = await deck.aspect();
  const h = Math.round(BACCARAT_LAYOUT.cardHeight * pxPerUnit);
  const w = Math.round(BACCARAT_LAYOUT.cardHeight * aspect * pxPerUnit);
  const faces: Image[] = [];
  for (const card of ALL_CARDS) faces.push(await deck.render(card, w, h));
  const back = await deck.render(null, w, h);
  return { deck: deck.name, aspect, face: (card) => faces[cardIndex(card)] as Image, back };
}

/** Throws the install hint unless every allowed deck is present. */
export function assertCardDecksInstalled(): void {
  const missing = [...TRAIN_DECKS, ...HELD_OUT_DECKS].filter((d) => !existsSync(join(deckRoot(), d)));
  if (missing.length > 0) {
    throw new CardDeckError(
      'CARD_DECKS_NOT_INSTALLED',
      `card decks missing under ${deckRoot()} (${missing.join(', ')}): run "apt-get install -y ${CARD_DECKS_PACKAGE}"`,
    );
  }
}

function deckRoot(): string {
  return process.env.CARD_DECKS_DIR ?? CARD_DECKS_DIR;
}

function sheetBox(rootTag: string, file: string): Box {
  const viewBox = /\sviewBox="([^"]*)"/.exec(rootTag);
  if (viewBox) {
    const [x, y, w, h] = (viewBox[1] as string)
      .trim()
      .split(/[\s,]+/)
      .map(Number);
    if ([x, y, w, h].every((v) => Number.isFinite(v))) return { x: x!, y: y!, w: w!, h: h! };
  }
  const w = Number.parseFloat(/\swidth="([^"]*)"/.exec(rootTag)?.[1] ?? '');
  const h = Number.parseFloat(/\sheight="([^"]*)"/.exec(rootTag)?.[1] ?? '');
  if (!(w > 0 && h > 0)) throw new CardDeckError('CARD_DECK_BAD_SVG', `${file}: no viewBox or size on <svg>`);
  return { x: 0, y: 0, w, h };
}

/**
 * For each wanted id, the concatenated `transform` attributes of its ancestors (outermost first),
 * found with a tag scanner: enough for Inkscape's output, and far faster than a DOM for 20 MB.
 */
export function ancestorTransforms(body: string, wanted: ReadonlySet<string>): Map<string, string> {
  const found = new Map<string, string>();
  const stack: string[] = [];
  const tag =
    /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<[?!][^>]*>|<(\/?)([\w:.-]+)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g;
  for (let m = tag.exec(body); m; m = tag.exec(body)) {
    const name = m[2];
    if (!name) continue;
    if (m[1]) {
      stack.pop();
      continue;
    }
    const attrs = m[3] ?? '';
    const id = /\sid="([^"]*)"/.exec(attrs)?.[1];
    if (id && wanted.has(id) && !found.has(id)) found.set(id, stack.filter((t) => t).join(' '));
    if (!m[4]) stack.push(/\stransform="([^"]*)"/.exec(attrs)?.[1] ?? '');
  }
  return found;
}

/** Bounding box of pixels with alpha above a threshold, or null if none. */
export function alphaBounds(rgba: Uint8ClampedArray, width: number, height: number): Box | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width * 4;
    for (let x = 0; x < width; x++) {
      if ((rgba[row + x * 4 + 3] as number) > 16) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

export type { Canvas };
