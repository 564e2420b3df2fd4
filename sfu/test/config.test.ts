import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('sfu configuration', () => {
  it('names every bad value and stops', () => {
    expect(() => loadConfig({ SFU_PORT: 'eighty', SFU_WORKERS: '0' })).toThrow(ConfigError);
    try {
      loadConfig({ SFU_PORT: 'eighty', SFU_WORKERS: '0' });
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toContain('STREAM_TOKEN_PUBLIC_KEY');
      expect(message).toContain('SFU_PORT');
      expect(message).toContain('SFU_WORKERS');
    }
  });

  it('refuses an empty port range and applies defaults', () => {
    expect(() =>
      loadConfig({ STREAM_TOKEN_PUBLIC_KEY: 'k', SFU_RTC_MIN_PORT: '5000', SFU_RTC_MAX_PORT: '4000' }),
    ).toThrow(/SFU_RTC_MIN_PORT/);
    const config = loadConfig({ STREAM_TOKEN_PUBLIC_KEY: 'k' });
    expect(config.SFU_PORT).toBe(4443);
    expect(config.SFU_VIEWERS_PER_ROUTER).toBe(200);
    expect(config).toMatchObject({
      SFU_INTERNAL_HOST: '127.0.0.1',
      SFU_INTERNAL_PORT: 4444,
      SFU_MAX_SOCKETS_PER_SUB: 4,
      SFU_MAX_TRANSPORTS_PER_PEER: 2,
      SFU_MAX_TRANSPORTS_PER_SUB: 8,
      SFU_WEBRTC_PLAYOUT_MARGIN_MS: 150,
      SFU_THUMBNAIL_TTL_MS: 3000,
      SFU_THUMBNAIL_MAX_DECODES: 2,
    });
    expect(() => loadConfig({ STREAM_TOKEN_PUBLIC_KEY: 'k', SFU_THUMBNAIL_TTL_MS: '10' })).toThrow(
      /SFU_THUMBNAIL_TTL_MS/,
    );
  });

  it("keeps operations off the players' port, and a short HLS session secret out", () => {
    expect(() => loadConfig({ STREAM_TOKEN_PUBLIC_KEY: 'k', SFU_PORT: '5000', SFU_INTERNAL_PORT: '5000' })).toThrow(
      /SFU_INTERNAL_PORT/,
    );
    expect(() => loadConfig({ STREAM_TOKEN_PUBLIC_KEY: 'k', SFU_HLS_SESSION_SECRET: 'short' })).toThrow(
      /SFU_HLS_SESSION_SECRET/,
    );
  });
});
