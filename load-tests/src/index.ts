export * from './viewers/DatachannelViewer.js';
export type * from './viewers/mediasoupTypes.js';
export * from './viewers/remoteOffer.js';
export * from './viewers/ViewerSwarm.js';
