import type { Card } from '@live-casino/protocol/games/baccarat';
import type { CanvasImageLike } from './Canvas2D.js';

/**
 * A deck's artwork pre-rendered for a scene: the 52 faces and the back, as images the scene's
 * canvas can draw synchronously (an SVG render is async, a frame is not). Cards are drawn
 * `cardHeight` reference units tall and `aspect` x that wide, centred on their dealing position:
 * the placement the vision training crops assume.
 */
export interface CardArt {
  /** The deck's name (`svg-standard`...). */
  readonly deck: string;
  /** Width / height of the deck's cards. */
  readonly aspect: number;
  face(card: Card): CanvasImageLike;
  readonly back: CanvasImageLike;
}
