import { Link } from '../../router.js';
import { formatDate, formatNumber, type DashboardPost } from './dashboard-api.js';

const percent = (part: number, whole: number) =>
  whole > 0 ? ` (${((part / whole) * 100).toFixed(1)}%)` : '';

function EmailFigures({ email }: { email: DashboardPost['email'] }) {
  if (!email) return <span className="pr-muted">Not emailed</span>;
  return (
    <dl className="pr-dashboard-email">
      <div>
        <dt>Sent</dt>
        <dd>
          {formatNumber(email.sent)}
          {email.status !== 'sent' && <span className="pr-muted"> ({email.status})</span>}
        </dd>
      </div>
      <div>
        <dt>Bounced</dt>
        <dd>
          {formatNumber(email.bounced)}
          <span className="pr-muted">{percent(email.bounced, email.sent)}</span>
        </dd>
      </div>
      <div>
        <dt>Complaints</dt>
        <dd>{formatNumber(email.complained)}</dd>
      </div>
      <div>
        <dt>Unsubscribed</dt>
        <dd>{formatNumber(email.unsubscribed)}</dd>
      </div>
    </dl>
  );
}

/** The latest published posts with their web views and what their email did. */
export function RecentPosts({ posts }: { posts: DashboardPost[] }) {
  if (posts.length === 0)
    return <p className="pr-muted">Nothing published yet: published posts show here.</p>;
  return (
    <table className="pr-table pr-dashboard-posts">
      <caption className="pr-visually-hidden">
        Latest published posts, with their web views and email figures
      </caption>
      <thead>
        <tr>
          <th scope="col">Post</th>
          <th scope="col">Published</th>
          <th scope="col">Web views</th>
          <th scope="col">Last 7 days</th>
          <th scope="col">Email</th>
        </tr>
      </thead>
      <tbody>
        {posts.map((p) => (
          <tr key={p.id}>
            <th scope="row" data-label="Post">
              <Link to={`/posts/${p.id}`}>{p.title || 'Untitled'}</Link>
            </th>
            <td data-label="Published">{p.published_at ? formatDate(p.published_at) : '—'}</td>
            <td data-label="Web views">{formatNumber(p.views)}</td>
            <td data-label="Last 7 days">{formatNumber(p.views_last_7_days)}</td>
            <td data-label="Email">
              <EmailFigures email={p.email} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
