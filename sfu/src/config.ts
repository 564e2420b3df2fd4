import { availableParallelism } from 'node:os';
import { type Static, Type } from '@sinclair/typebox';
import { ConfigError, loadEnvConfig } from '@live-casino/server-kit';

/**
 * The sfu's configuration, read from the environment and checked at boot: a missing or bad value
 * stops the process with a message naming the variable.
 */
export const ConfigSchema = Type.Object({
  SFU_HOST: Type.String({ default: '127.0.0.1' }),
  SFU_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4443 }),
  SFU_INTERNAL_HOST: Type.String({
    description:
      "The operations listener (`/stats`, `/metrics`, `/internal/viewer-delays`): loopback by default, never the players' port, which serves signalling and HLS only.",
    default: '127.0.0.1',
  }),
  SFU_INTERNAL_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4444 }),
  SFU_ANNOUNCED_IP: Type.Optional(
    Type.String({
      description: 'Address announced in ICE candidates and ingest answers (a public IP behind NAT).',
      minLength: 1,
    }),
  ),
  SFU_MEDIA_IP: Type.String({ description: 'Address media transports listen on.', default: '127.0.0.1' }),
  SFU_RTC_MIN_PORT: Type.Integer({ minimum: 1024, maximum: 65535, default: 40000 }),
  SFU_RTC_MAX_PORT: Type.Integer({ minimum: 1024, maximum: 65535, default: 49999 }),
  SFU_WORKERS: Type.Integer({ minimum: 1, maximum: 256, default: availableParallelism() }),
  SFU_VIEWERS_PER_ROUTER: Type.Integer({
    description: 'Viewers per viewer router before another router (on the next worker) is added.',
    minimum: 1,
    maximum: 5000,
    default: 200,
  }),
  STREAM_TOKEN_PUBLIC_KEY: Type.String({
    description: "PEM (SPKI) of table-service's stream-token public key, or a path to a file holding it.",
    minLength: 1,
  }),
  SFU_HLS_DIR: Type.String({ default: '.data/hls' }),
  SFU_HLS_ENABLED: Type.Boolean({ default: true }),
  SFU_HLS_SEGMENT_S: Type.Number({
    description: "Target HLS segment length; the encoder's keyframe interval bounds it from below.",
    minimum: 0.2,
    maximum: 10,
    default: 0.5,
  }),
  SFU_HLS_LIST_SIZE: Type.Integer({ minimum: 3, maximum: 60, default: 8 }),
  SFU_THUMBNAIL_TTL_MS: Type.Integer({
    description:
      "Lobby stills (`GET /thumbs/<table>.jpg`, from the newest HLS segment): each table's is remade at most once per this long, whatever the number of viewers, and is cacheable for as long (whole seconds). One remake costs ~0.2 s of CPU.",
    minimum: 500,
    maximum: 60_000,
    default: 3000,
  }),
  SFU_THUMBNAIL_MAX_DECODES: Type.Integer({
    description: 'Lobby still decodes (short ffmpeg runs) at once over all tables; more tables wait their turn.',
    minimum: 1,
    maximum: 16,
    default: 2,
  }),
  SFU_SIGNALLING_BURST: Type.Integer({
    description: 'Per-connection token bucket against signalling floods.',
    minimum: 1,
    maximum: 100000,
    default: 50,
  }),
  SFU_SIGNALLING_RATE_PER_S: Type.Number({ minimum: 0.1, maximum: 100000, default: 20 }),
  SFU_MAX_SOCKETS_PER_SUB: Type.Integer({
    description: 'Signalling sockets one stream-token subject (a player) may hold at once.',
    minimum: 1,
    maximum: 1000,
    default: 4,
  }),
  SFU_MAX_TRANSPORTS_PER_PEER: Type.Integer({
    description: 'WebRTC transports per peer (a socket joined to a table): one recv, one send for publishers.',
    minimum: 1,
    maximum: 16,
    default: 2,
  }),
  SFU_MAX_TRANSPORTS_PER_SUB: Type.Integer({
    description: 'WebRTC transports one subject may hold over all its sockets and tables (each holds an RTC port).',
    minimum: 1,
    maximum: 10000,
    default: 8,
  }),
  SFU_SOCKET_AUTH_TIMEOUT_MS: Type.Integer({
    description: 'A socket that has presented no valid token after this long is disconnected.',
    minimum: 100,
    maximum: 600_000,
    default: 10_000,
  }),
  SFU_WEBRTC_PLAYOUT_MARGIN_MS: Type.Integer({
    description:
      "Added to a WebRTC viewer's measured delay (ingest + RTT/2) for what the server cannot see: the browser's jitter buffer, decode and render.",
    minimum: 0,
    maximum: 10_000,
    default: 150,
  }),
  SFU_VIEWER_DELAY_POLL_MS: Type.Integer({
    description: "How often WebRTC viewers' RTT is read from mediasoup for their delay.",
    minimum: 100,
    maximum: 60_000,
    default: 2000,
  }),
  SFU_HLS_SESSION_SECRET: Type.Optional(
    Type.String({
      description:
        "Key of the HMAC that binds HLS segment URLs to a viewer's session. Random per process when unset; sfus behind one CDN hostname need the same one.",
      minLength: 32,
    }),
  ),
  SFU_EGRESS_MAX_PER_TABLE: Type.Integer({
    description: 'RTP egresses (vision workers, recorders) a table may feed at once.',
    minimum: 0,
    maximum: 64,
    default: 4,
  }),
  SFU_EGRESS_ALLOW_REMOTE: Type.Boolean({
    description:
      'Egress RTP goes to loopback addresses only unless this is on: the caller names the address, and an sfu must not become a UDP cannon aimed anywhere a token holder likes.',
    default: false,
  }),
  FFMPEG_PATH: Type.String({ default: 'ffmpeg' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
});

export type SfuConfig = Static<typeof ConfigSchema>;

export { ConfigError };

export function loadConfig(env: Record<string, string | undefined> = process.env): SfuConfig {
  const config = loadEnvConfig(ConfigSchema, 'sfu', env);
  if (config.SFU_RTC_MIN_PORT >= config.SFU_RTC_MAX_PORT) {
    throw new ConfigError('invalid sfu configuration:\n  SFU_RTC_MIN_PORT must be below SFU_RTC_MAX_PORT');
  }
  if (config.SFU_PORT !== 0 && config.SFU_PORT === config.SFU_INTERNAL_PORT) {
    throw new ConfigError(
      "invalid sfu configuration:\n  SFU_INTERNAL_PORT must differ from SFU_PORT (operations stay off the players' port)",
    );
  }
  return config;
}
