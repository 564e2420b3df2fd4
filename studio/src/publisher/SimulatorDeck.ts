import {
  type CardArt,
  CardDeck,
  DECK_NAMES,
  type DeckName,
  isDeckInstalled,
  isDeckName,
  loadCardArt,
} from '../simulator/index.js';

/** A bad SIMULATOR_DECK: names the variable and what it accepts. */
export class SimulatorConfigError extends Error {
  override readonly name = 'SimulatorConfigError';
  readonly code = 'SIMULATOR_CONFIG_INVALID';
}

export type SimulatorDeckChoice =
  | { kind: 'painted'; reason: 'configured' | 'not-installed' }
  | { kind: 'deck'; deck: DeckName };

export const DEFAULT_SIMULATOR_DECK: DeckName = 'svg-standard';

/**
 * SIMULATOR_DECK: the card artwork the simulated baccarat tables show. Unset: `svg-standard` when
 * Debian's kdegames-card-data-kf5 is installed (the deck the vision model reads best), else the
 * painted cards. `painted` asks for the painted cards; a deck name asks for that deck, which must
 * be installed. Anything else is refused.
 */
export function chooseSimulatorDeck(value: string | undefined): SimulatorDeckChoice {
  const wanted = value?.trim() ?? '';
  if (wanted === '') {
    return isDeckInstalled(DEFAULT_SIMULATOR_DECK)
      ? { kind: 'deck', deck: DEFAULT_SIMULATOR_DECK }
      : { kind: 'painted', reason: 'not-installed' };
  }
  if (wanted === 'painted') return { kind: 'painted', reason: 'configured' };
  if (!isDeckName(wanted)) {
    throw new SimulatorConfigError(
      `SIMULATOR_DECK: unknown deck "${wanted}" (expected painted or one of ${DECK_NAMES.join(', ')})`,
    );
  }
  if (!isDeckInstalled(wanted)) {
    throw new SimulatorConfigError(
      `SIMULATOR_DECK: deck ${wanted} is not installed (apt-get install -y kdegames-card-data-kf5)`,
    );
  }
  return { kind: 'deck', deck: wanted };
}

/** The pre-rendered artwork of the chosen deck, or undefined for the painted cards. */
export async function loadSimulatorCardArt(choice: SimulatorDeckChoice): Promise<CardArt | undefined> {
  return choice.kind === 'deck' ? loadCardArt(CardDeck.load(choice.deck)) : undefined;
}
