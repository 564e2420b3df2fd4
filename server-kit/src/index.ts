export * from './backoff.js';
export * from './percentiles.js';
export * from './processCpu.js';
