/**
 * What the members screens read from `/api/admin/members` and its neighbours, and the one
 * request `api.ts` cannot make: an upload that reports its progress.
 */
import { ApiError, get, OfflineError, setCsrfToken } from '../../api.js';

export type MemberStatus = 'free' | 'paid' | 'comped' | 'past_due' | 'cancelled';

export const STATUS_LABELS: Record<MemberStatus, string> = {
  free: 'Free',
  paid: 'Paid',
  comped: 'Comped',
  past_due: 'Past due',
  cancelled: 'Cancelled',
};
export const MEMBER_STATUSES = Object.keys(STATUS_LABELS) as MemberStatus[];

export interface Pledge {
  id: string;
  tier_id: string | null;
  /** Minor units (cents). */
  amount: number;
  currency: string;
  interval: string;
  created_at: string;
}

interface MemberBase {
  id: string;
  email: string;
  name: string | null;
  status: MemberStatus;
  tier: { id: string; slug: string | null; name: string | null } | null;
  comp_until: string | null;
  access_until: string | null;
  source: string;
  note: string | null;
  confirmed_at: string | null;
  last_seen_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface MemberSummary extends MemberBase {
  newsletters: string[];
  pledge: Pledge | null;
}

export interface Subscription {
  id: string;
  tier_id: string | null;
  status: string;
  interval: string | null;
  amount: number | null;
  currency: string | null;
  current_period_end: string | null;
  cancel_at_period_end: number;
  trial_end: string | null;
  created_at: string;
  updated_at: string;
}

export interface MemberEvent {
  id: number;
  type: string;
  data: Record<string, unknown>;
  created_at: string;
}

export interface MemberDetail {
  member: MemberBase & { stripe_customer_id: string | null };
  newsletters: { id: string; slug: string; name: string }[];
  pledge: Pledge | null;
  subscriptions: Subscription[];
  events: MemberEvent[];
}

export interface MemberHistory {
  events: MemberEvent[];
  meta: { limit: number; next_before: number | null };
}

export interface MemberList {
  members: MemberSummary[];
  meta: { page: number; limit: number; pages: number; total: number };
}

export interface MemberStats {
  total: number;
  by_status: Record<MemberStatus, number>;
  pledged: number;
}

export interface Newsletter {
  id: string;
  slug: string;
  name: string;
  status: 'active' | 'archived';
  subscribe_on_signup: boolean;
  member_count: number;
}

export interface Tier {
  id: string;
  slug: string;
  name: string;
  active: boolean;
}

export interface BadRow {
  line: number;
  email: string | null;
  reason: string;
}

export interface ImportReport {
  format: 'generic' | 'substack' | 'ghost';
  total_rows: number;
  imported: number;
  duplicates: number;
  skipped: number;
  /** The first of them (the server lists up to a thousand); `bad_count` counts all. */
  bad: BadRow[];
  bad_count: number;
  complete: boolean;
  newsletters: string[];
}

export interface ImportOptions {
  /** Slugs; empty: no newsletters. */
  newsletters: readonly string[];
  /** ISO date-time the comp ends, 'true' for open-ended, null for no comp. */
  comp: string | null;
}

export interface ImportHooks {
  onProgress(loaded: number, total: number): void;
  /** Every byte is sent; the server is writing its last batch. */
  onUploaded(): void;
  signal: AbortSignal;
}

/**
 * Sends the file as the request body with XMLHttpRequest, the one browser API that reports
 * upload progress. The server imports as it reads, so the bytes sent track the rows
 * processed, give or take what the network buffers hold.
 */
export async function importMembersCsv(
  file: File,
  options: ImportOptions,
  hooks: ImportHooks,
): Promise<ImportReport> {
  // Asking first brings up the sign-in prompt if the session lapsed while the file was being
  // chosen, rather than after a long upload, and gives the CSRF token to send with it.
  const { csrf_token } = await get<{ csrf_token: string }>('/session');
  setCsrfToken(csrf_token);
  hooks.signal.throwIfAborted();
  const query = new URLSearchParams({ newsletters: options.newsletters.join(',') });
  if (options.comp) query.set('comp', options.comp);
  return new Promise<ImportReport>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/admin/members/import?${query.toString()}`);
    xhr.responseType = 'json';
    xhr.setRequestHeader('accept', 'application/json');
    // Whatever the browser calls a .csv file (Windows says application/vnd.ms-excel).
    xhr.setRequestHeader('content-type', 'text/csv');
    xhr.setRequestHeader('x-csrf-token', csrf_token);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) hooks.onProgress(e.loaded, e.total);
    };
    xhr.upload.onload = () => hooks.onUploaded();
    xhr.onload = () => {
      const body = xhr.response as {
        report?: ImportReport;
        error?: { code: string; message: string; field?: string };
      } | null;
      if (xhr.status === 200 && body?.report) {
        resolve(body.report);
        return;
      }
      // api.ts tells the app a session has ended; a second look makes it do so.
      if (xhr.status === 401) void get('/session').catch(() => undefined);
      const e = body?.error;
      reject(
        new ApiError(
          xhr.status,
          e?.code ?? 'error',
          e?.message ?? `The import failed (HTTP ${xhr.status})`,
          e?.field,
        ),
      );
    };
    xhr.onerror = () => reject(new OfflineError());
    xhr.onabort = () => reject(new DOMException('The import was cancelled', 'AbortError'));
    hooks.signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

export const canManageMembers = (role: string | undefined) => role === 'owner' || role === 'admin';

/** The list's query string, so "All members" from a member returns to the same page. */
let lastListQuery = '';
export const rememberListQuery = (query: string) => {
  lastListQuery = query;
};
export const listPath = () => `/members${lastListQuery ? `?${lastListQuery}` : ''}`;

// --- formatting ---------------------------------------------------------------------------

export const formatDate = (iso: string | null) =>
  iso ? new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' }) : '—';

export const formatDateTime = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—';

/** Money is stored in minor units; the currency says how many digits those are. */
export function formatMoney(
  amount: number | null | undefined,
  currency: string | null | undefined,
) {
  if (amount === null || amount === undefined) return '—';
  const code = (currency ?? '').toUpperCase();
  try {
    const format = new Intl.NumberFormat(undefined, { style: 'currency', currency: code });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(amount / 10 ** digits);
  } catch {
    return `${(amount / 100).toFixed(2)} ${code}`;
  }
}

export const intervalLabel = (interval: string | null | undefined) =>
  interval === 'month' ? 'a month' : interval === 'year' ? 'a year' : (interval ?? '');

/** `YYYY-MM-DD` of a date in the browser's time zone, as `<input type="date">` wants it. */
export function localDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The first instant of a `YYYY-MM-DD` day in the browser's time zone, as ISO UTC. */
export const startOfDay = (date: string, addDays = 0) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + addDays).toISOString();
};

/** The last instant of a `YYYY-MM-DD` day in the browser's time zone: "until" that day. */
export const endOfDay = (date: string) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d, 23, 59, 59, 999).toISOString();
};
