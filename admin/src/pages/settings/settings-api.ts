import { ApiError, api, OfflineError, type Staff } from '../../api.js';

/**
 * What the Settings screen reads from and sends to the Admin API. Every section saves through
 * these endpoints only; the server validates and names the field that is wrong.
 */

export const put = <T>(path: string, body?: unknown) => api<T>('PUT', path, body);

export interface NavigationItem {
  label: string;
  url: string;
}

export interface SiteSettings {
  title: string;
  description: string;
  logo: string | null;
  icon: string | null;
  accent_color: string;
  navigation: NavigationItem[];
  locale: string;
  posts_per_page: number;
  twitter_handle: string | null;
  currency: string;
}

export interface Tier {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  currency: string;
  monthly_amount: number | null;
  yearly_amount: number | null;
  founding_min_amount: number | null;
  trial_days: number;
  open: boolean;
  active: boolean;
  sort_order: number;
  stripe_product_id: string | null;
}

export type KeySource = 'env' | 'settings' | null;

export interface PaymentSettings {
  stripe_configured: boolean;
  paid_subscriptions_open: boolean;
  checkout_available: boolean;
  secret_key: { source: KeySource; hint: string | null };
  webhook_secret: { source: KeySource };
  webhook_url: string;
}

export interface PledgeSummary {
  count: number;
  monthly_total_by_currency: Record<string, number>;
}

export interface Newsletter {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  subscribe_on_signup: boolean;
  sort_order: number;
  status: 'active' | 'archived';
  member_count: number;
}

export type SmtpSecurity = 'tls' | 'starttls' | 'none';

export interface EmailSettings {
  transport: {
    kind: 'smtp' | 'postmark' | null;
    source: KeySource;
    smtp: {
      host: string;
      port: number;
      security: SmtpSecurity;
      user: string;
      password_set: boolean;
      connections: number;
    } | null;
    postmark: { token_set: boolean } | null;
    from: string;
  };
  /** Domain and selector are empty strings when no key is set. */
  dkim: { domain: string; selector: string; key_set: boolean; source: KeySource };
  dns: DnsRecord[];
}

export interface DnsRecord {
  type: string;
  name: string;
  value: string;
  purpose: string;
}

/** What went wrong with a save: a field the server named, or the form as a whole. */
export interface Problem {
  message: string;
  field?: string | undefined;
  status?: number;
}

export function problemOf(e: unknown): Problem {
  if (e instanceof ApiError) return { message: e.message, field: e.field, status: e.status };
  if (e instanceof OfflineError) return { message: 'The server cannot be reached. Try again.' };
  return { message: String(e) };
}

/** Staff below admin may look at some settings, never change them; the server enforces it. */
export const canChangeSettings = (role: Staff['role'] | undefined) =>
  role === 'owner' || role === 'admin';

export const isForbidden = (p: Problem | undefined) => p?.status === 403;

// ISO 4217 currencies with no minor unit, as the server counts them.
const ZERO_DECIMAL = new Set(
  'BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF'.split(' '),
);

export const minorPerMajor = (currency: string) =>
  ZERO_DECIMAL.has(currency.toUpperCase()) ? 1 : 100;

/** "8" or "8.50" → 850 minor units; undefined for anything that is not an amount. */
export function toMinor(text: string, currency: string): number | undefined {
  const t = text.trim().replace(',', '.');
  const perMajor = minorPerMajor(currency);
  const pattern = perMajor === 1 ? /^\d+$/ : /^\d+(\.\d{1,2})?$/;
  if (!pattern.test(t)) return undefined;
  return Math.round(Number(t) * perMajor);
}

/** 850 → "8.50" (the number typed into a field, without the currency sign). */
export function toMajorText(minor: number | null, currency: string): string {
  if (minor === null) return '';
  const perMajor = minorPerMajor(currency);
  return perMajor === 1 ? String(minor) : (minor / perMajor).toFixed(2).replace(/\.00$/, '');
}

export function formatMoney(minor: number, currency: string): string {
  const major = minor / minorPerMajor(currency);
  try {
    return new Intl.NumberFormat(undefined, {
      style: 'currency',
      currency: currency.toUpperCase(),
    }).format(major);
  } catch {
    return `${major} ${currency.toUpperCase()}`;
  }
}
