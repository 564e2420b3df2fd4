export { BACCARAT_LAYOUT, BACCARAT_TIMELINE, BaccaratScene } from './BaccaratScene.js';
export {
  ALL_CARDS,
  alphaBounds,
  ancestorTransforms,
  assertCardDecksInstalled,
  CARD_DECKS_DIR,
  CARD_DECKS_PACKAGE,
  CardDeck,
  CardDeckError,
  CardDecks,
  cardIndex,
  DECK_NAMES,
  HELD_OUT_DECKS,
  isDeckInstalled,
  isDeckName,
  kdeCardId,
  loadCardArt,
  TRAIN_DECKS,
} from './CardDecks.js';
export type { CardArt } from './CardArt.js';
export type { Canvas, CardDeckErrorCode, DeckName, HeldOutDeck, TrainDeck } from './CardDecks.js';
export type { Canvas2D, CanvasGradientLike, CanvasImageLike, LayerFactory } from './Canvas2D.js';
export { drawCard, drawSuit } from './CardPainter.js';
export type { FeedLogger } from './FeedLogger.js';
export { createSimulatedScene, nodeLayerFactory } from './NodeCanvas.js';
export { ROULETTE_LAYOUT, ROULETTE_TIMELINE, RouletteScene } from './RouletteScene.js';
export type * from './SceneTypes.js';
export { hashSeed, SeededRandom, seedFromString } from './SeededRandom.js';
export { drawStudioOverlay, formatUtc, REF_HEIGHT, REF_WIDTH } from './StudioOverlay.js';
export { TableFeed } from './TableFeed.js';
export type * from './TableFeedTypes.js';
