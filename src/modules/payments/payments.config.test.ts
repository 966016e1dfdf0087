import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../platform/config.js';
import { loadPaymentsConfig } from './payments.config.js';

describe('loadPaymentsConfig', () => {
  it('is empty without Stripe variables (and ignores empty ones and everything else)', () => {
    expect(loadPaymentsConfig({ PORT: '3000', STRIPE_SECRET_KEY: '' })).toEqual({
      stripeSecretKey: undefined,
      stripeWebhookSecret: undefined,
      stripeApiBase: undefined,
    });
  });

  it('reads the keys and points the SDK at a local fake', () => {
    const config = loadPaymentsConfig({
      STRIPE_SECRET_KEY: ' sk_test_abc123 ',
      STRIPE_WEBHOOK_SECRET: 'whsec_xyz',
      STRIPE_API_BASE: 'http://127.0.0.1:12111',
    });
    expect(config).toEqual({
      stripeSecretKey: 'sk_test_abc123',
      stripeWebhookSecret: 'whsec_xyz',
      stripeApiBase: { host: '127.0.0.1', port: 12111, protocol: 'http' },
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('defaults the port from the protocol', () => {
    expect(
      loadPaymentsConfig({ STRIPE_API_BASE: 'https://stripe.internal' }).stripeApiBase,
    ).toEqual({ host: 'stripe.internal', port: 443, protocol: 'https' });
  });

  const failures: [string, Record<string, string>, RegExp][] = [
    [
      'a key that is not a secret key',
      { STRIPE_SECRET_KEY: 'pk_live_publishable' },
      /^Invalid configuration: STRIPE_SECRET_KEY must be a Stripe secret key/,
    ],
    [
      'a webhook secret without whsec_',
      { STRIPE_WEBHOOK_SECRET: 'secret' },
      /^Invalid configuration: STRIPE_WEBHOOK_SECRET must be a Stripe webhook signing secret/,
    ],
    [
      'plain HTTP to another machine (the key would travel in clear)',
      { STRIPE_API_BASE: 'http://stripe.example.com' },
      /^Invalid configuration: STRIPE_API_BASE may use http:\/\/ only for 127\.0\.0\.1 or localhost \(got "http:\/\/stripe\.example\.com"\)$/,
    ],
    [
      'a URL with a path',
      { STRIPE_API_BASE: 'http://127.0.0.1:1/v1' },
      /^Invalid configuration: STRIPE_API_BASE must be a bare origin/,
    ],
    ['not a URL', { STRIPE_API_BASE: 'localhost:12111' }, /STRIPE_API_BASE must be an http/],
  ];
  it.each(failures)('refuses %s with one line naming the variable', (_name, env, message) => {
    expect(() => loadPaymentsConfig(env)).toThrow(ConfigError);
    expect(() => loadPaymentsConfig(env)).toThrow(message);
  });

  it('never echoes a secret in its message', () => {
    try {
      loadPaymentsConfig({ STRIPE_SECRET_KEY: 'sk_live_has spaces' });
      expect.unreachable();
    } catch (error) {
      expect(String(error)).toContain('STRIPE_SECRET_KEY');
      expect(String(error)).not.toContain('has spaces');
    }
  });
});
