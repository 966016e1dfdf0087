import { z } from 'zod';

/**
 * The member lists Pressroom reads, told apart by their header row. Pure functions, so each
 * mapping is tested as a table.
 */
export const IMPORT_FORMATS = ['generic', 'substack', 'ghost'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** What each export's header looks like; only `email` is required of any of them. */
export const EXPECTED_HEADERS: Record<ImportFormat, readonly string[]> = {
  generic: ['email', 'name'],
  substack: ['email', 'active_subscription', 'expiry', 'plan', 'email_disabled', 'created_at'],
  ghost: [
    'id',
    'email',
    'name',
    'note',
    'subscribed_to_emails',
    'complimentary_plan',
    'stripe_customer_id',
    'created_at',
    'deleted_at',
    'labels',
    'tiers',
  ],
};

const NAME_MAX = 120;
const NOTE_MAX = 2000;
const EMAIL_MAX = 254;
const STRIPE_ID_MAX = 255;

export interface ImportLayout {
  format: ImportFormat;
  /** Lower-cased header name → column index (the first, when a name repeats). */
  columns: ReadonlyMap<string, number>;
}

/** A row as it will become a member; `createdAt` null means "now". */
export interface ImportedMember {
  email: string;
  name: string | null;
  note: string | null;
  /** false: imported without newsletters (unsubscribed at the source). */
  subscribed: boolean;
  comped: boolean;
  stripeCustomerId: string | null;
  createdAt: string | null;
}

export type MappedRow =
  | { kind: 'member'; member: ImportedMember }
  | { kind: 'bad'; email: string | null; reason: string }
  /** The source says this member is gone (Ghost's `deleted_at`). */
  | { kind: 'skipped' };

export function detectLayout(header: readonly string[]): ImportLayout | undefined {
  const columns = new Map<string, number>();
  header.forEach((name, index) => {
    const key = name.trim().toLowerCase();
    if (key && !columns.has(key)) columns.set(key, index);
  });
  if (!columns.has('email')) return undefined;
  const has = (...names: string[]) => names.some((n) => columns.has(n));
  const format: ImportFormat = has('subscribed_to_emails', 'complimentary_plan')
    ? 'ghost'
    : has('active_subscription', 'email_disabled', 'expiry', 'plan')
      ? 'substack'
      : 'generic';
  return { format, columns };
}

export function expectedHeadersMessage(): string {
  return (
    'The first row must name the columns, and none of the expected ones was found. Expected: ' +
    `a list with the header "${EXPECTED_HEADERS.generic.join(',')}" (name optional); ` +
    `Substack's subscriber export "${EXPECTED_HEADERS.substack.join(',')}"; ` +
    `or Ghost's members export "${EXPECTED_HEADERS.ghost.join(',')}"`
  );
}

export function mapRow(layout: ImportLayout, fields: readonly string[], now: Date): MappedRow {
  const get = (column: string): string => {
    const index = layout.columns.get(column);
    return index === undefined ? '' : (fields[index] ?? '').trim();
  };
  const rawEmail = get('email');
  const email = normalizeEmail(rawEmail);
  if (typeof email !== 'string') return { kind: 'bad', email: rawEmail || null, ...email };

  const member: ImportedMember = {
    email,
    name: clip(get('name'), NAME_MAX),
    note: null,
    subscribed: true,
    comped: false,
    stripeCustomerId: null,
    createdAt: null,
  };
  switch (layout.format) {
    case 'generic':
      break;
    case 'substack': {
      member.subscribed = !parseBoolean(get('email_disabled'), false);
      member.createdAt = parseTimestamp(get('created_at'), now);
      // Paid plans cannot come across: their billing lives in Substack's Stripe account and
      // is re-linked later. Staff get a note saying what the reader had.
      const plan = get('plan');
      const active = parseBoolean(get('active_subscription'), false);
      if (active || (plan !== '' && plan.toLowerCase() !== 'free')) {
        const expiry = get('expiry');
        member.note = clip(
          `Substack: ${plan || 'paid'} plan${expiry ? `, expiry ${expiry}` : ''}${active ? '' : ' (not active)'}`,
          NOTE_MAX,
        );
      }
      break;
    }
    case 'ghost': {
      if (get('deleted_at') !== '') return { kind: 'skipped' };
      member.subscribed = parseBoolean(get('subscribed_to_emails'), true);
      member.comped = parseBoolean(get('complimentary_plan'), false);
      member.note = clip(get('note'), NOTE_MAX);
      member.stripeCustomerId = clip(get('stripe_customer_id'), STRIPE_ID_MAX);
      member.createdAt = parseTimestamp(get('created_at'), now);
      break;
    }
  }
  return { kind: 'member', member };
}

const emailPattern = z.regexes.email;

/** The address as stored (trimmed, lower case), or why it is refused. */
export function normalizeEmail(raw: string): string | { reason: string } {
  const email = raw.trim().toLowerCase();
  if (email === '') return { reason: 'email is missing' };
  if (email.length > EMAIL_MAX) return { reason: `email is longer than ${EMAIL_MAX} characters` };
  if (!emailPattern.test(email)) return { reason: 'email is not a valid address' };
  return email;
}

const TRUE = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'f', 'no', 'n', '0']);

/** Exports spell booleans every way there is; an empty or odd cell means the default. */
export function parseBoolean(value: string, fallback: boolean): boolean {
  const v = value.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return fallback;
}

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;

/**
 * A source's signup time as ISO-8601 UTC, the form every timestamp is stored in (they sort
 * as text). A time without a zone is taken as UTC, as both exports write them; anything
 * unreadable or in the future falls back to the import time (null).
 */
export function parseTimestamp(value: string, now: Date): string | null {
  if (value === '') return null;
  const text = LOCAL_DATE_TIME.test(value)
    ? `${value.replace(' ', 'T')}${value.length === 10 ? 'T00:00:00' : ''}Z`
    : value;
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || ms > now.getTime()) return null;
  return new Date(ms).toISOString();
}

function clip(value: string, max: number): string | null {
  if (value === '') return null;
  return value.length > max ? value.slice(0, max) : value;
}
