import type { ArchiveMonth } from '../../modules/posts/index.js';
import { html } from '../../platform/http/html.js';
import { formatMonth, plural } from './format.js';
import { layout, type SiteView } from './layout.js';
import { archiveMonthPath, archivePath } from './urls.js';

/** Every month with posts, newest first, grouped by year. */
export function archivePage(site: SiteView, months: ArchiveMonth[]): string {
  const sorted = [...months].sort((a, b) => b.year - a.year || b.month - a.month);
  const years: { year: number; months: ArchiveMonth[] }[] = [];
  for (const month of sorted) {
    const last = years.at(-1);
    if (last?.year === month.year) last.months.push(month);
    else years.push({ year: month.year, months: [month] });
  }
  const total = months.reduce((sum, m) => sum + m.count, 0);

  const main = html`<header class="list-header">
      <h1>Archive</h1>
      <p class="list-count">${plural(total, 'post', 'posts')}</p>
    </header>
    ${
      years.length
        ? years.map(
            ({ year, months: inYear }) =>
              html`<section class="archive-year" aria-labelledby="year-${year}">
                <h2 id="year-${year}">${year}</h2>
                <ul class="archive-months">
                  ${inYear.map(
                    (m) =>
                      html`<li>
                        <a href="${archiveMonthPath(m.year, m.month)}"
                          >${formatMonth(site.settings.locale, m.year, m.month)}</a
                        >
                        <span class="archive-count">${plural(m.count, 'post', 'posts')}</span>
                      </li>`,
                  )}
                </ul>
              </section>`,
          )
        : html`<p class="empty">Nothing published yet.</p>`
    }`;

  return layout(
    site,
    {
      title: `Archive – ${site.settings.title}`,
      description: `Everything published on ${site.settings.title}, month by month.`,
      path: archivePath,
    },
    main,
  );
}
