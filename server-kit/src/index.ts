export * from './backoff.js';
export * from './percentiles.js';
export * from './processCpu.js';
export * from './httpErrors.js';
export * from './keys.js';
export * from './logger.js';
export * from './shutdown.js';
export * from './SupervisedProcess.js';
