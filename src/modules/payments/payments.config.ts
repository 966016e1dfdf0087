import { z } from 'zod';
import { ConfigError } from '../../platform/config.js';

/** Where the Stripe SDK sends its requests; unset means api.stripe.com. */
export interface StripeApiBase {
  readonly host: string;
  readonly port: number;
  readonly protocol: 'http' | 'https';
}

export interface PaymentsConfig {
  readonly stripeSecretKey: string | undefined;
  readonly stripeWebhookSecret: string | undefined;
  readonly stripeApiBase: StripeApiBase | undefined;
}

export const secretKeySchema = z
  .string()
  .trim()
  .regex(/^(sk|rk)_(test|live)_\w+$/, 'must be a Stripe secret key (sk_live_… or sk_test_…)');

export const webhookSecretSchema = z
  .string()
  .trim()
  .regex(/^whsec_\w+$/, 'must be a Stripe webhook signing secret (whsec_…)');

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const apiBaseSchema = z
  .url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' })
  .transform((value) => new URL(value))
  .refine(
    (u) => u.pathname === '/' && !u.search,
    'must be a bare origin such as http://127.0.0.1:12111',
  )
  // The secret key travels in every request: plain HTTP only to this machine (a test fake).
  .refine(
    (u) => u.protocol === 'https:' || LOOPBACK.has(u.hostname),
    'may use http:// only for 127.0.0.1 or localhost',
  )
  .transform((u): StripeApiBase => ({
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80,
    protocol: u.protocol === 'https:' ? 'https' : 'http',
  }));

const envSchema = z.object({
  STRIPE_SECRET_KEY: secretKeySchema.optional(),
  STRIPE_WEBHOOK_SECRET: webhookSecretSchema.optional(),
  STRIPE_API_BASE: apiBaseSchema.optional(),
});

/** Variables whose values must never appear in an error message or a log line. */
const SECRET_VARIABLES = new Set(['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET']);

/**
 * Reads the payment variables once, at start. A wrong value stops the process with one line
 * naming the variable (never echoing a secret). Keys may instead be stored through the admin
 * API; these variables win over stored keys.
 */
export function loadPaymentsConfig(env: Record<string, string | undefined>): PaymentsConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(
      ([k, v]) => k in envSchema.shape && v !== undefined && v.trim() !== '',
    ),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    const got = present[name];
    const echo = got === undefined || SECRET_VARIABLES.has(name) ? '' : ` (got "${got}")`;
    throw new ConfigError(
      `Invalid configuration: ${name} ${issue?.message ?? 'is invalid'}${echo}`,
    );
  }
  return Object.freeze({
    stripeSecretKey: parsed.data.STRIPE_SECRET_KEY,
    stripeWebhookSecret: parsed.data.STRIPE_WEBHOOK_SECRET,
    stripeApiBase: parsed.data.STRIPE_API_BASE && Object.freeze(parsed.data.STRIPE_API_BASE),
  });
}
