export * from './frameAssembler.js';
export * from './h264.js';
export * from './ivf.js';
export * from './ntp.js';
export * from './rtcp.js';
export * from './rtp.js';
export * from './rtpClock.js';
export * from './vp8.js';
