/**
 * The card deck artwork now lives with the simulator (studio), which draws the simulated feed and
 * the training crops with the same renderer; these are the same names, re-exported.
 */
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
  HELD_OUT_DECKS,
  kdeCardId,
  TRAIN_DECKS,
} from '@live-casino/studio/simulator';
export type {
  Canvas,
  CardDeckErrorCode,
  DeckName,
  HeldOutDeck,
  TrainDeck,
} from '@live-casino/studio/simulator';
