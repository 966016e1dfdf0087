import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to SQLite in ./data on 127.0.0.1:3000', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.publicUrl).toBe('http://127.0.0.1:3000');
    expect(c.dataDir).toBe(path.resolve('data'));
    expect(c.database).toEqual({ dialect: 'sqlite', file: path.resolve('data', 'pressroom.db') });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('switches to PostgreSQL for a postgres:// DATABASE_URL', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/press', DATABASE_POOL_SIZE: '4' });
    expect(c.database).toEqual({
      dialect: 'postgres',
      url: 'postgres://u:p@db:5432/press',
      poolSize: 4,
    });
  });

  it('takes a sqlite: path and strips a trailing slash from PRESSROOM_URL', () => {
    const c = loadConfig({
      DATABASE_URL: 'sqlite:/tmp/x.db',
      PRESSROOM_URL: 'https://news.example.com/',
    });
    expect(c.database).toEqual({ dialect: 'sqlite', file: '/tmp/x.db' });
    expect(c.publicUrl).toBe('https://news.example.com');
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(3000);
  });

  it.each([
    [
      { PORT: 'eighty' },
      /^Invalid configuration: PORT must be a whole number between 0 and 65535 \(got "eighty"\)$/,
    ],
    [{ PORT: '70000' }, /PORT must be a whole number/],
    [{ PRESSROOM_URL: 'ftp://x' }, /PRESSROOM_URL must be an http:\/\/ or https:\/\/ URL/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with postgres:\/\//],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ PRESSROOM_TRUST_PROXY: 'maybe' }, /PRESSROOM_TRUST_PROXY must be true or false/],
  ])('rejects %o with one line naming the variable', (env, message) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
