export * from './ClientError.js';
export * from './renewal.js';
export * from './TableRealtime.js';
export * from './TableServiceClient.js';
export * from './SfuClient.js';
export * from './SfuOps.js';
