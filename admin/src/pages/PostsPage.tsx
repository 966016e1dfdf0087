import { useCallback, useEffect, useState } from 'react';
import { ApiError, del, get, patch, type Post, type PostStatus } from '../api.js';
import { Link, navigate } from '../router.js';
import { Pager } from '../components/Pager.js';

interface Filters {
  status: '' | PostStatus;
  tag: string;
  author: string;
  search: string;
  order: 'updated_desc' | 'published_desc' | 'created_desc';
  page: number;
}

interface ListResponse {
  posts: Post[];
  meta: { page: number; pages: number; total: number };
}

const initial: Filters = {
  status: '',
  tag: '',
  author: '',
  search: '',
  order: 'updated_desc',
  page: 1,
};

function query(f: Filters): string {
  const q = new URLSearchParams({ page: String(f.page), limit: '25', order: f.order });
  if (f.status) q.set('status', f.status);
  if (f.tag) q.set('tag', f.tag);
  if (f.author) q.set('author', f.author);
  if (f.search.trim()) q.set('search', f.search.trim());
  return q.toString();
}

export function PostsPage() {
  const [filters, setFilters] = useState<Filters>(initial);
  const [list, setList] = useState<ListResponse | undefined>();
  const [tags, setTags] = useState<{ slug: string; name: string }[]>([]);
  const [authors, setAuthors] = useState<{ slug: string; name: string }[]>([]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [message, setMessage] = useState<string | undefined>();

  const load = useCallback(async (f: Filters) => {
    setList(await get<ListResponse>(`/posts?${query(f)}`));
  }, []);

  useEffect(() => {
    void load(filters).catch((e: unknown) => setMessage(String(e)));
  }, [filters, load]);
  useEffect(() => {
    void get<{ tags: { slug: string; name: string }[] }>('/tags').then((r) => setTags(r.tags));
    void get<{ staff: { slug: string; name: string }[] }>('/staff').then((r) =>
      setAuthors(r.staff),
    );
  }, []);

  const set = (patchFilters: Partial<Filters>) =>
    setFilters((f) => ({ ...f, page: 1, ...patchFilters }));

  async function bulk(action: 'unpublish' | 'delete') {
    const ids = [...selected];
    if (ids.length === 0) return;
    const what = `${ids.length} post${ids.length === 1 ? '' : 's'}`;
    if (action === 'delete' && !window.confirm(`Delete ${what}? This cannot be undone.`)) return;
    const failures: string[] = [];
    for (const id of ids) {
      try {
        if (action === 'delete') await del(`/posts/${id}`);
        else await patch(`/posts/${id}`, { status: 'draft' });
      } catch (e) {
        failures.push(e instanceof ApiError ? e.message : String(e));
      }
    }
    setSelected(new Set());
    setMessage(
      failures.length === 0
        ? `${action === 'delete' ? 'Deleted' : 'Unpublished'} ${what}.`
        : `${failures.length} of ${ids.length} failed: ${failures[0]}`,
    );
    await load(filters);
  }

  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <section className="pr-page">
      <div className="pr-page-head">
        <h1>Posts</h1>
        <button type="button" onClick={() => navigate('/posts/new')}>
          New post
        </button>
      </div>
      <form className="pr-filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search titles
          <input
            type="search"
            value={filters.search}
            onChange={(e) => set({ search: e.target.value })}
          />
        </label>
        <label>
          Status
          <select
            value={filters.status}
            onChange={(e) => set({ status: e.target.value as Filters['status'] })}
          >
            <option value="">All</option>
            <option value="draft">Drafts</option>
            <option value="scheduled">Scheduled</option>
            <option value="published">Published</option>
          </select>
        </label>
        <label>
          Tag
          <select value={filters.tag} onChange={(e) => set({ tag: e.target.value })}>
            <option value="">All tags</option>
            {tags.map((t) => (
              <option key={t.slug} value={t.slug}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Author
          <select value={filters.author} onChange={(e) => set({ author: e.target.value })}>
            <option value="">All authors</option>
            {authors.map((a) => (
              <option key={a.slug} value={a.slug}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sort
          <select
            value={filters.order}
            onChange={(e) => set({ order: e.target.value as Filters['order'] })}
          >
            <option value="updated_desc">Recently updated</option>
            <option value="published_desc">Recently published</option>
            <option value="created_desc">Recently created</option>
          </select>
        </label>
      </form>
      <div className="pr-bulk" aria-live="polite">
        <span>{selected.size > 0 ? `${selected.size} selected` : ''}</span>
        <button type="button" disabled={selected.size === 0} onClick={() => void bulk('unpublish')}>
          Unpublish
        </button>
        <button
          type="button"
          className="pr-danger"
          disabled={selected.size === 0}
          onClick={() => void bulk('delete')}
        >
          Delete
        </button>
        {message && <span role="status">{message}</span>}
      </div>
      {!list ? (
        <p className="pr-loading">Loading…</p>
      ) : list.posts.length === 0 ? (
        <p>No posts match.</p>
      ) : (
        <table className="pr-table pr-posts-table">
          <thead>
            <tr>
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select all posts on this page"
                  checked={list.posts.every((p) => selected.has(p.id))}
                  onChange={(e) =>
                    setSelected(e.target.checked ? new Set(list.posts.map((p) => p.id)) : new Set())
                  }
                />
              </th>
              <th scope="col">Title</th>
              <th scope="col">Status</th>
              <th scope="col">Authors</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {list.posts.map((p) => (
              <tr key={p.id}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select ${p.title}`}
                    checked={selected.has(p.id)}
                    onChange={() => toggle(p.id)}
                  />
                </td>
                <td>
                  <Link to={`/posts/${p.id}`}>{p.title}</Link>
                  {p.tags.length > 0 && (
                    <span className="pr-muted"> · {p.tags.map((t) => t.name).join(', ')}</span>
                  )}
                  {p.email_send_id && (
                    <span className="pr-muted">
                      {' · '}
                      <Link to={`/sends/${p.email_send_id}`}>Emailed: see the send</Link>
                    </span>
                  )}
                </td>
                <td>
                  <span className={`pr-status pr-status-${p.status}`}>{p.status}</span>
                </td>
                <td>{p.authors.map((a) => a.name).join(', ')}</td>
                <td>
                  <time dateTime={p.updated_at}>{new Date(p.updated_at).toLocaleString()}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
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
