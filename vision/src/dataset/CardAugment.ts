/**
 * Training-only alterations of a dealt card, drawn in the card's own frame (centred at the origin,
 * w x h reference units). CardCropRenderer decides which card gets which (see its rates); these
 * only paint. Both make the model read the corner index, the one part of a card that every deck
 * draws alike, so that a held-out deck's king is read by its "K" and not by a figure never seen.
 */
import type { Card } from '@live-casino/protocol/games/baccarat';
import type { Canvas, Image } from '@napi-rs/canvas';
import { type SeededRandom, pick } from './Augment.js';

type Ctx = ReturnType<Canvas['getContext']>;

/**
 * The middle of another card (`other`, rendered at the card's size) between this card's indices:
 * a figure or pips that say nothing about the card.
 */
export function paintMiddle(ctx: Ctx, other: Image, w: number, h: number): void {
  const [x0, x1, y0, y1] = [0.18, 0.82, 0.03, 0.97];
  ctx.drawImage(
    other,
    x0 * other.width,
    y0 * other.height,
    (x1 - x0) * other.width,
    (y1 - y0) * other.height,
    -w / 2 + x0 * w,
    -h / 2 + y0 * h,
    (x1 - x0) * w,
    (y1 - y0) * h,
  );
}

/** Typefaces of Debian's fonts-dejavu and fonts-liberation (napi-rs/canvas finds system fonts). */
const INDEX_FONTS = [
  'DejaVu Sans',
  'DejaVu Serif',
  'DejaVu Sans Mono',
  'DejaVu Sans Condensed',
  'DejaVu Serif Condensed',
  'Liberation Sans',
  'Liberation Serif',
  'Liberation Sans Narrow',
  'Liberation Mono',
] as const;
/** Faces with their own suit symbols (U+2660-2666), so that a heart is not always DejaVu's heart. */
const SUIT_FONTS = ['DejaVu Sans', 'DejaVu Serif', 'DejaVu Sans Mono', 'Liberation Sans', 'Liberation Serif'] as const;
const SUIT_GLYPHS = { spades: '\u2660', hearts: '\u2665', diamonds: '\u2666', clubs: '\u2663' } as const;

/**
 * Training-only augmentation: both corner indices of a card (drawn centred at the origin, w x h)
 * painted over with paper and drawn again in a random typeface, size, weight and ink. Six training
 * decks show the model only six ways to write "K"; a held-out deck's index is a seventh, and the
 * index is what tells a king from a queen in a deck whose figures the model has never seen.
 */
export function restyleIndex(ctx: Ctx, card: Card, w: number, h: number, random: SeededRandom): void {
  const red = card.suit === 'hearts' || card.suit === 'diamonds';
  const tone = random.between(225, 255);
  const paper = `rgb(${tone},${tone - random.between(0, 12)},${tone - random.between(0, 25)})`;
  const ink = red
    ? `rgb(${random.between(150, 235)},${random.between(0, 40)},${random.between(0, 50)})`
    : `rgb(${random.between(0, 45)},${random.between(0, 45)},${random.between(0, 55)})`;
  const family = pick(random, INDEX_FONTS);
  const weight = random.next() < 0.5 ? 'bold ' : '';
  const italic = random.next() < 0.15 ? 'italic ' : '';
  const rankSize = h * random.between(0.11, 0.17);
  const suitSize = h * random.between(0.08, 0.13);
  const boxW = w * random.between(0.15, 0.2);
  const boxH = h * random.between(0.25, 0.3);
  const inset = random.between(0.01, 0.03);
  const rank = card.rank === '10' && random.next() < 0.2 ? 'T' : card.rank;
  for (const turn of [0, Math.PI]) {
    ctx.save();
    ctx.rotate(turn);
    const x0 = -w / 2 + w * inset;
    const y0 = -h / 2 + h * inset;
    ctx.fillStyle = paper;
    ctx.fillRect(x0, y0, boxW, boxH);
    ctx.fillStyle = ink;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const cx = x0 + boxW / 2;
    ctx.font = `${italic}${weight}${rankSize.toFixed(1)}px "${family}"`;
    const rankW = ctx.measureText(rank).width;
    // A "10" wider than its box is squeezed, as decks do.
    const squeeze = Math.min(1, (boxW * 0.95) / Math.max(rankW, 1));
    ctx.save();
    ctx.translate(cx, y0 + h * 0.01);
    ctx.scale(squeeze, 1);
    ctx.fillText(rank, 0, 0);
    ctx.restore();
    ctx.font = `${suitSize.toFixed(1)}px "${pick(random, SUIT_FONTS)}"`;
    ctx.fillText(SUIT_GLYPHS[card.suit], cx, y0 + h * 0.01 + rankSize * random.between(0.85, 1.0));
    ctx.restore();
  }
}
