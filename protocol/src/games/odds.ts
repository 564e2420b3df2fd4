/** A payout: `pays` to `to` (35 to 1, 95 to 100): the winnings on a stake of `to`. */
export type Odds = readonly [pays: number, to: number];
