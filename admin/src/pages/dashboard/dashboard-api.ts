import { ApiError, get } from '../../api.js';

/** What the Dashboard reads from /api/admin/dashboard. */
export const RANGES = [30, 90, 365] as const;
export type Range = (typeof RANGES)[number];

export interface MembersDay {
  date: string;
  free: number;
  pledged: number;
  paid: number;
}

export interface DashboardPost {
  id: string;
  title: string;
  slug: string;
  published_at: string | null;
  views: number;
  views_last_7_days: number;
  email: {
    status: string;
    recipients: number;
    sent: number;
    bounced: number;
    complained: number;
    unsubscribed: number;
  } | null;
}

export interface Dashboard {
  days: Range;
  members: {
    days: MembersDay[];
    totals: { free: number; pledged: number; paid: number; total: number };
  };
  views: { days: { date: string; views: number }[]; total: number };
  posts: DashboardPost[];
}

export const loadDashboard = async (days: Range) =>
  (await get<{ dashboard: Dashboard }>(`/dashboard?days=${days}`)).dashboard;

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError && e.status === 403)
    return 'The dashboard is for editors, admins and the owner.';
  return e instanceof Error ? e.message : String(e);
}

const number = new Intl.NumberFormat();
export const formatNumber = (n: number) => number.format(n);

/** A day (YYYY-MM-DD, UTC) as people read it. */
export function formatDay(day: string, withYear = false): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(undefined, {
    timeZone: 'UTC',
    month: 'short',
    day: 'numeric',
    ...(withYear ? { year: 'numeric' } : {}),
  });
}

export function formatDate(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
  });
}
