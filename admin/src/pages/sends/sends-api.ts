/** What the sends screens read from `/api/admin/sends`, and how they put it into words. */
import { ApiError } from '../../api.js';

export type SendStatus = 'scheduled' | 'sending' | 'paused' | 'cancelled' | 'sent' | 'failed';

export const STATUS_LABELS: Record<SendStatus, string> = {
  scheduled: 'Scheduled',
  sending: 'Sending',
  paused: 'Paused',
  cancelled: 'Cancelled',
  sent: 'Sent',
  failed: 'Failed',
};
export const SEND_STATUSES = Object.keys(STATUS_LABELS) as SendStatus[];

/** A send as the API lists and shows it: what went where, and where it stands. */
export interface SendSummary {
  id: string;
  post_id: string | null;
  post_title: string | null;
  newsletter_id: string | null;
  newsletter_name: string | null;
  segment: string;
  tier_name: string | null;
  subject: string;
  status: SendStatus;
  scheduled_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  created_at: string;
  last_error: string | null;
  /** Subscribers in the segment when the send started, suppressed addresses included. */
  total: number;
  sent: number;
  failed: number;
  suppressed: number;
  resent: number;
  bounced: number;
  complained: number;
  unsubscribed: number;
  remaining: number;
  /** Messages a second since the send started. */
  rate: number;
  eta_seconds: number | null;
}

export interface PageMeta {
  page: number;
  limit: number;
  pages: number;
  total: number;
}

export interface SendList {
  sends: SendSummary[];
  meta: PageMeta;
}

export interface Failure {
  member_id: string;
  email: string;
  name: string | null;
  attempts: number;
  last_error: string | null;
}

export interface FailureList {
  failures: Failure[];
  meta: PageMeta;
}

/** The list's query string, so "All sends" from a send returns to the same page of it. */
let lastListQuery = '';
export const rememberListQuery = (query: string) => {
  lastListQuery = query;
};
export const listPath = () => `/sends${lastListQuery ? `?${lastListQuery}` : ''}`;

/** How often a send that is going out is asked for again. */
export const POLL_MS = 2000;

/** Whether a send is over: nothing it does will change its figures but feedback. */
export const finished = (status: SendStatus) =>
  status === 'sent' || status === 'cancelled' || status === 'failed';

export const message = (e: unknown) => (e instanceof ApiError ? e.message : String(e));

export function segmentLabel(send: Pick<SendSummary, 'segment' | 'tier_name'>): string {
  switch (send.segment) {
    case 'all':
      return 'All subscribers';
    case 'free':
      return 'Free members';
    case 'paid':
      return 'Paid members';
    default:
      return send.segment.startsWith('tier:')
        ? `Plan: ${send.tier_name ?? 'a deleted plan'}`
        : send.segment;
  }
}

/** Recipients done with, one way or another: what the progress bar fills with. */
export const processed = (s: Pick<SendSummary, 'sent' | 'failed' | 'suppressed'>) =>
  s.sent + s.failed + s.suppressed;

export const count = (n: number) => n.toLocaleString();

/** "3 of 5 sent", and the failures if any: what a progress bar says to a screen reader. */
export function progressText(s: SendSummary): string {
  const parts = [`${count(s.sent)} of ${count(s.total)} sent`];
  if (s.failed > 0) parts.push(`${count(s.failed)} failed`);
  if (s.suppressed > 0) parts.push(`${count(s.suppressed)} suppressed`);
  return parts.join(', ');
}

/** Messages a second, as a number: the label says the unit. */
export function formatRate(rate: number): string {
  if (rate <= 0) return '—';
  return rate.toLocaleString(undefined, { maximumFractionDigits: rate < 10 ? 1 : 0 });
}

/** "about 3 min", "12 s": an estimate, so no more precise than it can be. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 1) return 'under a second';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `about ${hours} h${rest > 0 ? ` ${rest} min` : ''}`;
}

export const formatDateTime = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—';

/** How long a finished send took, from its start to its end. */
export function elapsed(s: Pick<SendSummary, 'started_at' | 'finished_at'>): number | null {
  if (!s.started_at || !s.finished_at) return null;
  return Math.max(0, (Date.parse(s.finished_at) - Date.parse(s.started_at)) / 1000);
}

export const postTitle = (s: Pick<SendSummary, 'post_title' | 'subject'>) =>
  s.post_title ?? s.subject;
