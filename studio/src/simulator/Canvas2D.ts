/**
 * The part of CanvasRenderingContext2D the scenes draw with. Declared structurally (the workspace
 * compiles without the DOM lib) so that both a browser canvas and @napi-rs/canvas satisfy it; keep
 * to long-standing standard members (no roundRect, no filters) so any canvas can run a scene.
 */
export interface CanvasGradientLike {
  addColorStop(offset: number, color: string): void;
}

export interface CanvasPatternLike {
  setTransform(transform?: object): void;
}

/** Anything drawImage takes: another canvas used as a pre-rendered layer. */
export interface CanvasImageLike {
  readonly width: number;
  readonly height: number;
}

export type CanvasPaint = string | CanvasGradientLike | CanvasPatternLike;

export interface Canvas2D {
  fillStyle: CanvasPaint;
  strokeStyle: CanvasPaint;
  lineWidth: number;
  lineCap: 'butt' | 'round' | 'square';
  lineJoin: 'bevel' | 'miter' | 'round';
  globalAlpha: number;
  font: string;
  textAlign: 'center' | 'end' | 'left' | 'right' | 'start';
  textBaseline: 'alphabetic' | 'bottom' | 'hanging' | 'ideographic' | 'middle' | 'top';

  save(): void;
  restore(): void;
  translate(x: number, y: number): void;
  rotate(angle: number): void;
  scale(x: number, y: number): void;
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;

  beginPath(): void;
  closePath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  arc(x: number, y: number, radius: number, startAngle: number, endAngle: number, counterclockwise?: boolean): void;
  arcTo(x1: number, y1: number, x2: number, y2: number, radius: number): void;
  bezierCurveTo(cp1x: number, cp1y: number, cp2x: number, cp2y: number, x: number, y: number): void;
  quadraticCurveTo(cpx: number, cpy: number, x: number, y: number): void;
  ellipse(
    x: number,
    y: number,
    radiusX: number,
    radiusY: number,
    rotation: number,
    startAngle: number,
    endAngle: number,
    counterclockwise?: boolean,
  ): void;
  rect(x: number, y: number, w: number, h: number): void;
  fill(fillRule?: 'evenodd' | 'nonzero'): void;
  stroke(): void;
  clip(fillRule?: 'evenodd' | 'nonzero'): void;

  fillRect(x: number, y: number, w: number, h: number): void;
  strokeRect(x: number, y: number, w: number, h: number): void;
  fillText(text: string, x: number, y: number, maxWidth?: number): void;
  measureText(text: string): { width: number };

  createLinearGradient(x0: number, y0: number, x1: number, y1: number): CanvasGradientLike;
  createRadialGradient(x0: number, y0: number, r0: number, x1: number, y1: number, r1: number): CanvasGradientLike;
  drawImage(image: CanvasImageLike, dx: number, dy: number): void;
  drawImage(image: CanvasImageLike, dx: number, dy: number, dw: number, dh: number): void;
}

/**
 * Makes an offscreen canvas the scenes can pre-render static parts into (the felt, the wheel's
 * rotor) and blit each frame: drawing 37 rotated numbers every frame costs far more than one
 * drawImage. Node passes @napi-rs/canvas's createCanvas; a browser passes OffscreenCanvas.
 */
export type LayerFactory = (width: number, height: number) => { image: CanvasImageLike; ctx: Canvas2D };

/** A rounded rectangle path (arcTo, because roundRect is too recent for every canvas). */
export function roundedRectPath(ctx: Canvas2D, x: number, y: number, w: number, h: number, r: number): void {
  const radius = Math.min(r, w / 2, h / 2);
  ctx.beginPath();
  ctx.moveTo(x + radius, y);
  ctx.arcTo(x + w, y, x + w, y + h, radius);
  ctx.arcTo(x + w, y + h, x, y + h, radius);
  ctx.arcTo(x, y + h, x, y, radius);
  ctx.arcTo(x, y, x + w, y, radius);
  ctx.closePath();
}

export const FONT_FAMILY = '"DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif';
export const SERIF_FAMILY = '"DejaVu Serif", "Liberation Serif", Georgia, "Times New Roman", serif';
