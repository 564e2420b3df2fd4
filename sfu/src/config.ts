import { availableParallelism } from 'node:os';
import { type Static, Type } from '@sinclair/typebox';
import { ConfigError, loadEnvConfig } from '@live-casino/protocol';

/**
 * The sfu's configuration, read from the environment and checked at boot: a missing or bad value
 * stops the process with a message naming the variable.
 */
const ConfigSchema = Type.Object({
  SFU_HOST: Type.String({ default: '127.0.0.1' }),
  SFU_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4443 }),
  /**
   * The operations listener (`/stats`, `/metrics`, `/internal/viewer-delays`): loopback by default,
   * never the players' port, which serves signalling and HLS only.
   */
  SFU_INTERNAL_HOST: Type.String({ default: '127.0.0.1' }),
  SFU_INTERNAL_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4444 }),
  /** Address announced in ICE candidates and ingest answers (a public IP behind NAT). */
  SFU_ANNOUNCED_IP: Type.Optional(Type.String({ minLength: 1 })),
  /** Address media transports listen on. */
  SFU_MEDIA_IP: Type.String({ default: '127.0.0.1' }),
  SFU_RTC_MIN_PORT: Type.Integer({ minimum: 1024, maximum: 65535, default: 40000 }),
  SFU_RTC_MAX_PORT: Type.Integer({ minimum: 1024, maximum: 65535, default: 49999 }),
  SFU_WORKERS: Type.Integer({ minimum: 1, maximum: 256, default: availableParallelism() }),
  /** Viewers per viewer router before another router (on the next worker) is added. */
  SFU_VIEWERS_PER_ROUTER: Type.Integer({ minimum: 1, maximum: 5000, default: 200 }),
  /** PEM (SPKI) of table-service's stream-token public key, or a path to a file holding it. */
  STREAM_TOKEN_PUBLIC_KEY: Type.String({ minLength: 1 }),
  SFU_HLS_DIR: Type.String({ default: '.data/hls' }),
  SFU_HLS_ENABLED: Type.Boolean({ default: true }),
  /** Target HLS segment length; the encoder's keyframe interval bounds it from below. */
  SFU_HLS_SEGMENT_S: Type.Number({ minimum: 0.2, maximum: 10, default: 0.5 }),
  SFU_HLS_LIST_SIZE: Type.Integer({ minimum: 3, maximum: 60, default: 8 }),
  /** Per-connection token bucket against signalling floods. */
  SFU_SIGNALLING_BURST: Type.Integer({ minimum: 1, maximum: 100000, default: 50 }),
  SFU_SIGNALLING_RATE_PER_S: Type.Number({ minimum: 0.1, maximum: 100000, default: 20 }),
  /** Signalling sockets one stream-token subject (a player) may hold at once. */
  SFU_MAX_SOCKETS_PER_SUB: Type.Integer({ minimum: 1, maximum: 1000, default: 4 }),
  /** WebRTC transports per peer (a socket joined to a table): one recv, one send for publishers. */
  SFU_MAX_TRANSPORTS_PER_PEER: Type.Integer({ minimum: 1, maximum: 16, default: 2 }),
  /** WebRTC transports one subject may hold over all its sockets and tables (each holds an RTC port). */
  SFU_MAX_TRANSPORTS_PER_SUB: Type.Integer({ minimum: 1, maximum: 10000, default: 8 }),
  /** A socket that has presented no valid token after this long is disconnected. */
  SFU_SOCKET_AUTH_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000 }),
  /**
   * Added to a WebRTC viewer's measured delay (ingest + RTT/2) for what the server cannot see:
   * the browser's jitter buffer, decode and render.
   */
  SFU_WEBRTC_PLAYOUT_MARGIN_MS: Type.Integer({ minimum: 0, maximum: 10_000, default: 150 }),
  /** How often WebRTC viewers' RTT is read from mediasoup for their delay. */
  SFU_VIEWER_DELAY_POLL_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 2000 }),
  /**
   * Key of the HMAC that binds HLS segment URLs to a viewer's session. Random per process when
   * unset; sfus behind one CDN hostname need the same one.
   */
  SFU_HLS_SESSION_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  /** RTP egresses (vision workers, recorders) a table may feed at once. */
  SFU_EGRESS_MAX_PER_TABLE: Type.Integer({ minimum: 0, maximum: 64, default: 4 }),
  /**
   * Egress RTP goes to loopback addresses only unless this is on: the caller names the address,
   * and an sfu must not become a UDP cannon aimed anywhere a token holder likes.
   */
  SFU_EGRESS_ALLOW_REMOTE: Type.Boolean({ default: false }),
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
