/** European roulette: the wheel (pockets, colours, geometry) and the bets of the layout. */
export * from './rouletteBets.js';
export * from './wheel.js';
