import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from './env';
import { metricsEnv, metricsSettingsOf } from './metrics';

const settingsOf = (source: Record<string, string>) =>
  metricsSettingsOf(parseEnv(metricsEnv, source));

describe('metricsSettingsOf', () => {
  it('is off without METRICS_PORT, and on 127.0.0.1 without a token by default', () => {
    expect(settingsOf({})).toBeNull();
    expect(settingsOf({ METRICS_PORT: '9464' })).toEqual({
      host: '127.0.0.1',
      port: 9464,
      token: null,
    });
  });

  it('refuses another host than loopback without a token, naming the variable', () => {
    expect(() => settingsOf({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' })).toThrow(
      ConfigError,
    );
    expect(() => settingsOf({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' })).toThrow(
      /METRICS_TOKEN: required/,
    );
    const token = 'a'.repeat(32);
    expect(
      settingsOf({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0', METRICS_TOKEN: token }),
    ).toEqual({ host: '0.0.0.0', port: 9464, token });
  });

  it('refuses a short token and a port that is no port', () => {
    expect(() => settingsOf({ METRICS_PORT: '9464', METRICS_TOKEN: 'short' })).toThrow(
      /METRICS_TOKEN: must be at least 24 characters/,
    );
    expect(() => settingsOf({ METRICS_PORT: 'http' })).toThrow(/METRICS_PORT: must be a number/);
    expect(() => settingsOf({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT: must be 0–65535/);
  });
});
