import { useEffect, useRef, useState } from 'react';
import { ApiError, get, post } from '../../api.js';
import { Link } from '../../router.js';
import { SendProgressBar } from './SendProgressBar.js';
import {
  count,
  elapsed,
  finished,
  formatDateTime,
  formatDuration,
  formatRate,
  listPath,
  message,
  POLL_MS,
  postTitle,
  processed,
  progressText,
  segmentLabel,
  STATUS_LABELS,
  type FailureList,
  type SendSummary,
} from './sends-api.js';
import { Pager } from '../../components/Pager.js';

const FAILURES_PAGE = 25;
/** A scheduled send is looked at now and then, to see it start. */
const SCHEDULED_POLL_MS = 15_000;

type Action = 'pause' | 'resume' | 'cancel';

const DONE: Record<Action, string> = {
  pause: 'Paused. Nothing more goes out until you resume.',
  resume: 'Resumed: sending again.',
  cancel: 'Cancelled. Nobody else gets this email.',
};

/** What is said aloud as a send goes: its status, and each quarter of the way. */
function announcement(s: SendSummary): string {
  switch (s.status) {
    case 'sending':
      return `Sending: ${progressText(s)}.`;
    case 'sent':
      return `The send has finished: ${progressText(s)}.`;
    case 'paused':
      return `Paused: ${progressText(s)}.`;
    case 'cancelled':
      return `Cancelled: ${progressText(s)}.`;
    case 'failed':
      return `The send failed${s.last_error ? `: ${s.last_error}` : '.'}`;
    default:
      return '';
  }
}

const quarter = (s: SendSummary) =>
  s.total === 0 ? 4 : Math.floor((processed(s) / s.total) * 4 + 1e-9);

/** One send: live progress while it goes out, pause / resume / cancel, then its report. */
export function SendDetail({ id }: { id: string }) {
  const [send, setSend] = useState<SendSummary | undefined>();
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const [busy, setBusy] = useState<Action | undefined>();
  const [said, setSaid] = useState('');
  const [polls, setPolls] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const actions = useRef<HTMLDivElement>(null);
  const heard = useRef<{ status: string; quarter: number } | undefined>(undefined);
  /** Moved by each pause, resume or cancel: an answer asked for before one is stale. */
  const generation = useRef(0);
  const refocus = useRef(false);

  useEffect(() => {
    let current = true;
    const asked = generation.current;
    get<{ send: SendSummary }>(`/sends/${encodeURIComponent(id)}`)
      .then((r) => {
        if (!current || asked !== generation.current) return;
        setSend(r.send);
        setError(undefined);
      })
      .catch((e: unknown) => {
        if (!current) return;
        if (e instanceof ApiError && e.status === 404) setMissing(true);
        else setError(message(e));
      });
    return () => {
      current = false;
    };
  }, [id, polls]);

  // Asked again every POLL_MS while it goes out, now and then while it waits to start; each
  // answer schedules the next question, so they never pile up behind a slow server.
  const every =
    send?.status === 'sending' ? POLL_MS : send?.status === 'scheduled' ? SCHEDULED_POLL_MS : 0;
  useEffect(() => {
    if (every === 0) return;
    const timer = window.setTimeout(() => setPolls((n) => n + 1), every);
    return () => window.clearTimeout(timer);
  }, [every, send, error]);

  // Politely, and not at every poll: a change of status, or another quarter of the way.
  useEffect(() => {
    if (!send) return;
    const now = { status: send.status, quarter: quarter(send) };
    const before = heard.current;
    heard.current = now;
    // The page's first state is on screen already; the heading says where we are.
    if (!before) return;
    if (before.status !== now.status || (send.status === 'sending' && now.quarter > before.quarter))
      setSaid(announcement(send));
  }, [send]);

  const loaded = send !== undefined;
  useEffect(() => {
    if (loaded) heading.current?.focus();
  }, [loaded]);

  async function act(action: Action) {
    if (!send) return;
    if (
      action === 'cancel' &&
      !window.confirm(
        `Cancel this send? Nobody who has not had “${postTitle(send)}” yet will get it. This cannot be undone.`,
      )
    )
      return;
    setBusy(action);
    generation.current++;
    setError(undefined);
    setDone(undefined);
    try {
      const r = await post<{ send: Partial<SendSummary> }>(`/sends/${send.id}/${action}`);
      setSend((s) => (s ? { ...s, ...r.send } : s));
      setDone(DONE[action]);
    } catch (e) {
      setError(message(e));
    } finally {
      refocus.current = true;
      setBusy(undefined);
    }
  }

  // The button pressed gives way to another (Pause to Resume) or goes: focus follows to
  // the next action, or to the heading, once the page shows the outcome.
  useEffect(() => {
    if (!refocus.current || busy !== undefined) return;
    refocus.current = false;
    const next = actions.current?.querySelector<HTMLButtonElement>('button:not(:disabled)');
    (next ?? heading.current)?.focus();
  }, [busy, send]);

  const back = (
    <p className="pr-send-back">
      <Link to={listPath()}>← All sends</Link>
    </p>
  );
  if (missing)
    return (
      <section className="pr-page pr-sends">
        {back}
        <h1>Send not found</h1>
        <p>No send has this id.</p>
      </section>
    );
  if (!send)
    return (
      <section className="pr-page pr-sends">
        {back}
        {error ? (
          <p className="pr-error" role="alert">
            {error}
          </p>
        ) : (
          <p className="pr-loading">Loading…</p>
        )}
      </section>
    );

  const title = postTitle(send);
  const over = finished(send.status);
  const canPause = send.status === 'sending';
  const canResume = send.status === 'paused';
  const canCancel =
    send.status === 'scheduled' || send.status === 'sending' || send.status === 'paused';
  return (
    <section className="pr-page pr-sends" aria-labelledby="send-title">
      {back}
      <div className="pr-send-head">
        <h1 id="send-title" ref={heading} tabIndex={-1}>
          {title}
        </h1>
        <span className={`pr-status pr-send-status-${send.status}`}>
          {STATUS_LABELS[send.status]}
        </span>
      </div>
      <p className="pr-visually-hidden" aria-live="polite">
        {said}
      </p>

      <dl className="pr-send-fields">
        <dt>Post</dt>
        <dd>
          {send.post_id ? (
            <Link to={`/posts/${send.post_id}`}>{send.post_title ?? 'Open the post'}</Link>
          ) : (
            'Deleted'
          )}
        </dd>
        <dt>Subject</dt>
        <dd>{send.subject}</dd>
        <dt>Newsletter</dt>
        <dd>{send.newsletter_name ?? 'Deleted'}</dd>
        <dt>Audience</dt>
        <dd>{segmentLabel(send)}</dd>
        {send.scheduled_at && (
          <>
            <dt>Scheduled for</dt>
            <dd>
              <time dateTime={send.scheduled_at}>{formatDateTime(send.scheduled_at)}</time>
            </dd>
          </>
        )}
        <dt>Started</dt>
        <dd>
          {send.started_at ? (
            <time dateTime={send.started_at}>{formatDateTime(send.started_at)}</time>
          ) : (
            'Not yet'
          )}
        </dd>
        {send.finished_at && (
          <>
            <dt>{send.status === 'cancelled' ? 'Cancelled' : 'Finished'}</dt>
            <dd>
              <time dateTime={send.finished_at}>{formatDateTime(send.finished_at)}</time>
            </dd>
          </>
        )}
      </dl>

      {send.status === 'failed' && send.last_error && (
        <p className="pr-error">The send stopped: {send.last_error}</p>
      )}

      {(canPause || canResume || canCancel) && (
        <div className="pr-actions pr-send-actions" ref={actions}>
          {canPause && (
            <button type="button" disabled={busy !== undefined} onClick={() => void act('pause')}>
              Pause
            </button>
          )}
          {canResume && (
            <button
              type="button"
              className="pr-primary"
              disabled={busy !== undefined}
              onClick={() => void act('resume')}
            >
              Resume
            </button>
          )}
          {canCancel && (
            <button
              type="button"
              className="pr-danger"
              disabled={busy !== undefined}
              onClick={() => void act('cancel')}
            >
              Cancel send
            </button>
          )}
        </div>
      )}
      <div aria-live="polite">{done && <p className="pr-send-done">{done}</p>}</div>
      {error && (
        <p className="pr-error" role="alert">
          {error}
        </p>
      )}

      {send.status === 'scheduled' ? (
        <p>
          {send.scheduled_at
            ? `It starts ${formatDateTime(send.scheduled_at)}: the recipients are counted then.`
            : 'It is about to start.'}
        </p>
      ) : (
        <Figures send={send} over={over} />
      )}
      {send.failed > 0 && <Failures key={send.id} sendId={send.id} failed={send.failed} />}
    </section>
  );
}

function Figures({ send, over }: { send: SendSummary; over: boolean }) {
  const took = elapsed(send);
  const figures: [string, number, string?][] = [
    ['Recipients', send.total, 'Everyone in the audience when the send started'],
    ['Sent', send.sent],
    ['Failed', send.failed],
    ['Suppressed', send.suppressed, 'Bounced or complained before: not sent to'],
    ['Bounced', send.bounced],
    ['Complained', send.complained],
    ['Unsubscribed', send.unsubscribed],
    ['Resent', send.resent, 'Sent again after an interruption: some may have it twice'],
  ];
  return (
    <section className="pr-send-section" aria-labelledby="send-figures">
      <h2 id="send-figures">{over ? 'Report' : 'Progress'}</h2>
      <SendProgressBar send={send} label="Progress" />
      <p className="pr-send-progress-text">
        <strong>{progressText(send)}</strong>
        {!over && send.remaining > 0 && <span> · {count(send.remaining)} to go</span>}
      </p>
      <dl className="pr-send-rate">
        {!over ? (
          <>
            <div>
              <dt>Messages a second</dt>
              <dd>{formatRate(send.rate)}</dd>
            </div>
            <div>
              <dt>Time left</dt>
              <dd>{send.status === 'paused' ? 'Paused' : formatDuration(send.eta_seconds)}</dd>
            </div>
          </>
        ) : (
          took !== null && (
            <>
              <div>
                <dt>Took</dt>
                <dd>{formatDuration(took)}</dd>
              </div>
              <div>
                <dt>Messages a second</dt>
                <dd>{formatRate(send.rate)}</dd>
              </div>
            </>
          )
        )}
      </dl>
      <dl className="pr-send-figures">
        {figures.map(([label, value, hint]) => (
          <div key={label} data-figure={label.toLowerCase()} data-some={value > 0 || undefined}>
            <dt>{label}</dt>
            <dd>{count(value)}</dd>
            {hint && <dd className="pr-send-hint">{hint}</dd>}
          </div>
        ))}
      </dl>
    </section>
  );
}

/** The addresses the send could not reach, with what the receiving server said. */
function Failures({ sendId, failed }: { sendId: string; failed: number }) {
  const [page, setPage] = useState(1);
  const [list, setList] = useState<FailureList | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  // Asked again when the number of failures moves, so the list keeps up with a live send.
  useEffect(() => {
    let current = true;
    setBusy(true);
    get<FailureList>(`/sends/${sendId}/failures?page=${page}&limit=${FAILURES_PAGE}`)
      .then((r) => {
        if (!current) return;
        setList(r);
        setError(undefined);
      })
      .catch((e: unknown) => {
        if (current) setError(message(e));
      })
      .finally(() => {
        if (current) setBusy(false);
      });
    return () => {
      current = false;
    };
  }, [sendId, page, failed]);

  return (
    <section className="pr-send-section" aria-labelledby="send-failures">
      <h2 id="send-failures">Failed recipients</h2>
      <p className="pr-muted">
        Refused for good, or still refused after every retry. Permanently refused addresses are
        suppressed: later sends skip them.
      </p>
      {error && (
        <p className="pr-error" role="alert">
          {error}
        </p>
      )}
      {!list ? (
        !error && <p className="pr-loading">Loading…</p>
      ) : (
        <div aria-busy={busy || undefined}>
          <table className="pr-table pr-send-failures">
            <caption className="pr-visually-hidden">Failed recipients, by address</caption>
            <thead>
              <tr>
                <th scope="col">Address</th>
                <th scope="col">Last error</th>
                <th scope="col">Attempts</th>
              </tr>
            </thead>
            <tbody>
              {list.failures.map((f) => (
                <tr key={f.member_id}>
                  <td className="pr-send-address">{f.email}</td>
                  <td className="pr-send-error-text">{f.last_error ?? '—'}</td>
                  <td>{f.attempts}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            page={page}
            pages={list.meta.pages}
            onPage={setPage}
            label="Pages of failed recipients"
          />
        </div>
      )}
    </section>
  );
}
