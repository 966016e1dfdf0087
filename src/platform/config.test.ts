import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const dkimEnv = {
  PRESSROOM_DKIM_DOMAIN: 'News.Example.com',
  PRESSROOM_DKIM_SELECTOR: 'mail2025',
  PRESSROOM_DKIM_PRIVATE_KEY: pem,
};
const SMTP_URL = 'smtp://u:p@relay.example.com:587';

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig: the newsletter transport', () => {
  it('has none without SMTP_URL or POSTMARK_SERVER_TOKEN', () => {
    expect(loadConfig({}).mail.newsletter).toBeUndefined();
  });

  it('uses SMTP_URL with 5 connections and no DKIM by default', () => {
    expect(loadConfig({ SMTP_URL }).mail.newsletter).toEqual({
      kind: 'smtp',
      url: SMTP_URL,
      connections: 5,
      dkim: undefined,
    });
  });

  it('prefers Postmark when it has a token, unless told smtp', () => {
    const env = { SMTP_URL, POSTMARK_SERVER_TOKEN: 'tok' };
    expect(loadConfig(env).mail.newsletter).toEqual({
      kind: 'postmark',
      serverToken: 'tok',
      baseUrl: undefined,
    });
    expect(
      loadConfig({ ...env, PRESSROOM_NEWSLETTER_TRANSPORT: 'smtp' }).mail.newsletter?.kind,
    ).toBe('smtp');
  });

  it('takes an http POSTMARK_API_BASE on loopback only', () => {
    const c = loadConfig({
      POSTMARK_SERVER_TOKEN: 'tok',
      POSTMARK_API_BASE: 'http://127.0.0.1:4000/',
    });
    expect(c.mail.newsletter).toMatchObject({ baseUrl: 'http://127.0.0.1:4000' });
    expect(
      configError({ POSTMARK_SERVER_TOKEN: 'tok', POSTMARK_API_BASE: 'http://postmark.evil' }),
    ).toMatch(/^Invalid configuration: POSTMARK_API_BASE must be https:\/\//);
  });

  it('signs with DKIM when all three settings are given', () => {
    const c = loadConfig({ SMTP_URL, PRESSROOM_SMTP_CONNECTIONS: '12', ...dkimEnv });
    expect(c.mail.newsletter).toEqual({
      kind: 'smtp',
      url: SMTP_URL,
      connections: 12,
      dkim: { domainName: 'news.example.com', keySelector: 'mail2025', privateKey: pem.trim() },
    });
  });

  it('reads the DKIM key from PRESSROOM_DKIM_PRIVATE_KEY_FILE at start', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'dkim-')), 'key.pem');
    writeFileSync(file, pem);
    const { PRESSROOM_DKIM_PRIVATE_KEY: _, ...rest } = dkimEnv;
    const c = loadConfig({ SMTP_URL, ...rest, PRESSROOM_DKIM_PRIVATE_KEY_FILE: file });
    expect(c.mail.newsletter).toMatchObject({ dkim: { privateKey: pem.trim() } });
  });

  it('accepts a key pasted with literal \\n line breaks', () => {
    const c = loadConfig({
      SMTP_URL,
      ...dkimEnv,
      PRESSROOM_DKIM_PRIVATE_KEY: pem.trim().replace(/\n/g, '\\n'),
    });
    expect(c.mail.newsletter).toMatchObject({ dkim: { privateKey: pem.trim() } });
  });

  it('reads the send rate and the job lease', () => {
    const c = loadConfig({
      SMTP_URL,
      PRESSROOM_SEND_RATE: '12.5',
      PRESSROOM_JOB_LEASE_SECONDS: '5',
    });
    expect(c.mail.sendRate).toBe(12.5);
    expect(c.jobLeaseMs).toBe(5000);
    const defaults = loadConfig({ SMTP_URL });
    expect(defaults.mail.sendRate).toBeUndefined();
    expect(defaults.jobLeaseMs).toBe(60_000);
  });

  it.each([
    ['a zero send rate', { PRESSROOM_SEND_RATE: '0' }, /PRESSROOM_SEND_RATE must be more than 0/],
    [
      'a send rate that is not a number',
      { PRESSROOM_SEND_RATE: 'fast' },
      /PRESSROOM_SEND_RATE must be a number of messages per second/,
    ],
    [
      'a one-second lease',
      { PRESSROOM_JOB_LEASE_SECONDS: '1' },
      /PRESSROOM_JOB_LEASE_SECONDS must be a whole number/,
    ],
    [
      '0 SMTP connections',
      { PRESSROOM_SMTP_CONNECTIONS: '0' },
      /PRESSROOM_SMTP_CONNECTIONS must be a whole number/,
    ],
    [
      '51 SMTP connections',
      { PRESSROOM_SMTP_CONNECTIONS: '51' },
      /PRESSROOM_SMTP_CONNECTIONS must be a whole number/,
    ],
    [
      'an unknown transport',
      { PRESSROOM_NEWSLETTER_TRANSPORT: 'ses' },
      /PRESSROOM_NEWSLETTER_TRANSPORT must be smtp/,
    ],
    [
      'smtp without SMTP_URL',
      { SMTP_URL: '', PRESSROOM_NEWSLETTER_TRANSPORT: 'smtp' },
      /is smtp, so set SMTP_URL$/,
    ],
    [
      'postmark without a token',
      { PRESSROOM_NEWSLETTER_TRANSPORT: 'postmark' },
      /so set POSTMARK_SERVER_TOKEN$/,
    ],
    [
      'a DKIM domain alone',
      { PRESSROOM_DKIM_DOMAIN: 'example.com' },
      /PRESSROOM_DKIM_SELECTOR and PRESSROOM_DKIM_PRIVATE_KEY are missing$/,
    ],
    [
      'DKIM without a key',
      { PRESSROOM_DKIM_DOMAIN: 'example.com', PRESSROOM_DKIM_SELECTOR: 's1' },
      /; PRESSROOM_DKIM_PRIVATE_KEY is missing$/,
    ],
    [
      'DKIM without a selector',
      { ...dkimEnv, PRESSROOM_DKIM_SELECTOR: '' },
      /; PRESSROOM_DKIM_SELECTOR is missing$/,
    ],
    [
      'a DKIM key that is no key',
      { ...dkimEnv, PRESSROOM_DKIM_PRIVATE_KEY: 'not a key' },
      /PRESSROOM_DKIM_PRIVATE_KEY must hold a PEM private key/,
    ],
    [
      'a DKIM key both inline and in a file',
      { ...dkimEnv, PRESSROOM_DKIM_PRIVATE_KEY_FILE: '/nonexistent/dkim.pem' },
      /not both$/,
    ],
    [
      'a missing DKIM key file',
      {
        PRESSROOM_DKIM_DOMAIN: 'example.com',
        PRESSROOM_DKIM_SELECTOR: 's1',
        PRESSROOM_DKIM_PRIVATE_KEY_FILE: '/nonexistent/dkim.pem',
      },
      /^Invalid configuration: PRESSROOM_DKIM_PRIVATE_KEY_FILE cannot be read \(ENOENT\) \(got "\/nonexistent\/dkim.pem"\)$/,
    ],
  ])('rejects %s with one line naming what to set', (_label, env, message) => {
    expect(configError({ SMTP_URL, ...env })).toMatch(message);
  });

  it('never repeats a secret in the error', () => {
    const message = configError({ PRESSROOM_INBOUND_SECRET: 'short-secret' });
    expect(message).toMatch(/PRESSROOM_INBOUND_SECRET must be at least 24/);
    expect(message).not.toContain('short-secret');
    expect(configError({ ...dkimEnv, PRESSROOM_DKIM_PRIVATE_KEY: 'not a key' })).not.toContain(
      'not a key',
    );
  });
});
