import { Hono, type Context } from 'hono';
import type { Page, PublicPost, PublishedQuery } from '../modules/posts/index.js';
import { notFound } from '../platform/errors.js';
import {
  FEED_CACHE_CONTROL,
  PAGE_CACHE_CONTROL,
  requestHeaders,
  type PageCache,
  type RenderedPage,
} from './page-cache.js';
import type { SiteAssets } from './site-assets.js';
import type { ReaderLevel, SiteContent } from './site.deps.js';
import { FEED_PATHS, FEED_SIZE, FEED_TYPES, renderFeed, type FeedFormat } from './site.feeds.js';
import { renderRobots, renderSitemap } from './site.sitemap.js';
import { archivePage } from './views/archive.js';
import type { SiteView } from './views/layout.js';
import { authorPage, homePage, monthPage, tagPage } from './views/list.js';
import { postPage } from './views/post.js';
import { archiveMonthPath, authorPath, homePath, postPath, tagPath } from './views/urls.js';

export interface SiteDeps {
  content: SiteContent;
  cache: PageCache;
  /** Absolute URL the site is reached at, e.g. `https://example.com`; used in canonical links. */
  publicUrl: string;
  assets: SiteAssets;
  /**
   * The reader's level, from their member session. Synchronous 'anonymous' for requests
   * without one keeps the cached-page path free of database work. Default: everyone is
   * anonymous.
   */
  readerLevel?: (c: Context) => ReaderLevel | Promise<ReaderLevel>;
}

/** Pages that depend on who reads them must not be stored by browsers or proxies for others. */
const PRIVATE_CACHE_CONTROL = 'private, no-cache';

const SLUG = /^[a-z0-9-]{1,200}$/;
const PAGE_NUMBER = /^[1-9][0-9]{0,8}$/;
const YEAR = /^[0-9]{4}$/;
const MONTH = /^(0[1-9]|1[0-2])$/;

const HTML_TYPE = 'text/html; charset=utf-8';

function page(body: string): RenderedPage {
  return { body, type: HTML_TYPE, cacheControl: PAGE_CACHE_CONTROL };
}

function param(c: Context, name: string): string {
  return c.req.param(name) ?? '';
}

/** Validated before any query: a malformed slug is a 404 without touching the database. */
function slugParam(c: Context, what: string): string {
  const slug = param(c, 'slug');
  if (!SLUG.test(slug)) throw notFound(what);
  return slug;
}

function pageParam(c: Context): number {
  const raw = param(c, 'n');
  if (!PAGE_NUMBER.test(raw)) throw notFound('Page');
  return Number(raw);
}

/** `/…/page/1` duplicates the list's own URL; send readers and crawlers to the one URL. */
function redirect(location: string): Response {
  return new Response(null, {
    status: 301,
    // Not forever: an old slug may one day be given to a new post.
    headers: { location, 'cache-control': 'public, max-age=3600' },
  });
}

const cacheKey = (level: ReaderLevel, path: string) =>
  level === 'anonymous' ? path : `${level}:${path}`;

export function createSiteRoutes(deps: SiteDeps): Hono {
  const { content, cache, assets } = deps;
  const decideLevel = deps.readerLevel ?? (() => 'anonymous' as const);
  // Decided once per request and reused: the cache key and the render must agree, or a
  // level that changes mid-request (a webhook, a comp ending) would store one level's page
  // under another's key, for every reader of that level.
  const levels = new WeakMap<Context, ReaderLevel | Promise<ReaderLevel>>();
  const readerLevel = (c: Context): ReaderLevel | Promise<ReaderLevel> => {
    let level = levels.get(c);
    if (level === undefined) {
      level = decideLevel(c);
      levels.set(c, level);
    }
    return level;
  };
  const publicUrl = deps.publicUrl.replace(/\/+$/, '');
  const app = new Hono();

  async function site(): Promise<SiteView> {
    return { settings: await content.settings(), assets, publicUrl };
  }

  /** One page of a list; a page past the end is a 404 (page 1 of nothing is not). */
  async function listing(
    view: SiteView,
    pageNumber: number,
    filter: Omit<PublishedQuery, 'page' | 'limit'>,
  ): Promise<Page<PublicPost>> {
    const result = await content.listPublished({
      ...filter,
      page: pageNumber,
      limit: view.settings.posts_per_page,
    });
    if (pageNumber > Math.max(1, result.pages)) throw notFound('Page');
    return result;
  }

  /** The list routes come in pairs: `<base>` and `<base>/page/:n`. */
  function paged(
    path: string,
    render: (c: Context, pageNumber: number) => Promise<RenderedPage>,
    basePath: (c: Context) => string,
  ) {
    app.get(
      path,
      cache.route((c: Context) => render(c, 1)),
    );
    app.get(
      `${path === '/' ? '' : path}/page/:n`,
      cache.route(async (c: Context) => {
        const n = pageParam(c);
        if (n === 1) return redirect(basePath(c));
        return render(c, n);
      }),
    );
  }

  paged(
    '/',
    async (_c, n) => {
      const view = await site();
      return page(homePage(view, await listing(view, n, {})));
    },
    () => homePath,
  );

  app.get(
    '/p/:slug',
    cache.route(
      async (c: Context) => {
        const slug = slugParam(c, 'Post');
        const level = await readerLevel(c);
        const post = await content.getPublished(slug, level);
        if (post === undefined) {
          const current = await content.redirectFor(slug);
          if (current !== undefined && current !== slug && SLUG.test(current)) {
            return redirect(postPath(current));
          }
          throw notFound('Post');
        }
        const rendered = page(postPage(await site(), post, level));
        return level === 'anonymous'
          ? rendered
          : { ...rendered, cacheControl: PRIVATE_CACHE_CONTROL };
      },
      // One cached copy per reader level: members see more of members-only posts.
      (c) => {
        const level = readerLevel(c);
        return typeof level === 'string'
          ? cacheKey(level, c.req.path)
          : level.then((l) => cacheKey(l, c.req.path));
      },
    ),
  );

  paged(
    '/tag/:slug',
    async (c, n) => {
      const tag = await content.findTag(slugParam(c, 'Tag'));
      if (tag === undefined) throw notFound('Tag');
      const view = await site();
      return page(tagPage(view, tag, await listing(view, n, { tagSlug: tag.slug })));
    },
    (c) => tagPath(param(c, 'slug')),
  );

  paged(
    '/author/:slug',
    async (c, n) => {
      const author = await content.findAuthor(slugParam(c, 'Author'));
      if (author === undefined) throw notFound('Author');
      const view = await site();
      return page(authorPage(view, author, await listing(view, n, { authorSlug: author.slug })));
    },
    (c) => authorPath(param(c, 'slug')),
  );

  app.get(
    '/archive',
    cache.route(async () => {
      const [view, months] = await Promise.all([site(), content.archiveMonths()]);
      return page(archivePage(view, months));
    }),
  );

  function monthParams(c: Context): { year: number; month: number } {
    const year = param(c, 'year');
    const month = param(c, 'month');
    if (!YEAR.test(year) || !MONTH.test(month)) throw notFound('Page');
    return { year: Number(year), month: Number(month) };
  }

  paged(
    '/archive/:year/:month',
    async (c, n) => {
      const month = monthParams(c);
      const view = await site();
      const posts = await listing(view, n, { month });
      if (posts.total === 0) throw notFound('Page');
      return page(monthPage(view, month.year, month.month, posts));
    },
    (c) => {
      const { year, month } = monthParams(c);
      return archiveMonthPath(year, month);
    },
  );

  for (const format of Object.keys(FEED_PATHS) as FeedFormat[]) {
    app.get(
      FEED_PATHS[format],
      cache.route(async () => {
        const [settings, latest] = await Promise.all([
          content.settings(),
          content.listPublished({ page: 1, limit: FEED_SIZE }),
        ]);
        return {
          body: renderFeed(format, settings, publicUrl, latest.items),
          type: FEED_TYPES[format],
          cacheControl: FEED_CACHE_CONTROL,
        };
      }),
    );
  }

  app.get(
    '/sitemap.xml',
    cache.route(async () => {
      const [posts, tags, authors] = await Promise.all([
        content.sitemapEntries(),
        content.sitemapTags(),
        content.sitemapAuthors(),
      ]);
      return {
        body: renderSitemap(publicUrl, { posts, tags, authors }),
        type: 'application/xml; charset=utf-8',
        cacheControl: FEED_CACHE_CONTROL,
      };
    }),
  );

  app.get(
    '/robots.txt',
    cache.route(async () => ({
      body: renderRobots(publicUrl),
      type: 'text/plain; charset=utf-8',
      cacheControl: FEED_CACHE_CONTROL,
    })),
  );

  app.get('/assets/:file', (c) => {
    const asset = assets.get(c.req.param('file'));
    if (asset === undefined) throw notFound('Asset');
    return asset.respond(requestHeaders(c));
  });

  return app;
}
