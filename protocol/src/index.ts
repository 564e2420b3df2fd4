export * from './envConfig.js';
export * from './errors.js';
export * from './sfuSignalling.js';
export * from './streamToken.js';
export * from './studioClock.js';
export * from './tableEvents.js';
export * from './tables.js';
export * from './timecode.js';
