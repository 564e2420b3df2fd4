export type {
  DecodedFrame,
  FrameSourceEvents,
  FrameSourceState,
  FrameSourceStats,
  FrameSourceStatus,
  SfuFrameSourceOptions,
} from './FrameSourceTypes.js';
export { SfuFrameSource } from './SfuFrameSource.js';
