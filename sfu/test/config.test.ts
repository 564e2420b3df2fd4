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
  });
});
