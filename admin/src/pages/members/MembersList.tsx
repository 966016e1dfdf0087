import { useEffect, useRef, useState } from 'react';
import { ApiError, get } from '../../api.js';
import { Link } from '../../router.js';
import { useSession } from '../../session.js';
import {
  canManageMembers,
  formatDate,
  MEMBER_STATUSES,
  rememberListQuery,
  startOfDay,
  STATUS_LABELS,
  type MemberList,
  type MemberStats,
  type MemberStatus,
  type MemberSummary,
  type Newsletter,
  type Tier,
} from './members-api.js';
import { Pager } from '../../components/Pager.js';

const PAGE_SIZE = 50;
/** Typing pauses this long before the list is asked again. */
const SEARCH_DELAY_MS = 250;

interface Filters {
  search: string;
  status: '' | MemberStatus;
  newsletter: string;
  tier: string;
  pledged: '' | 'true' | 'false';
  /** Signed up on or after this day (`YYYY-MM-DD`, the browser's time zone). */
  from: string;
  /** …and on or before this one. */
  to: string;
  page: number;
}

const EMPTY: Filters = {
  search: '',
  status: '',
  newsletter: '',
  tier: '',
  pledged: '',
  from: '',
  to: '',
  page: 1,
};
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The filters live in the address, so Back from a member and a shared link both keep them. */
function fromAddress(): Filters {
  const q = new URLSearchParams(window.location.search);
  const status = q.get('status') ?? '';
  const pledged = q.get('pledged') ?? '';
  const page = Number(q.get('page'));
  return {
    search: q.get('search') ?? '',
    status: (MEMBER_STATUSES as string[]).includes(status) ? (status as MemberStatus) : '',
    newsletter: q.get('newsletter') ?? '',
    tier: q.get('tier') ?? '',
    pledged: pledged === 'true' || pledged === 'false' ? pledged : '',
    from: DATE.test(q.get('from') ?? '') ? q.get('from')! : '',
    to: DATE.test(q.get('to') ?? '') ? q.get('to')! : '',
    page: Number.isInteger(page) && page > 0 ? page : 1,
  };
}

function toAddress(f: Filters): string {
  const q = new URLSearchParams();
  for (const key of ['search', 'status', 'newsletter', 'tier', 'pledged', 'from', 'to'] as const)
    if (f[key].trim()) q.set(key, f[key].trim());
  if (f.page > 1) q.set('page', String(f.page));
  return q.toString();
}

/** The API's filters, shared by the list and the export. */
function apiFilters(f: Filters): URLSearchParams {
  const q = new URLSearchParams();
  if (f.search.trim()) q.set('search', f.search.trim());
  if (f.status) q.set('status', f.status);
  if (f.newsletter) q.set('newsletter', f.newsletter);
  if (f.tier) q.set('tier', f.tier);
  if (f.pledged) q.set('pledged', f.pledged);
  if (f.from) q.set('signed_up_after', startOfDay(f.from));
  // The API's upper bound is exclusive; "to" here includes the whole of that day.
  if (f.to) q.set('signed_up_before', startOfDay(f.to, 1));
  return q;
}

const filtered = (f: Filters) => toAddress({ ...f, page: 1 }) !== '';

export function MembersList() {
  const { staff } = useSession();
  const canManage = canManageMembers(staff?.role);
  const [filters, setFilters] = useState<Filters>(fromAddress);
  const [searchText, setSearchText] = useState(filters.search);
  const [list, setList] = useState<MemberList | undefined>();
  const [loading, setLoading] = useState(true);
  const [stats, setStats] = useState<MemberStats | undefined>();
  const [newsletters, setNewsletters] = useState<Newsletter[]>([]);
  const [tiers, setTiers] = useState<Tier[]>([]);
  const [error, setError] = useState<string | undefined>();
  const heading = useRef<HTMLHeadingElement>(null);
  const request = useRef(0);

  useEffect(() => heading.current?.focus(), []);
  // The Members link in the top bar, or Back within the list, changes the address under us.
  useEffect(() => {
    const onPop = () => {
      if (window.location.pathname !== '/admin/members') return;
      const f = fromAddress();
      setFilters((prev) => (toAddress(prev) === toAddress(f) ? prev : f));
      setSearchText(f.search);
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  useEffect(() => {
    const address = toAddress(filters);
    rememberListQuery(address);
    window.history.replaceState(null, '', `/admin/members${address ? `?${address}` : ''}`);
    const q = apiFilters(filters);
    q.set('page', String(filters.page));
    q.set('limit', String(PAGE_SIZE));
    // Answers can arrive out of order while someone types; only the latest one is shown.
    const mine = ++request.current;
    setLoading(true);
    get<MemberList>(`/members?${q.toString()}`)
      .then((r) => {
        if (mine !== request.current) return;
        setList(r);
        setError(undefined);
      })
      .catch((e: unknown) => {
        if (mine === request.current) setError(e instanceof ApiError ? e.message : String(e));
      })
      .finally(() => {
        if (mine === request.current) setLoading(false);
      });
  }, [filters]);

  useEffect(() => {
    if (searchText === filters.search) return;
    const timer = window.setTimeout(
      () => setFilters((f) => ({ ...f, search: searchText, page: 1 })),
      SEARCH_DELAY_MS,
    );
    return () => window.clearTimeout(timer);
  }, [searchText, filters.search]);

  useEffect(() => {
    void get<MemberStats>('/members/stats')
      .then(setStats)
      .catch(() => undefined);
    void get<{ newsletters: Newsletter[] }>('/newsletters')
      .then((r) => setNewsletters(r.newsletters))
      .catch(() => undefined);
    // Plans are for admins to see; editors filter without them.
    if (canManage)
      void get<{ tiers: Tier[] }>('/tiers')
        .then((r) => setTiers(r.tiers))
        .catch(() => undefined);
  }, [canManage]);

  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, page: 1, ...patch }));
  const newsletterNames = new Map(newsletters.map((n) => [n.slug, n.name]));
  const exportHref = `/api/admin/members/export.csv?${apiFilters(filters).toString()}`;
  const total = list?.meta.total ?? 0;
  const first = list ? (list.meta.page - 1) * list.meta.limit + 1 : 0;
  const last = list ? first + list.members.length - 1 : 0;

  return (
    <section className="pr-page pr-members" aria-labelledby="members-title">
      <div className="pr-page-head">
        <h1 id="members-title" ref={heading} tabIndex={-1}>
          Members
        </h1>
        {canManage && (
          <div className="pr-members-actions">
            <Link to="/members/import" className="pr-button-link">
              Import CSV
            </Link>
            <a className="pr-button-link" href={exportHref} download>
              Export CSV
            </a>
          </div>
        )}
      </div>
      {stats && (
        <ul className="pr-member-counts" aria-label="Member counts">
          <li>
            <strong>{stats.total.toLocaleString()}</strong> in all
          </li>
          {MEMBER_STATUSES.map((s) => (
            <li key={s}>
              {STATUS_LABELS[s]} <strong>{stats.by_status[s].toLocaleString()}</strong>
            </li>
          ))}
          <li>
            Pledged <strong>{stats.pledged.toLocaleString()}</strong>
          </li>
        </ul>
      )}
      <form className="pr-filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search email or name
          <input type="search" value={searchText} onChange={(e) => setSearchText(e.target.value)} />
        </label>
        <label>
          Status
          <select
            value={filters.status}
            onChange={(e) => set({ status: e.target.value as Filters['status'] })}
          >
            <option value="">All</option>
            {MEMBER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Newsletter
          <select value={filters.newsletter} onChange={(e) => set({ newsletter: e.target.value })}>
            <option value="">Any</option>
            {newsletters.map((n) => (
              <option key={n.id} value={n.slug}>
                {n.name}
                {n.status === 'archived' ? ' (archived)' : ''}
              </option>
            ))}
          </select>
        </label>
        {tiers.length > 0 && (
          <label>
            Plan
            <select value={filters.tier} onChange={(e) => set({ tier: e.target.value })}>
              <option value="">Any</option>
              {tiers.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Pledge
          <select
            value={filters.pledged}
            onChange={(e) => set({ pledged: e.target.value as Filters['pledged'] })}
          >
            <option value="">Any</option>
            <option value="true">Has pledged</option>
            <option value="false">Has not pledged</option>
          </select>
        </label>
        <label>
          Signed up from
          <input
            type="date"
            value={filters.from}
            max={filters.to || undefined}
            onChange={(e) => set({ from: e.target.value })}
          />
        </label>
        <label>
          Signed up until
          <input
            type="date"
            value={filters.to}
            min={filters.from || undefined}
            onChange={(e) => set({ to: e.target.value })}
          />
        </label>
        {filtered(filters) && (
          <button
            type="button"
            onClick={() => {
              setSearchText('');
              setFilters(EMPTY);
            }}
          >
            Clear filters
          </button>
        )}
      </form>
      <p className="pr-members-summary" role="status">
        {list &&
          (total === 0
            ? ''
            : `${filtered(filters) ? `${total.toLocaleString()} matching` : `${total.toLocaleString()} members`}${
                list.meta.pages > 1
                  ? `, showing ${first.toLocaleString()}–${last.toLocaleString()}`
                  : ''
              }`)}
      </p>
      {error && (
        <p className="pr-error" role="alert">
          {error}
        </p>
      )}
      <div aria-busy={loading}>
        {!list ? (
          <p className="pr-loading">Loading…</p>
        ) : list.members.length === 0 ? (
          <p>
            {filtered(filters)
              ? 'No members match these filters.'
              : canManage
                ? 'No members yet. Readers who sign up appear here, or import a list from a CSV file.'
                : 'No members yet.'}
          </p>
        ) : (
          <table className="pr-table pr-members-table">
            <caption className="pr-visually-hidden">Members, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Status</th>
                <th scope="col">Signed up</th>
                <th scope="col">Newsletters</th>
              </tr>
            </thead>
            <tbody>
              {list.members.map((m) => (
                <MemberRow key={m.id} member={m} newsletterNames={newsletterNames} />
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

function MemberRow({
  member: m,
  newsletterNames,
}: {
  member: MemberSummary;
  newsletterNames: ReadonlyMap<string, string>;
}) {
  return (
    <tr>
      <td className="pr-member-cell">
        <Link to={`/members/${m.id}`}>{m.name ?? m.email}</Link>
        {m.name && <span className="pr-muted pr-member-email">{m.email}</span>}
      </td>
      <td>
        <span className={`pr-status pr-member-status-${m.status}`}>{STATUS_LABELS[m.status]}</span>
        {m.status === 'comped' && (
          <span className="pr-muted pr-member-note">
            {m.comp_until ? `until ${formatDate(m.comp_until)}` : 'no end date'}
          </span>
        )}
        {m.tier?.name && m.status !== 'free' && (
          <span className="pr-muted pr-member-note">{m.tier.name}</span>
        )}
      </td>
      <td>
        <time dateTime={m.created_at}>{formatDate(m.created_at)}</time>
      </td>
      <td>{m.newsletters.map((s) => newsletterNames.get(s) ?? s).join(', ') || '—'}</td>
    </tr>
  );
}
