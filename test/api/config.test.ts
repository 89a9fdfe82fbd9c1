import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

describe('the decision API settings', () => {
  it('default to 6000 requests a minute per client and a 30-second client cache', () => {
    expect(loadConfig({}).api).toEqual({ rateLimitPerMinute: 6000, clientCacheSeconds: 30 });
  });

  it('read API_RATE_LIMIT_PER_MINUTE and API_CLIENT_CACHE_SECONDS (0 turns the cache off)', () => {
    expect(loadConfig({ API_RATE_LIMIT_PER_MINUTE: '120', API_CLIENT_CACHE_SECONDS: '0' }).api).toEqual({
      rateLimitPerMinute: 120,
      clientCacheSeconds: 0,
    });
  });

  it.each([
    ['API_RATE_LIMIT_PER_MINUTE', '0'],
    ['API_RATE_LIMIT_PER_MINUTE', 'many'],
    ['API_CLIENT_CACHE_SECONDS', '-1'],
    ['API_CLIENT_CACHE_SECONDS', '86400'],
  ])('refuse %s=%s, naming the variable', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`^Configuration error: ${variable} `));
  });
});
