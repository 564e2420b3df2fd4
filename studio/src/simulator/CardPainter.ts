import { type Card, type Suit, isRedSuit } from '@live-casino/protocol/games/baccarat';
import { type Canvas2D, FONT_FAMILY, roundedRectPath } from './Canvas2D.js';

const RED_INK = '#c8102e';
const BLACK_INK = '#141414';

/**
 * Suit pips are paths, not font glyphs: the symbol fonts differ between machines and browsers,
 * and the vision model is trained on these exact shapes.
 */
export function drawSuit(ctx: Canvas2D, suit: Suit, cx: number, cy: number, size: number): void {
  ctx.save();
  ctx.translate(cx, cy);
  ctx.scale(size, size);
  ctx.beginPath();
  switch (suit) {
    case 'hearts':
      ctx.moveTo(0, 0.45);
      ctx.bezierCurveTo(-0.15, 0.3, -0.5, 0.1, -0.5, -0.15);
      ctx.bezierCurveTo(-0.5, -0.42, -0.18, -0.52, 0, -0.25);
      ctx.bezierCurveTo(0.18, -0.52, 0.5, -0.42, 0.5, -0.15);
      ctx.bezierCurveTo(0.5, 0.1, 0.15, 0.3, 0, 0.45);
      ctx.closePath();
      break;
    case 'diamonds':
      ctx.moveTo(0, -0.5);
      ctx.quadraticCurveTo(0.16, -0.2, 0.38, 0);
      ctx.quadraticCurveTo(0.16, 0.2, 0, 0.5);
      ctx.quadraticCurveTo(-0.16, 0.2, -0.38, 0);
      ctx.quadraticCurveTo(-0.16, -0.2, 0, -0.5);
      ctx.closePath();
      break;
    case 'spades':
      ctx.moveTo(0, -0.5);
      ctx.bezierCurveTo(-0.15, -0.3, -0.5, -0.12, -0.5, 0.1);
      ctx.bezierCurveTo(-0.5, 0.34, -0.18, 0.4, -0.02, 0.2);
      ctx.lineTo(0.02, 0.2);
      ctx.bezierCurveTo(0.18, 0.4, 0.5, 0.34, 0.5, 0.1);
      ctx.bezierCurveTo(0.5, -0.12, 0.15, -0.3, 0, -0.5);
      ctx.closePath();
      break;
    case 'clubs':
      ctx.arc(0, -0.25, 0.21, 0, 2 * Math.PI);
      ctx.moveTo(-0.04, 0.07);
      ctx.arc(-0.25, 0.07, 0.21, 0, 2 * Math.PI);
      ctx.moveTo(0.46, 0.07);
      ctx.arc(0.25, 0.07, 0.21, 0, 2 * Math.PI);
      ctx.moveTo(0, -0.1);
      ctx.lineTo(0.12, 0.1);
      ctx.lineTo(-0.12, 0.1);
      ctx.closePath();
      break;
    default: {
      const unknown: never = suit;
      throw new Error(`unknown suit ${String(unknown)}`);
    }
  }
  ctx.fillStyle = isRedSuit(suit) ? RED_INK : BLACK_INK;
  ctx.fill();
  // The stem is its own path: its winding differs from the body's, which would punch a hole.
  if (suit === 'spades' || suit === 'clubs') {
    stemPath(ctx);
    ctx.fill();
  }
  ctx.restore();
}

function stemPath(ctx: Canvas2D): void {
  ctx.beginPath();
  ctx.moveTo(-0.05, 0.12);
  ctx.quadraticCurveTo(-0.02, 0.4, -0.2, 0.5);
  ctx.lineTo(0.2, 0.5);
  ctx.quadraticCurveTo(0.02, 0.4, 0.05, 0.12);
  ctx.closePath();
}

/**
 * A playing card with its top-left corner at (x, y). `flip` in [-1, 1] squashes it horizontally
 * for the turn-over animation: positive shows the face, negative the back.
 */
export function drawCard(
  ctx: Canvas2D,
  card: Card | null,
  x: number,
  y: number,
  w: number,
  h: number,
  { sideways = false, flip = 1 }: { sideways?: boolean; flip?: number } = {},
): void {
  ctx.save();
  ctx.translate(x + (sideways ? h : w) / 2, y + (sideways ? w : h) / 2);
  if (sideways) ctx.rotate(Math.PI / 2);
  ctx.scale(Math.max(0.02, Math.abs(flip)), 1);
  ctx.translate(-w / 2, -h / 2);

  // A hard offset shadow: shadowBlur would cost a blur pass per card per frame.
  ctx.fillStyle = 'rgba(0,0,0,0.35)';
  roundedRectPath(ctx, 2, 2.5, w, h, w * 0.09);
  ctx.fill();

  if (!card || flip < 0) drawCardBack(ctx, w, h);
  else drawCardFace(ctx, card, w, h);
  ctx.restore();
}

function drawCardFace(ctx: Canvas2D, card: Card, w: number, h: number): void {
  ctx.fillStyle = '#fdfdf8';
  roundedRectPath(ctx, 0, 0, w, h, w * 0.09);
  ctx.fill();
  ctx.strokeStyle = '#9a9a94';
  ctx.lineWidth = 0.8;
  ctx.stroke();

  const ink = isRedSuit(card.suit) ? RED_INK : BLACK_INK;
  const rankSize = h * 0.2;
  const corner = (): void => {
    ctx.fillStyle = ink;
    ctx.font = `bold ${rankSize}px ${FONT_FAMILY}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const cx = w * 0.17;
    ctx.fillText(card.rank, cx, h * 0.05, w * 0.3);
    drawSuit(ctx, card.suit, cx, h * 0.05 + rankSize * 1.45, h * 0.13);
  };
  corner();
  ctx.save();
  ctx.translate(w, h);
  ctx.rotate(Math.PI);
  corner();
  ctx.restore();

  if (card.rank === 'J' || card.rank === 'Q' || card.rank === 'K') {
    // Court cards: a framed panel with the letter, so they read as court cards at a glance.
    const fx = w * 0.3;
    const fy = h * 0.2;
    const fw = w * 0.4;
    const fh = h * 0.6;
    ctx.fillStyle = isRedSuit(card.suit) ? '#fbe3e3' : '#e6e9f2';
    ctx.fillRect(fx, fy, fw, fh);
    ctx.strokeStyle = '#c9a23c';
    ctx.lineWidth = 1.2;
    ctx.strokeRect(fx, fy, fw, fh);
    ctx.fillStyle = ink;
    ctx.font = `bold ${h * 0.3}px ${FONT_FAMILY}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(card.rank, w / 2, h * 0.42);
    drawSuit(ctx, card.suit, w / 2, h * 0.66, h * 0.16);
  } else {
    drawSuit(ctx, card.suit, w / 2, h / 2, Math.min(w * 0.55, h * 0.38));
  }
}

function drawCardBack(ctx: Canvas2D, w: number, h: number): void {
  ctx.fillStyle = '#fdfdf8';
  roundedRectPath(ctx, 0, 0, w, h, w * 0.09);
  ctx.fill();
  const m = w * 0.08;
  ctx.fillStyle = '#7d1420';
  roundedRectPath(ctx, m, m, w - 2 * m, h - 2 * m, w * 0.05);
  ctx.fill();
  ctx.save();
  ctx.clip();
  ctx.strokeStyle = 'rgba(255,255,255,0.28)';
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let d = -h; d < w + h; d += 6) {
    ctx.moveTo(d, 0);
    ctx.lineTo(d + h, h);
    ctx.moveTo(d, h);
    ctx.lineTo(d + h, 0);
  }
  ctx.stroke();
  ctx.restore();
}
