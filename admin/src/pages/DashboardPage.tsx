import { useEffect, useState } from 'react';
import { BarChart, StackedAreaChart } from './dashboard/Charts.js';
import {
  errorMessage,
  formatDay,
  formatNumber,
  loadDashboard,
  RANGES,
  type Dashboard,
  type Range,
} from './dashboard/dashboard-api.js';
import { FiguresTable } from './dashboard/FiguresTable.js';
import { RecentPosts } from './dashboard/RecentPosts.js';
import './DashboardPage.css';

const CATEGORIES = [
  { key: 'free', label: 'Free' },
  { key: 'pledged', label: 'Pledged' },
  { key: 'paid', label: 'Paid' },
] as const;

/** Dashboard: members over time (free, pledged, paid), page views, and the latest posts. */
export default function DashboardPage() {
  const [range, setRange] = useState<Range>(30);
  const [data, setData] = useState<Dashboard | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    let current = true;
    setError(undefined);
    loadDashboard(range)
      .then((d) => current && setData(d))
      .catch((e: unknown) => current && setError(errorMessage(e)));
    return () => {
      current = false;
    };
  }, [range]);

  // The previous range's figures stay up, marked busy, until the new ones arrive.
  const loading = data !== undefined && data.days !== range && error === undefined;

  return (
    <section className="pr-page pr-dashboard" aria-busy={loading || undefined}>
      <div className="pr-page-head">
        <h1>Dashboard</h1>
        <div className="pr-dashboard-range" role="group" aria-label="Period">
          {RANGES.map((r) => (
            <button key={r} type="button" aria-pressed={range === r} onClick={() => setRange(r)}>
              {r} days
            </button>
          ))}
        </div>
      </div>
      <div aria-live="polite">
        {error && (
          <p role="alert" className="pr-error">
            {error}
          </p>
        )}
      </div>
      {!data ? !error && <p className="pr-loading">Loading…</p> : <Figures data={data} />}
    </section>
  );
}

function Figures({ data }: { data: Dashboard }) {
  const { members, views } = data;
  const dates = members.days.map((d) => d.date);
  const first = members.days[0];
  const firstTotal = first ? first.free + first.pledged + first.paid : 0;
  const today = dates[dates.length - 1];
  const period = `the last ${data.days} days`;
  return (
    <>
      <ul className="pr-dashboard-totals" aria-label="Now">
        <li>
          <strong>{formatNumber(members.totals.total)}</strong> members
        </li>
        {CATEGORIES.map((c) => (
          <li key={c.key}>
            <span className={`pr-dashboard-swatch pr-chart-${c.key}`} aria-hidden="true" />
            <strong>{formatNumber(members.totals[c.key])}</strong> {c.label.toLowerCase()}
          </li>
        ))}
        <li>
          <strong>{formatNumber(views.total)}</strong> page views in {period}
        </li>
      </ul>

      <div className="pr-dashboard-charts">
        <section className="pr-dashboard-panel" aria-labelledby="dashboard-members">
          <h2 id="dashboard-members">Members</h2>
          <StackedAreaChart
            title={`Members over ${period}`}
            description={
              today
                ? `On ${formatDay(today, true)}: ${CATEGORIES.map(
                    (c) => `${members.totals[c.key]} ${c.label.toLowerCase()}`,
                  ).join(
                    ', ',
                  )}; ${members.totals.total} in all, against ${firstTotal} on ${formatDay(dates[0]!, true)}.`
                : 'No figures.'
            }
            dates={dates}
            series={[...CATEGORIES].reverse().map((c) => ({
              key: c.key,
              label: c.label,
              values: members.days.map((d) => d[c.key]),
            }))}
          />
          <ul className="pr-dashboard-legend" aria-hidden="true">
            {CATEGORIES.map((c) => (
              <li key={c.key}>
                <span className={`pr-dashboard-swatch pr-chart-${c.key}`} />
                {c.label}
              </li>
            ))}
          </ul>
          <FiguresTable
            summary="Members by day"
            caption={`Members by day over ${period}: free, pledged and paid`}
            columns={CATEGORIES.map((c) => c.label)}
            rows={members.days.map((d) => ({
              date: d.date,
              values: CATEGORIES.map((c) => d[c.key]),
            }))}
          />
        </section>

        <section className="pr-dashboard-panel" aria-labelledby="dashboard-views">
          <h2 id="dashboard-views">Page views</h2>
          <BarChart
            title={`Page views per day over ${period}`}
            description={`${views.total} page views in ${period}; the busiest day had ${Math.max(
              0,
              ...views.days.map((d) => d.views),
            )}.`}
            dates={views.days.map((d) => d.date)}
            values={views.days.map((d) => d.views)}
          />
          <p className="pr-muted pr-dashboard-note">
            Counted without cookies or personal data, leaving out bots. Days are UTC.
          </p>
          <FiguresTable
            summary="Page views by day"
            caption={`Page views by day over ${period}`}
            columns={['Views']}
            rows={views.days.map((d) => ({ date: d.date, values: [d.views] }))}
          />
        </section>
      </div>

      <section className="pr-dashboard-panel" aria-labelledby="dashboard-posts">
        <h2 id="dashboard-posts">Latest posts</h2>
        <RecentPosts posts={data.posts} />
      </section>
    </>
  );
}
