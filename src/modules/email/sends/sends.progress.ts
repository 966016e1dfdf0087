/** Where a send stands, as the admin shows it. */
export interface SendProgress {
  status: string;
  /** Subscribers in the segment when the send started, suppressed addresses included. */
  total: number;
  sent: number;
  failed: number;
  suppressed: number;
  /** Copies sent a second time after an interrupted attempt (see CONTEXT.md). */
  resent: number;
  /** Recipients whose copy bounced, who complained, who unsubscribed through it. */
  bounced: number;
  complained: number;
  unsubscribed: number;
  remaining: number;
  /** Messages per second since the send started; 0 before it has. */
  rate: number;
  /** null while nothing is known (not started, nothing sent yet) or nothing remains. */
  eta_seconds: number | null;
}

export interface SendCounters {
  status: string;
  total: number;
  sent: number;
  failed: number;
  suppressed: number;
  resent: number;
  bounced: number;
  complained: number;
  unsubscribed: number;
  started_at: string | null;
  finished_at: string | null;
}

/** Pure, so the arithmetic is tested with a table of cases. */
export function buildProgress(send: SendCounters, now: Date): SendProgress {
  const remaining = Math.max(0, send.total - send.sent - send.failed - send.suppressed);
  const end = send.finished_at === null ? now.getTime() : Date.parse(send.finished_at);
  const elapsed = send.started_at === null ? 0 : (end - Date.parse(send.started_at)) / 1000;
  const rate = elapsed > 0 ? send.sent / elapsed : 0;
  const active = send.status === 'sending';
  return {
    status: send.status,
    total: send.total,
    sent: send.sent,
    failed: send.failed,
    suppressed: send.suppressed,
    resent: send.resent,
    bounced: send.bounced,
    complained: send.complained,
    unsubscribed: send.unsubscribed,
    remaining,
    rate: Math.round(rate * 100) / 100,
    eta_seconds: active && rate > 0 && remaining > 0 ? Math.ceil(remaining / rate) : null,
  };
}
