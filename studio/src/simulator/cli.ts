/**
 * Runs one simulated table feed to a UDP host:port, for manual testing against an SFU
 * PlainTransport (or `ffplay`/`ffmpeg` with an SDP):
 *
 *   node --import tsx studio/src/simulator/cli.ts --game roulette --host 127.0.0.1 --port 40000 --ssrc 1234
 *
 * Prints the rtpParameters to produce with, table events as they happen, and stats every 5 s.
 */
import { parseArgs } from 'node:util';
import type { FeedLogger } from './FeedLogger.js';
import { createSimulatedScene } from './NodeCanvas.js';
import type { GameKind } from './SceneTypes.js';
import { seedFromString } from './SeededRandom.js';
import { TableFeed } from './TableFeed.js';

const { values } = parseArgs({
  options: {
    game: { type: 'string', default: 'roulette' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string' },
    ssrc: { type: 'string', default: '1234' },
    'payload-type': { type: 'string', default: '96' },
    'ext-id': { type: 'string', default: '1' },
    'table-id': { type: 'string' },
    seed: { type: 'string' },
    width: { type: 'string', default: '640' },
    height: { type: 'string', default: '360' },
    fps: { type: 'string', default: '30' },
    gop: { type: 'string', default: '15' },
    bitrate: { type: 'string', default: '1200' },
    duration: { type: 'string' },
    sdp: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help || values.port === undefined) {
  console.log(
    'usage: cli.ts --port N [--host 127.0.0.1] [--game roulette|baccarat] [--ssrc 1234] [--payload-type 96]\n' +
      '              [--ext-id 1] [--table-id id] [--seed n] [--width 640] [--height 360] [--fps 30] [--gop 15]\n' +
      '              [--bitrate 1200] [--duration seconds] [--sdp (print an SDP for ffplay and exit)]',
  );
  process.exit(values.help ? 0 : 2);
}

const game = values.game as GameKind;
if (game !== 'roulette' && game !== 'baccarat') {
  console.error(`unknown game ${values.game}: roulette or baccarat`);
  process.exit(2);
}
const int = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isInteger(n)) {
    console.error(`--${name} must be an integer: ${text}`);
    process.exit(2);
  }
  return n;
};
const port = int('port', values.port);
const payloadType = int('payload-type', values['payload-type']);

if (values.sdp) {
  // Receive-side SDP, e.g. `ffplay -protocol_whitelist file,udp,rtp -i feed.sdp`.
  console.log(
    [
      'v=0',
      'o=- 0 0 IN IP4 127.0.0.1',
      's=live-casino simulated table',
      `c=IN IP4 ${values.host}`,
      't=0 0',
      `m=video ${port} RTP/AVP ${payloadType}`,
      `a=rtpmap:${payloadType} VP8/90000`,
      'a=rtcp-mux',
      'a=recvonly',
    ].join('\n'),
  );
  process.exit(0);
}

const tableId = values['table-id'] ?? `sim-${game}`;
const log: FeedLogger = {
  debug: () => {},
  info: (obj, msg) => console.error(JSON.stringify({ level: 'info', msg, ...obj })),
  warn: (obj, msg) => console.error(JSON.stringify({ level: 'warn', msg, ...obj })),
  error: (obj, msg) => console.error(JSON.stringify({ level: 'error', msg, ...obj })),
};

const scene = createSimulatedScene(game, {
  tableName: `${game === 'roulette' ? 'Roulette' : 'Baccarat'} · ${tableId}`,
  seed: values.seed === undefined ? seedFromString(tableId) : int('seed', values.seed) >>> 0,
  epochMs: Date.now(),
});
const feed = await TableFeed.create({
  tableId,
  scene,
  width: int('width', values.width),
  height: int('height', values.height),
  fps: int('fps', values.fps),
  gopFrames: int('gop', values.gop),
  bitrateKbps: int('bitrate', values.bitrate),
  target: { host: values.host, port },
  ssrc: int('ssrc', values.ssrc),
  payloadType,
  absCaptureTimeExtId: int('ext-id', values['ext-id']),
  log,
});
console.log(JSON.stringify({ rtpParameters: feed.rtpParameters, localAddress: feed.localAddress }));
feed.on('sceneevent', (event) => console.log(JSON.stringify(event)));
const statsTimer = setInterval(() => console.error(JSON.stringify({ stats: feed.stats() })), 5_000);

const stop = (): void => {
  clearInterval(statsTimer);
  feed.close();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
if (values.duration !== undefined) setTimeout(stop, Number(values.duration) * 1000).unref();
