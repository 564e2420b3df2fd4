import { encodeTimecode, timecodeCellRects } from '@live-casino/protocol';
import { type Canvas2D, FONT_FAMILY, roundedRectPath } from './Canvas2D.js';

/** Scenes are laid out on this reference frame and scaled to the feed's size. */
export const REF_WIDTH = 640;
export const REF_HEIGHT = 360;
/** Scenes keep this top band (reference pixels) free of content: the studio bug goes there. */
export const HEADER_HEIGHT = 46;

/**
 * The studio "bug" burned into every frame: the machine-readable timecode strip and, under it,
 * the table name and the capture time as UTC text for humans. Drawn last, in device pixels, so no
 * scene transform can move a timecode cell off the grid `decodeTimecode` samples.
 */
export function drawStudioOverlay(
  ctx: Canvas2D,
  width: number,
  height: number,
  tableName: string,
  studioTimeMs: number,
): void {
  const sx = width / REF_WIDTH;
  const sy = height / REF_HEIGHT;
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.globalAlpha = 1;

  const shade = ctx.createLinearGradient(0, 0, 0, HEADER_HEIGHT * sy);
  shade.addColorStop(0, 'rgba(0,0,0,0.75)');
  shade.addColorStop(1, 'rgba(0,0,0,0.35)');
  ctx.fillStyle = shade;
  ctx.fillRect(0, 0, width, HEADER_HEIGHT * sy);

  drawTimecode(ctx, width, height, studioTimeMs);

  ctx.scale(sx, sy);
  ctx.textBaseline = 'middle';
  ctx.font = `bold 12px ${FONT_FAMILY}`;
  ctx.textAlign = 'left';
  ctx.fillStyle = '#f4d77a';
  ctx.fillText(tableName.toUpperCase(), 16, 35, 360);
  ctx.font = `bold 12px "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace`;
  ctx.textAlign = 'right';
  ctx.fillStyle = '#ffffff';
  ctx.fillText(`${formatUtc(studioTimeMs)} UTC`, REF_WIDTH - 16, 35);
  // A small "live" dot, as broadcast bugs have.
  ctx.fillStyle = '#e0262f';
  ctx.beginPath();
  ctx.arc(REF_WIDTH - 16 - 128, 35, 3.5, 0, 2 * Math.PI);
  ctx.fill();
  ctx.restore();
}

/** The timecode cells on a solid black strip a little larger than the cells. */
export function drawTimecode(ctx: Canvas2D, width: number, height: number, studioTimeMs: number): void {
  const bits = encodeTimecode(Math.floor(studioTimeMs));
  const rects = timecodeCellRects(width, height);
  const first = rects[0];
  const last = rects[rects.length - 1];
  if (!first || !last) return;
  // The margin keeps the scene's colours out of the encoder's blocks that straddle the edge cells.
  const pad = Math.max(2, Math.round(3 * (width / REF_WIDTH)));
  ctx.fillStyle = '#000000';
  ctx.fillRect(first.x - pad, first.y - pad, last.x + last.w - first.x + 2 * pad, first.h + 2 * pad);
  ctx.fillStyle = '#ffffff';
  rects.forEach((r, i) => {
    if (bits[i] === 1) ctx.fillRect(r.x, r.y, r.w, r.h);
  });
}

/** HH:MM:SS.mmm of a studio time, in UTC. */
export function formatUtc(studioTimeMs: number): string {
  const d = new Date(Math.floor(studioTimeMs));
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

/**
 * A status panel: the phase in large letters and, while a window is open, a bar and the seconds
 * left, so a viewer can see the betting window close on the video itself.
 */
export function drawPhaseBanner(
  ctx: Canvas2D,
  x: number,
  y: number,
  w: number,
  title: string,
  colour: string,
  countdown: { remainingMs: number; totalMs: number } | null,
): void {
  const h = countdown ? 64 : 44;
  ctx.fillStyle = 'rgba(0,0,0,0.45)';
  roundedRectPath(ctx, x, y, w, h, 8);
  ctx.fill();
  ctx.strokeStyle = 'rgba(244,215,122,0.6)';
  ctx.lineWidth = 1;
  ctx.stroke();
  ctx.fillStyle = colour;
  ctx.font = `bold 20px ${FONT_FAMILY}`;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.fillText(title, x + 12, y + 22);
  if (!countdown) return;
  const remaining = Math.max(0, countdown.remainingMs);
  const seconds = Math.ceil(remaining / 1000);
  ctx.textAlign = 'right';
  ctx.fillStyle = '#fff';
  ctx.fillText(`${seconds}s`, x + w - 12, y + 22);
  const barX = x + 12;
  const barW = w - 24;
  ctx.fillStyle = 'rgba(255,255,255,0.18)';
  ctx.fillRect(barX, y + 44, barW, 8);
  const left = Math.min(1, remaining / countdown.totalMs);
  ctx.fillStyle = left > 0.3 ? '#3ccf6e' : left > 0.12 ? '#f0b43c' : '#e0413a';
  ctx.fillRect(barX, y + 44, barW * left, 8);
}
