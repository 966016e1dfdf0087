import { z } from 'zod';

const url = z
  .string()
  .trim()
  .max(2000)
  .refine((v) => /^(https?:\/\/|\/)/.test(v), 'must be an http(s) URL or a path starting with /');

export const navigationItemSchema = z.object({
  label: z.string().trim().min(1, 'is required').max(60),
  url,
});

const fields = {
  title: z.string().trim().min(1, 'is required').max(120),
  description: z.string().trim().max(500),
  logo: url.nullable(),
  icon: url.nullable(),
  accent_color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1a5fb4'),
  navigation: z.array(navigationItemSchema).max(20),
  locale: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'must be a language tag like en or en-GB'),
  posts_per_page: z.number().int().min(1).max(100),
  twitter_handle: z
    .string()
    .regex(/^@?\w{1,15}$/, 'must be a handle like @example')
    .nullable(),
  /** The publication's currency: pledges and new plans are in it. */
  currency: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code like USD or EUR'),
  /** Whether readers may make or change a pledge (the members module honours it). */
  pledges_enabled: z.boolean(),
};

export const siteSettingsSchema = z.object(fields);
export type SiteSettings = z.output<typeof siteSettingsSchema>;

/** What a new publication starts from; stored values override these key by key. */
export const defaultSiteSettings: SiteSettings = {
  title: 'Pressroom',
  description: 'Independent analysis, with the primary sources in full.',
  logo: null,
  icon: null,
  accent_color: '#1a5fb4',
  navigation: [
    { label: 'Home', url: '/' },
    { label: 'Archive', url: '/archive' },
  ],
  locale: 'en',
  posts_per_page: 10,
  twitter_handle: null,
  currency: 'USD',
  pledges_enabled: true,
};

/** PATCH body: any subset; unknown keys are an error that names them. */
export const siteSettingsPatchSchema = siteSettingsSchema.partial().strict();
