import { dozenOf, type PocketColour, pocketColour } from '@live-casino/protocol/games/roulette';

/** How many recent numbers the strip shows. */
export const LAST_NUMBERS_SHOWN = 20;
/** How many hot and how many cold numbers are listed. */
export const HOT_COLD_SHOWN = 5;

export interface SpunNumber {
  readonly pocket: number;
  readonly colour: PocketColour;
}

export interface PocketHits {
  readonly pocket: number;
  readonly hits: number;
}

/** A share of the spins: their count and whole percent of the window. */
export interface Share {
  readonly count: number;
  readonly percent: number;
}

/** What the table's statistics panel shows of its recent spins. */
export interface RouletteStats {
  /** How many spins every figure below is over: the results the service gave. */
  readonly window: number;
  /** Newest first. */
  readonly lastNumbers: readonly SpunNumber[];
  /** Most hits first; equal hits: the more recently seen first. */
  readonly hot: readonly PocketHits[];
  /** Fewest hits first (numbers not seen at all included); equal hits: the longer unseen first. */
  readonly cold: readonly PocketHits[];
  /** Zero counts in no outside group but its own, so each group with `zero` makes the whole window. */
  readonly zero: Share;
  readonly red: Share;
  readonly black: Share;
  readonly odd: Share;
  readonly even: Share;
  readonly low: Share;
  readonly high: Share;
  readonly dozens: readonly [Share, Share, Share];
}

const POCKETS: readonly number[] = Array.from({ length: 37 }, (_, n) => n);

/** The statistics of a table's recent spins, `pockets` newest first. */
export function rouletteStats(pockets: readonly number[]): RouletteStats {
  const window = pockets.length;
  const share = (test: (pocket: number) => boolean): Share => {
    const count = pockets.filter(test).length;
    return { count, percent: window === 0 ? 0 : Math.round((count * 100) / window) };
  };
  const standings = pocketStandings(pockets);
  return {
    window,
    lastNumbers: pockets.slice(0, LAST_NUMBERS_SHOWN).map((pocket) => ({ pocket, colour: pocketColour(pocket) })),
    hot: hotNumbers(standings),
    cold: coldNumbers(standings),
    zero: share((p) => p === 0),
    red: share((p) => pocketColour(p) === 'red'),
    black: share((p) => pocketColour(p) === 'black'),
    odd: share((p) => p % 2 === 1),
    even: share((p) => p !== 0 && p % 2 === 0),
    low: share((p) => p >= 1 && p <= 18),
    high: share((p) => p >= 19),
    dozens: [share((p) => dozenOf(p) === 1), share((p) => dozenOf(p) === 2), share((p) => dozenOf(p) === 3)],
  };
}

/** A pocket's hits in the window and how many spins ago it last came (Infinity: not in the window). */
interface Standing extends PocketHits {
  readonly spinsAgo: number;
}

function pocketStandings(pockets: readonly number[]): Standing[] {
  return POCKETS.map((pocket) => {
    const seen = pockets.indexOf(pocket);
    return {
      pocket,
      hits: pockets.filter((p) => p === pocket).length,
      spinsAgo: seen === -1 ? Number.POSITIVE_INFINITY : seen,
    };
  });
}

function hotNumbers(standings: readonly Standing[]): PocketHits[] {
  return standings
    .filter((s) => s.hits > 0)
    .sort((a, b) => b.hits - a.hits || a.spinsAgo - b.spinsAgo)
    .slice(0, HOT_COLD_SHOWN)
    .map(hitsOnly);
}

/** Numbers never seen tie on Infinity spins ago: the lower number first, so the list is stable. */
function coldNumbers(standings: readonly Standing[]): PocketHits[] {
  return [...standings]
    .sort((a, b) => a.hits - b.hits || longerUnseenFirst(a, b) || a.pocket - b.pocket)
    .slice(0, HOT_COLD_SHOWN)
    .map(hitsOnly);
}

function longerUnseenFirst(a: Standing, b: Standing): number {
  if (a.spinsAgo === b.spinsAgo) return 0;
  return a.spinsAgo > b.spinsAgo ? -1 : 1;
}

function hitsOnly({ pocket, hits }: Standing): PocketHits {
  return { pocket, hits };
}
