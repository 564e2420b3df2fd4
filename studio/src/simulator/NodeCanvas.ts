import { createCanvas } from '@napi-rs/canvas';
import { BaccaratScene } from './BaccaratScene.js';
import type { Canvas2D, LayerFactory } from './Canvas2D.js';
import type { CardArt } from './CardArt.js';
import { RouletteScene } from './RouletteScene.js';
import type { GameKind, SceneOptions, TableScene } from './SceneTypes.js';

/** Offscreen layers backed by @napi-rs/canvas (Skia), for scenes running in Node. */
export const nodeLayerFactory: LayerFactory = (width, height) => {
  const canvas = createCanvas(width, height);
  return { image: canvas, ctx: canvas.getContext('2d') satisfies Canvas2D };
};

/** A simulated table of the given game, with Node offscreen layers (and a deck's cards, if given). */
export function createSimulatedScene(game: GameKind, opts: SceneOptions & { cardArt?: CardArt }): TableScene {
  switch (game) {
    case 'roulette':
      return new RouletteScene({
        tableName: opts.tableName,
        seed: opts.seed,
        epochMs: opts.epochMs,
        createLayer: nodeLayerFactory,
      });
    case 'baccarat':
      return new BaccaratScene({ ...opts, createLayer: nodeLayerFactory });
    default: {
      const unknown: never = game;
      throw new RangeError(`no simulator for game ${String(unknown)}`);
    }
  }
}
