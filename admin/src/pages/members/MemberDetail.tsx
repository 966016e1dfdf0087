import { useEffect, useRef, useState } from 'react';
import { ApiError, del, get, post, type Staff } from '../../api.js';
import { Link } from '../../router.js';
import { useSession } from '../../session.js';
import { describeEvent, type HistoryNames } from './history.js';
import {
  canManageMembers,
  endOfDay,
  formatDate,
  formatDateTime,
  formatMoney,
  intervalLabel,
  listPath,
  localDate,
  STATUS_LABELS,
  type MemberDetail,
  type MemberEvent,
  type MemberHistory,
  type Newsletter,
} from './members-api.js';

const HISTORY_PAGE = 50;

const SOURCE_LABELS: Record<string, string> = {
  signup: 'Signup form',
  admin: 'Added by staff',
  import: 'Import',
};

const message = (e: unknown) => (e instanceof ApiError ? e.message : String(e));

export function MemberDetailScreen({ id }: { id: string }) {
  const { staff } = useSession();
  const canManage = canManageMembers(staff?.role);
  const [detail, setDetail] = useState<MemberDetail | undefined>();
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [names, setNames] = useState<HistoryNames>({ staff: new Map(), newsletters: new Map() });
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    get<MemberDetail>(`/members/${encodeURIComponent(id)}`)
      .then(setDetail)
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 404) setMissing(true);
        else setError(message(e));
      });
    // Names for the history, which holds only ids and slugs; without them it still reads.
    void Promise.all([
      get<{ staff: Staff[] }>('/staff').catch(() => ({ staff: [] })),
      get<{ newsletters: Newsletter[] }>('/newsletters').catch(() => ({ newsletters: [] })),
    ]).then(([s, n]) =>
      setNames({
        staff: new Map(s.staff.map((x) => [x.id, x.name])),
        newsletters: new Map(n.newsletters.map((x) => [x.slug, x.name])),
      }),
    );
  }, [id]);

  const loaded = detail !== undefined;
  useEffect(() => {
    if (loaded) heading.current?.focus();
  }, [loaded]);

  const back = (
    <p className="pr-member-back">
      <Link to={listPath()}>← All members</Link>
    </p>
  );
  if (missing)
    return (
      <section className="pr-page pr-members">
        {back}
        <h1>Member not found</h1>
        <p>No member has this id. They may have deleted their account, or been deleted.</p>
      </section>
    );
  if (!detail)
    return (
      <section className="pr-page pr-members">
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

  const m = detail.member;
  return (
    <section className="pr-page pr-members" aria-labelledby="member-title">
      {back}
      <div className="pr-member-head">
        <h1 id="member-title" ref={heading} tabIndex={-1}>
          {m.name ?? m.email}
        </h1>
        <span className={`pr-status pr-member-status-${m.status}`}>{STATUS_LABELS[m.status]}</span>
      </div>
      <div className="pr-member-columns">
        <div>
          <section aria-labelledby="member-profile" className="pr-member-section">
            <h2 id="member-profile">Profile</h2>
            <dl className="pr-member-fields">
              <dt>Email</dt>
              <dd className="pr-member-email">{m.email}</dd>
              <dt>Name</dt>
              <dd>{m.name ?? '—'}</dd>
              <dt>Status</dt>
              <dd>
                {STATUS_LABELS[m.status]}
                {m.tier?.name ? ` · ${m.tier.name}` : ''}
                {m.status === 'comped' &&
                  (m.comp_until ? ` until ${formatDate(m.comp_until)}` : ', no end date')}
                {m.status === 'cancelled' && m.access_until
                  ? `; access until ${formatDate(m.access_until)}`
                  : ''}
              </dd>
              <dt>Signed up</dt>
              <dd>
                <time dateTime={m.created_at}>{formatDateTime(m.created_at)}</time>
                {' · '}
                {SOURCE_LABELS[m.source] ?? m.source}
              </dd>
              <dt>Confirmed</dt>
              <dd>{m.confirmed_at ? formatDateTime(m.confirmed_at) : 'Not yet'}</dd>
              <dt>Last seen</dt>
              <dd>{m.last_seen_at ? formatDateTime(m.last_seen_at) : 'Never'}</dd>
              {m.stripe_customer_id && (
                <>
                  <dt>Stripe customer</dt>
                  <dd>
                    <code>{m.stripe_customer_id}</code>
                  </dd>
                </>
              )}
              {m.note && (
                <>
                  <dt>Note</dt>
                  <dd className="pr-member-note-text">{m.note}</dd>
                </>
              )}
            </dl>
          </section>

          <section aria-labelledby="member-newsletters" className="pr-member-section">
            <h2 id="member-newsletters">Newsletters</h2>
            {detail.newsletters.length === 0 ? (
              <p>Receives no newsletters.</p>
            ) : (
              <ul>
                {detail.newsletters.map((n) => (
                  <li key={n.id}>{n.name}</li>
                ))}
              </ul>
            )}
          </section>

          <section aria-labelledby="member-billing" className="pr-member-section">
            <h2 id="member-billing">Plan and payments</h2>
            {detail.pledge && (
              <p>
                Pledged {formatMoney(detail.pledge.amount, detail.pledge.currency)}{' '}
                {intervalLabel(detail.pledge.interval)} since {formatDate(detail.pledge.created_at)}
                .
              </p>
            )}
            {detail.subscriptions.length === 0 ? (
              !detail.pledge && <p>No subscription and no pledge.</p>
            ) : (
              <ul>
                {detail.subscriptions.map((s) => (
                  <li key={s.id}>
                    Subscription <strong>{s.status.replace(/_/g, ' ')}</strong>
                    {s.amount !== null &&
                      ` · ${formatMoney(s.amount, s.currency)} ${intervalLabel(s.interval)}`}
                    {s.current_period_end &&
                      ` · ${s.cancel_at_period_end ? 'ends' : 'renews'} ${formatDate(s.current_period_end)}`}
                    {s.trial_end && ` · trial until ${formatDate(s.trial_end)}`}
                  </li>
                ))}
              </ul>
            )}
          </section>

          {canManage && <CompPanel detail={detail} onChange={setDetail} />}
        </div>
        {/* Keyed on the newest event, so a comp made here shows at once. */}
        <History key={detail.events[0]?.id ?? 0} memberId={m.id} names={names} />
      </div>
    </section>
  );
}

function CompPanel({
  detail,
  onChange,
}: {
  detail: MemberDetail;
  onChange: (d: MemberDetail) => void;
}) {
  const m = detail.member;
  const comped = m.status === 'comped';
  const today = localDate(new Date());
  const [ends, setEnds] = useState<'date' | 'never'>(comped && !m.comp_until ? 'never' : 'date');
  const [until, setUntil] = useState(m.comp_until ? localDate(new Date(m.comp_until)) : '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ text: string; field?: string } | undefined>();
  const [done, setDone] = useState<string | undefined>();

  async function run(action: () => Promise<MemberDetail>, success: (d: MemberDetail) => string) {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const d = await action();
      onChange(d);
      setDone(success(d));
    } catch (e) {
      setError({
        text: message(e),
        ...(e instanceof ApiError && e.field ? { field: e.field } : {}),
      });
    } finally {
      setBusy(false);
    }
  }

  const compedText = (d: MemberDetail) =>
    d.member.comp_until
      ? `Comped until ${formatDate(d.member.comp_until)}.`
      : 'Comped with no end date.';
  const dateInvalid = error?.field === 'until';

  return (
    <section aria-labelledby="member-comp" className="pr-member-section">
      <h2 id="member-comp">Complimentary membership</h2>
      <p>
        {comped
          ? `${compedText(detail)} They read everything paid members read.`
          : 'Give this member paid access without payment, until a date or for good.'}
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (ends === 'date' && !until) {
            setError({ text: 'Choose the last day of the comp.', field: 'until' });
            return;
          }
          void run(
            () =>
              post<MemberDetail>(`/members/${m.id}/comp`, {
                until: ends === 'date' ? endOfDay(until) : null,
              }),
            compedText,
          );
        }}
      >
        <fieldset disabled={busy}>
          <legend>{comped ? 'Change the comp' : 'Comp this member'}</legend>
          <label className="pr-inline">
            <input
              type="radio"
              name="comp-ends"
              checked={ends === 'date'}
              onChange={() => setEnds('date')}
            />
            Until a date
          </label>
          <label className="pr-inline">
            <input
              type="radio"
              name="comp-ends"
              checked={ends === 'never'}
              onChange={() => setEnds('never')}
            />
            No end date
          </label>
          {ends === 'date' && (
            <label>
              Last day
              <input
                type="date"
                value={until}
                min={today}
                required
                aria-invalid={dateInvalid || undefined}
                aria-describedby={dateInvalid ? 'comp-error' : undefined}
                onChange={(e) => setUntil(e.target.value)}
              />
            </label>
          )}
          <div className="pr-actions">
            <button type="submit" className="pr-primary">
              {comped ? 'Save comp' : 'Comp member'}
            </button>
            {comped && (
              <button
                type="button"
                className="pr-danger"
                onClick={() =>
                  void run(
                    () => del<MemberDetail>(`/members/${m.id}/comp`),
                    (d) => `Comp removed; they are now ${STATUS_LABELS[d.member.status]}.`,
                  )
                }
              >
                Remove comp
              </button>
            )}
          </div>
        </fieldset>
      </form>
      <div aria-live="polite">{done && <p className="pr-member-done">{done}</p>}</div>
      {error && (
        <p id="comp-error" className="pr-error" role="alert">
          {error.text}
        </p>
      )}
    </section>
  );
}

function History({ memberId, names }: { memberId: string; names: HistoryNames }) {
  const [events, setEvents] = useState<MemberEvent[] | undefined>();
  const [next, setNext] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const firstNew = useRef<number | undefined>(undefined);
  const listRef = useRef<HTMLOListElement>(null);

  async function load(before: number | null) {
    setBusy(true);
    try {
      const q = new URLSearchParams({ limit: String(HISTORY_PAGE) });
      if (before !== null) q.set('before', String(before));
      const page = await get<MemberHistory>(`/members/${memberId}/events?${q.toString()}`);
      firstNew.current = before === null ? undefined : page.events[0]?.id;
      setEvents((old) => [...(before === null ? [] : (old ?? [])), ...page.events]);
      setNext(page.meta.next_before);
      setError(undefined);
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    void load(null);
    // Once per member (the component is keyed on what it shows).
  }, []);

  // The button that loaded them may be gone: keyboard focus goes to the first new event.
  useEffect(() => {
    if (firstNew.current === undefined) return;
    listRef.current?.querySelector<HTMLElement>(`[data-event="${firstNew.current}"]`)?.focus();
    firstNew.current = undefined;
  }, [events]);

  return (
    <section aria-labelledby="member-history" className="pr-member-section pr-member-history">
      <h2 id="member-history">History</h2>
      {error && (
        <p className="pr-error" role="alert">
          {error}
        </p>
      )}
      {!events ? (
        !error && <p className="pr-loading">Loading…</p>
      ) : events.length === 0 ? (
        <p>Nothing recorded yet.</p>
      ) : (
        <ol className="pr-history" ref={listRef} aria-busy={busy}>
          {events.map((e) => (
            <li key={e.id} data-event={e.id} tabIndex={-1}>
              <time dateTime={e.created_at}>{formatDateTime(e.created_at)}</time>
              <span>{describeEvent(e, names)}</span>
            </li>
          ))}
        </ol>
      )}
      {next !== null && (
        <button type="button" disabled={busy} onClick={() => void load(next)}>
          Show older events
        </button>
      )}
    </section>
  );
}
