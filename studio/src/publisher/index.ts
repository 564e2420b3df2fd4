/** The studio's publisher side (`@live-casino/studio/publisher`): the feed's publisher and the simulated dealer. */
export { SimulatedDealer, type SimulatedDealerOptions } from './SimulatedDealer.js';
export {
  type RtpSource,
  refreshDelayMs,
  StudioPublisher,
  type StudioPublisherEvents,
  type StudioPublisherOptions,
} from './StudioPublisher.js';
