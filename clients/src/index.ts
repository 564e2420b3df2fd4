export * from './ClientError.js';
export * from './TableRealtime.js';
export * from './TableServiceClient.js';
export * from './SfuClient.js';
