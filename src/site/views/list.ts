import type { Page, PostAuthor, PostTag, PublicPost } from '../../modules/posts/index.js';
import { html, type SafeHtml } from '../../platform/http/html.js';
import { formatDate, formatMonth, plural, readingTime } from './format.js';
import { layout, type SiteView } from './layout.js';
import { archiveMonthPath, authorPath, homePath, pagedPath, postPath, tagPath } from './urls.js';

function postCard(site: SiteView, post: PublicPost): SafeHtml {
  const badge =
    post.visibility === 'public'
      ? ''
      : html` · <span class="badge">${post.visibility === 'paid' ? 'Paid' : 'Members'}</span>`;
  return html`<li class="post-card">
    <article>
      <h2 class="post-card-title"><a href="${postPath(post.slug)}">${post.title}</a></h2>
      <p class="post-meta">
        <time datetime="${post.published_at}"
          >${formatDate(site.settings.locale, post.published_at)}</time
        >
        · ${readingTime(post.reading_time)}${badge}
      </p>
      ${post.excerpt ? html`<p class="post-card-excerpt">${post.excerpt}</p>` : ''}
    </article>
  </li>`;
}

function pagination(page: Page<PublicPost>, basePath: string): SafeHtml | string {
  const last = Math.max(1, page.pages);
  if (last <= 1) return '';
  return html`<nav class="pagination" aria-label="Pagination">
    ${page.page > 1 ? html`<a rel="prev" href="${pagedPath(basePath, page.page - 1)}">← Newer posts</a>` : html`<span></span>`}
    <span class="pagination-position">Page ${page.page} of ${last}</span>
    ${page.page < last ? html`<a rel="next" href="${pagedPath(basePath, page.page + 1)}">Older posts →</a>` : html`<span></span>`}
  </nav>`;
}

function postList(site: SiteView, page: Page<PublicPost>, basePath: string): SafeHtml {
  return html`${
    page.items.length
      ? html`<ol class="post-list">
          ${page.items.map((post) => postCard(site, post))}
        </ol>`
      : html`<p class="empty">Nothing published here yet.</p>`
  }
  ${pagination(page, basePath)}`;
}

function pageSuffix(page: number): string {
  return page > 1 ? ` (page ${page})` : '';
}

export function homePage(site: SiteView, page: Page<PublicPost>): string {
  const { settings } = site;
  const main = html`${settings.description ? html`<p class="site-description">${settings.description}</p>` : ''}
    <h2 class="visually-hidden">Latest posts</h2>
    ${postList(site, page, homePath)}`;
  return layout(
    site,
    {
      title: settings.title + pageSuffix(page.page),
      description: settings.description || settings.title,
      path: pagedPath(homePath, page.page),
      brandIsH1: true,
    },
    main,
  );
}

function listPage(
  site: SiteView,
  options: { heading: string; intro: string | null; basePath: string; kind: string },
  page: Page<PublicPost>,
): string {
  const main = html`<header class="list-header">
      <p class="list-kind">${options.kind}</p>
      <h1>${options.heading}</h1>
      ${options.intro ? html`<p class="list-intro">${options.intro}</p>` : ''}
      <p class="list-count">${plural(page.total, 'post', 'posts')}</p>
    </header>
    ${postList(site, page, options.basePath)}`;
  return layout(
    site,
    {
      title: `${options.heading}${pageSuffix(page.page)} – ${site.settings.title}`,
      description: options.intro || `${options.kind}: ${options.heading} – ${site.settings.title}`,
      path: pagedPath(options.basePath, page.page),
    },
    main,
  );
}

export function tagPage(site: SiteView, tag: PostTag, page: Page<PublicPost>): string {
  return listPage(
    site,
    { heading: tag.name, intro: tag.description, basePath: tagPath(tag.slug), kind: 'Tag' },
    page,
  );
}

export function authorPage(site: SiteView, author: PostAuthor, page: Page<PublicPost>): string {
  return listPage(
    site,
    { heading: author.name, intro: author.bio, basePath: authorPath(author.slug), kind: 'Author' },
    page,
  );
}

export function monthPage(
  site: SiteView,
  year: number,
  month: number,
  page: Page<PublicPost>,
): string {
  return listPage(
    site,
    {
      heading: formatMonth(site.settings.locale, year, month),
      intro: null,
      basePath: archiveMonthPath(year, month),
      kind: 'Archive',
    },
    page,
  );
}
