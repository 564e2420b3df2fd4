import type { Card, CardPosition, CoupWinner } from '@live-casino/protocol/games/baccarat';
import type { Canvas2D } from './Canvas2D.js';

export type GameKind = 'roulette' | 'baccarat';

/**
 * Every event carries the round it belongs to and `studioTimeMs`: the capture time of the first
 * frame that shows it (the frame passed to the `advance()` call that returned it), which is what
 * the table service and players line bets and results up against.
 */
interface SceneEventBase {
  readonly round: number;
  readonly studioTimeMs: number;
}

export type RouletteSceneEvent =
  | (SceneEventBase & { readonly type: 'bettingOpened'; readonly bettingClosesAtMs: number })
  | (SceneEventBase & { readonly type: 'ballLaunched' })
  | (SceneEventBase & { readonly type: 'bettingClosed' })
  | (SceneEventBase & { readonly type: 'ballSettled'; readonly pocket: number });

export type BaccaratSceneEvent =
  | (SceneEventBase & { readonly type: 'bettingOpened'; readonly bettingClosesAtMs: number })
  | (SceneEventBase & { readonly type: 'bettingClosed' })
  | (SceneEventBase & { readonly type: 'cardDealt'; readonly position: CardPosition; readonly card: Card })
  | (SceneEventBase & {
      readonly type: 'coupResult';
      readonly winner: CoupWinner;
      readonly playerTotal: number;
      readonly bankerTotal: number;
      readonly playerPair: boolean;
      readonly bankerPair: boolean;
    })
  | (SceneEventBase & { readonly type: 'cardsCleared' })
  | (SceneEventBase & { readonly type: 'shoeChanged'; readonly shoe: number });

export type SceneEvent = RouletteSceneEvent | BaccaratSceneEvent;

export type RoulettePhase = 'betting' | 'spinning' | 'result';
export type BaccaratPhase = 'betting' | 'dealing' | 'result' | 'clearing';

export interface RouletteSceneState {
  readonly game: 'roulette';
  readonly tableName: string;
  readonly round: number;
  readonly phase: RoulettePhase;
  /** Bets are accepted until this studio time (bets stay open while the ball first orbits). */
  readonly bettingClosesAtMs: number;
  readonly roundStartedAtMs: number;
  readonly roundEndsAtMs: number;
  /** The winning pocket once the ball has settled in this round, else null. */
  readonly pocket: number | null;
  /** Past winning numbers, most recent first. */
  readonly history: readonly number[];
}

export interface BaccaratSceneState {
  readonly game: 'baccarat';
  readonly tableName: string;
  readonly round: number;
  readonly phase: BaccaratPhase;
  readonly bettingClosesAtMs: number;
  readonly roundStartedAtMs: number;
  readonly roundEndsAtMs: number;
  /** Shoe number at this table (a new shoe after the cut card comes out). */
  readonly shoe: number;
  /** Cards on the layout now, in dealing order. */
  readonly cards: readonly { readonly position: CardPosition; readonly card: Card }[];
  readonly playerTotal: number | null;
  readonly bankerTotal: number | null;
  /** Known once the last card of the coup is down. */
  readonly winner: CoupWinner | null;
  /** Past winners in this shoe, oldest first (the bead road). */
  readonly history: readonly CoupWinner[];
}

export type SceneState = RouletteSceneState | BaccaratSceneState;

/**
 * A simulated table: a pure function of (seed, epoch, studio time), so two feeds built with the
 * same options show the same game, and a frame can be re-rendered after the fact.
 */
export interface TableScene {
  readonly game: GameKind;
  readonly tableName: string;
  /**
   * Moves the table to `studioTimeMs` and returns what happened since the previous call, oldest
   * first. Time may jump (skipped frames) or go backwards (a stepped wall clock): the picture
   * always follows the given time; events are only reported once, for times after the last call.
   */
  advance(studioTimeMs: number): SceneEvent[];
  /** Draws the table as of the last `advance()`, filling the whole width x height area. */
  draw(ctx: Canvas2D, width: number, height: number): void;
  state(): SceneState;
}

export interface SceneOptions {
  tableName: string;
  /** uint32; the whole game follows from it. */
  seed: number;
  /** Studio time at which round 0 starts. */
  epochMs: number;
}

export function assertUnreachable(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
