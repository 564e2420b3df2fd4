export { type SfuConfig, loadConfig } from './config.js';
export { Sfu, type SfuStats } from './Sfu.js';
export { TableMedia } from './TableMedia.js';
export type { TableMediaStats } from './TableMediaTypes.js';
