import { z } from 'zod';
import { SLUG_PATTERN } from '../../platform/slug.js';
import { secretKeySchema, webhookSecretSchema } from './payments.config.js';
import { INTERVALS } from './payments.types.js';

/** Stripe's ceiling for a unit amount (eight digits of minor units). */
export const MAX_AMOUNT = 99_999_999;

export const amountSchema = z
  .number({ message: 'must be a whole number of minor units (cents)' })
  .int('must be a whole number of minor units (cents)')
  .min(1, 'must be at least 1')
  .max(MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`);

const tierFields = {
  name: z.string().trim().min(1, 'is required').max(120),
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .max(80)
    .regex(SLUG_PATTERN, 'must be a lowercase-hyphenated slug'),
  description: z.string().trim().max(2000).nullable(),
  currency: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z]{3}$/, 'must be a three-letter ISO currency code such as usd'),
  monthly_amount: amountSchema.nullable(),
  yearly_amount: amountSchema.nullable(),
  founding_min_amount: amountSchema.nullable(),
  trial_days: z.number().int('must be a whole number').min(0).max(730),
  open: z.boolean(),
  sort_order: z.number().int().min(0).max(10_000),
};

export const tierCreateSchema = z
  .object({
    ...tierFields,
    slug: tierFields.slug.optional(),
    description: tierFields.description.optional(),
    monthly_amount: tierFields.monthly_amount.optional(),
    yearly_amount: tierFields.yearly_amount.optional(),
    founding_min_amount: tierFields.founding_min_amount.optional(),
    trial_days: tierFields.trial_days.default(0),
    open: tierFields.open.default(false),
    sort_order: tierFields.sort_order.default(0),
  })
  .strict();
export type TierCreateInput = z.output<typeof tierCreateSchema>;

export const tierPatchSchema = z.object(tierFields).partial().strict();
export type TierPatchInput = z.output<typeof tierPatchSchema>;

export const checkoutSchema = z
  .object({
    tier_id: z.string().trim().min(1, 'is required').max(100),
    interval: z.enum(INTERVALS, { message: 'must be month or year' }),
    amount: amountSchema.optional(),
  })
  .strict();
export type CheckoutInput = z.output<typeof checkoutSchema>;

export const paymentSettingsPatchSchema = z
  .object({
    stripe_secret_key: secretKeySchema.nullable(),
    stripe_webhook_secret: webhookSecretSchema.nullable(),
  })
  .partial()
  .strict();
