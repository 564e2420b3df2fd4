/** Game rules: which bets exist, what they cover, what they pay and how stakes are limited. Pure, no I/O. */
export * from './GameTypes.js';
export * from './StakeLimits.js';
export * from './RouletteBets.js';
export * from './BaccaratBets.js';
