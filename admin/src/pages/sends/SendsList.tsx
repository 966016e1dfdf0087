import { useEffect, useRef, useState } from 'react';
import { get } from '../../api.js';
import { Link } from '../../router.js';
import { SendProgressBar } from './SendProgressBar.js';
import {
  count,
  formatDateTime,
  message,
  POLL_MS,
  postTitle,
  progressText,
  rememberListQuery,
  SEND_STATUSES,
  segmentLabel,
  STATUS_LABELS,
  type SendList,
  type SendStatus,
  type SendSummary,
} from './sends-api.js';
import { Pager } from '../../components/Pager.js';

const PAGE_SIZE = 20;

interface Filters {
  status: '' | SendStatus;
  page: number;
}

/** The filter lives in the address, so Back from a send returns to the same page. */
function fromAddress(): Filters {
  const q = new URLSearchParams(window.location.search);
  const status = q.get('status') ?? '';
  const page = Number(q.get('page'));
  return {
    status: (SEND_STATUSES as string[]).includes(status) ? (status as SendStatus) : '',
    page: Number.isInteger(page) && page > 0 ? page : 1,
  };
}

function toAddress(f: Filters): string {
  const q = new URLSearchParams();
  if (f.status) q.set('status', f.status);
  if (f.page > 1) q.set('page', String(f.page));
  return q.toString();
}

/** The newsletter sends, newest first; the page keeps asking while one is going out. */
export function SendsList() {
  const [filters, setFilters] = useState<Filters>(fromAddress);
  const [list, setList] = useState<SendList | undefined>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | undefined>();
  const [tick, setTick] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const request = useRef(0);
  const shown = useRef<Filters | undefined>(undefined);

  useEffect(() => heading.current?.focus(), []);
  // The Sends link in the top bar, or Back within the list, changes the address under us.
  useEffect(() => {
    const onPop = () => {
      if (window.location.pathname !== '/admin/sends') return;
      const f = fromAddress();
      setFilters((prev) => (toAddress(prev) === toAddress(f) ? prev : f));
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  useEffect(() => {
    const address = toAddress(filters);
    rememberListQuery(address);
    window.history.replaceState(null, '', `/admin/sends${address ? `?${address}` : ''}`);
    const q = new URLSearchParams({ page: String(filters.page), limit: String(PAGE_SIZE) });
    if (filters.status) q.set('status', filters.status);
    // A poll and a change of filter can cross; only the latest answer is shown.
    const mine = ++request.current;
    // A refresh in the background is not worth a dimmed page; a change of filter is.
    if (shown.current !== filters) setLoading(true);
    shown.current = filters;
    get<SendList>(`/sends?${q.toString()}`)
      .then((r) => {
        if (mine !== request.current) return;
        setList(r);
        setError(undefined);
      })
      .catch((e: unknown) => {
        if (mine === request.current) setError(message(e));
      })
      .finally(() => {
        if (mine === request.current) setLoading(false);
      });
  }, [filters, tick]);

  // While a send on this page is going out, its row is refreshed: each answer (or failure)
  // schedules the next request, so they never pile up behind a slow server.
  const live = list?.sends.some((s) => s.status === 'sending') ?? false;
  useEffect(() => {
    if (!live) return;
    const timer = window.setTimeout(() => setTick((n) => n + 1), POLL_MS);
    return () => window.clearTimeout(timer);
  }, [live, list, error]);

  const total = list?.meta.total ?? 0;
  return (
    <section className="pr-page pr-sends" aria-labelledby="sends-title">
      <div className="pr-page-head">
        <h1 id="sends-title" ref={heading} tabIndex={-1}>
          Sends
        </h1>
      </div>
      <p className="pr-muted pr-sends-intro">
        Each post emailed to a newsletter is a send. Open one to follow it or to read its report.
      </p>
      <form className="pr-filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select
            value={filters.status}
            onChange={(e) => setFilters({ status: e.target.value as Filters['status'], page: 1 })}
          >
            <option value="">All</option>
            {SEND_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
      </form>
      <p className="pr-sends-summary" role="status">
        {list && total > 0
          ? `${count(total)} ${filters.status ? STATUS_LABELS[filters.status].toLowerCase() : ''} send${total === 1 ? '' : 's'}`.replace(
              /\s+/g,
              ' ',
            )
          : ''}
      </p>
      {error && (
        <p className="pr-error" role="alert">
          {error}
        </p>
      )}
      <div aria-busy={loading || undefined}>
        {!list ? (
          !error && <p className="pr-loading">Loading…</p>
        ) : list.sends.length === 0 ? (
          <p>
            {filters.status
              ? `No ${STATUS_LABELS[filters.status].toLowerCase()} sends.`
              : 'Nothing sent yet. Publish a post with “Send it by email too” and its send appears here.'}
          </p>
        ) : (
          <table className="pr-table pr-table-cards pr-sends-table">
            <caption className="pr-visually-hidden">Newsletter sends, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Post</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col">Newsletter</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {list.sends.map((s) => (
                <SendRow key={s.id} send={s} />
              ))}
            </tbody>
          </table>
        )}
      </div>
      {list && (
        <Pager
          page={list.meta.page}
          pages={list.meta.pages}
          onPage={(page) => setFilters((f) => ({ ...f, page }))}
        />
      )}
    </section>
  );
}

function SendRow({ send: s }: { send: SendSummary }) {
  const title = postTitle(s);
  const when = s.started_at ?? s.scheduled_at ?? s.created_at;
  return (
    <tr data-send={s.id}>
      <td className="pr-send-cell">
        <Link to={`/sends/${s.id}`}>{title}</Link>
        <span className="pr-muted pr-send-note">{segmentLabel(s)}</span>
      </td>
      <td>
        <span className={`pr-status pr-send-status-${s.status}`}>{STATUS_LABELS[s.status]}</span>
      </td>
      <td className="pr-send-progress-cell">
        {s.status === 'scheduled' ? (
          <span className="pr-muted">Not started</span>
        ) : (
          <>
            <SendProgressBar send={s} label={`Progress of ${title}`} />
            <span className="pr-send-note">{progressText(s)}</span>
          </>
        )}
      </td>
      <td>{s.newsletter_name ?? '—'}</td>
      <td>
        <span className="pr-visually-hidden">
          {s.started_at ? 'Started ' : s.scheduled_at ? 'Scheduled for ' : 'Created '}
        </span>
        <time dateTime={when}>{formatDateTime(when)}</time>
      </td>
    </tr>
  );
}
