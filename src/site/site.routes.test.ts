import { createRequire } from 'node:module';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { beforeEach, describe, expect, it } from 'vitest';
import { xml2js, type ElementCompact } from 'xml-js';
import type {
  ArchiveMonth,
  Page,
  PostAuthor,
  PostTag,
  PublicPost,
  PublishedQuery,
} from '../modules/posts/index.js';
import { defaultSiteSettings, type SiteSettings } from '../modules/settings/index.js';
import { errorHandler } from '../platform/http/errors.js';
import type { BaseEnv } from '../platform/http/env.js';
import { PageCache } from './page-cache.js';
import { loadSiteAssets } from './site-assets.js';
import type { ReaderLevel, SiteContent } from './site.deps.js';
import { renderErrorPage, siteErrorRenderer } from './site.errors.js';
import { createSiteRoutes } from './site.routes.js';
import { DEMO_NOTICE } from './views/post.js';

// ---- An in-memory SiteContent. The real database path is tested by the app's own tests. ----

const jane: PostAuthor = {
  id: 'a1',
  slug: 'jane-doe',
  name: 'Jane Doe',
  bio: 'Reads transcripts.',
};
const policy: PostTag = { id: 't1', slug: 'policy', name: 'Policy', description: null };
const energy: PostTag = {
  id: 't2',
  slug: 'energy',
  name: 'Energy',
  description: 'Grids, prices, and the people who promise to fix them.',
};

const SECRET = 'ONLY-FOR-PAYING-MEMBERS';

function post(
  overrides: Partial<PublicPost> & Pick<PublicPost, 'id' | 'slug' | 'title'>,
): PublicPost {
  return {
    visibility: 'public',
    html: `<p>Body of ${overrides.slug}.</p>`,
    full: true,
    excerpt: `Excerpt of ${overrides.slug}.`,
    feature_image: null,
    feature_image_alt: null,
    word_count: 1200,
    reading_time: 6,
    published_at: '2026-03-04T10:00:00.000Z',
    updated_at: '2026-03-05T08:00:00.000Z',
    is_demo: false,
    tags: [],
    authors: [jane],
    tiers: [],
    meta_title: null,
    meta_description: null,
    og_title: null,
    og_description: null,
    og_image: null,
    twitter_title: null,
    twitter_description: null,
    twitter_image: null,
    ...overrides,
  };
}

const presser = post({
  id: '0b6f2c1e-8a47-4c6e-9d1b-2f3a4b5c6d7e',
  slug: 'march-presser',
  title: 'Reading the March press conference',
  html: '<p>Public analysis.</p><blockquote><p><strong>Minister:</strong> We will not comment.</p></blockquote>',
  feature_image: '/content/images/podium.jpg',
  feature_image_alt: 'The minister at the podium',
  tags: [policy],
  meta_description: 'What was said, and what was not.',
});
const membersPost = post({
  id: '1c7a3d2f-9b58-4d7f-8e2c-3a4b5c6d7e8f',
  slug: 'members-only',
  title: 'What the minister did not say',
  visibility: 'members',
  full: false,
  // The preview is all a PublicPost carries; SECRET stands for the rest, which lives
  // only in the database and must never reach a page or a feed.
  html: '<p>The preview paragraph.</p>',
  published_at: '2026-03-02T10:00:00.000Z',
  updated_at: '2026-03-02T10:00:00.000Z',
  tags: [policy, energy],
});
const demoPost = post({
  id: '2d8b4e3a-ac69-4e8a-9f3d-4b5c6d7e8f90',
  slug: 'welcome',
  title: 'Welcome to Pressroom',
  is_demo: true,
  published_at: '2026-02-10T10:00:00.000Z',
  updated_at: '2026-02-10T10:00:00.000Z',
  tags: [energy],
});
const scriptPost = post({
  id: '3e9c5f4b-bd7a-4f9b-a04e-5c6d7e8f9012',
  slug: 'escaping',
  title: '</script><script>alert(1)</script> & "quotes"',
  published_at: '2026-01-15T10:00:00.000Z',
  updated_at: '2026-01-15T10:00:00.000Z',
});

const settings: SiteSettings = {
  ...defaultSiteSettings,
  title: 'The Briefing Room',
  description: 'Press conferences, read closely.',
  posts_per_page: 2,
  twitter_handle: 'briefingroom',
  icon: '/content/images/icon.png',
};

class FakeContent implements SiteContent {
  posts: PublicPost[] = [presser, membersPost, demoPost, scriptPost];
  redirects = new Map([['old-march', 'march-presser']]);
  calls = new Map<string, number>();
  failSettings = false;

  #count(name: string) {
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
  }

  calls_(name: string): number {
    return this.calls.get(name) ?? 0;
  }

  async listPublished(query: PublishedQuery): Promise<Page<PublicPost>> {
    this.#count('listPublished');
    const matching = this.posts
      .filter((p) => !query.tagSlug || p.tags.some((t) => t.slug === query.tagSlug))
      .filter((p) => !query.authorSlug || p.authors.some((a) => a.slug === query.authorSlug))
      .filter((p) => {
        if (!query.month) return true;
        const d = new Date(p.published_at);
        return d.getUTCFullYear() === query.month.year && d.getUTCMonth() + 1 === query.month.month;
      })
      .sort((a, b) => b.published_at.localeCompare(a.published_at));
    const start = (query.page - 1) * query.limit;
    return {
      items: matching.slice(start, start + query.limit),
      total: matching.length,
      page: query.page,
      pages: Math.ceil(matching.length / query.limit),
      limit: query.limit,
    };
  }
  async getPublished(slug: string, level: ReaderLevel) {
    this.#count('getPublished');
    const found = this.posts.find((p) => p.slug === slug);
    // Stands in for the access decision: signed-in readers get the whole members post.
    if (found === membersPost && level !== 'anonymous') {
      return { ...found, full: true, html: `<p>The preview paragraph.</p><p>${SECRET}</p>` };
    }
    return found;
  }
  async redirectFor(oldSlug: string) {
    this.#count('redirectFor');
    return this.redirects.get(oldSlug);
  }
  async archiveMonths(): Promise<ArchiveMonth[]> {
    const months = new Map<string, ArchiveMonth>();
    for (const p of this.posts) {
      const d = new Date(p.published_at);
      const key = `${d.getUTCFullYear()}-${d.getUTCMonth() + 1}`;
      const m = months.get(key) ?? {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        count: 0,
      };
      m.count++;
      months.set(key, m);
    }
    return [...months.values()];
  }
  async sitemapEntries() {
    return this.posts.map((p) => ({ slug: p.slug, updated_at: p.updated_at }));
  }
  async sitemapTags() {
    return [{ slug: 'policy' }, { slug: 'energy' }];
  }
  async sitemapAuthors() {
    return [{ slug: 'jane-doe' }];
  }
  async findTag(slug: string) {
    this.#count('findTag');
    return [policy, energy].find((t) => t.slug === slug);
  }
  async findAuthor(slug: string) {
    return slug === jane.slug ? jane : undefined;
  }
  async settings() {
    this.#count('settings');
    if (this.failSettings) throw new Error('database is down');
    return settings;
  }
}

// ---- Helpers ----

const assets = loadSiteAssets();
const PUBLIC_URL = 'https://briefing.example';

function setup(options: { cache?: boolean } = {}) {
  const content = new FakeContent();
  const cache = new PageCache({ enabled: options.cache ?? true });
  // Composed as app.ts does: the site mounted at `/`, the shared error handler rendering
  // HTML errors with the site's renderer.
  const app = new Hono<BaseEnv>();
  app.onError(errorHandler(siteErrorRenderer({ content, assets, publicUrl: PUBLIC_URL })));
  // The test names the reader in a header; app.ts derives it from the member session.
  const readerLevel = (c: { req: { header(name: string): string | undefined } }) => {
    const level = c.req.header('x-test-reader');
    return level === 'member' || level === 'paid'
      ? Promise.resolve<ReaderLevel>(level)
      : 'anonymous';
  };
  app.route(
    '/',
    createSiteRoutes({ content, cache, publicUrl: `${PUBLIC_URL}/`, assets, readerLevel }),
  );
  return { app, content, cache };
}

/**
 * The views are formatted by Prettier, which indents and wraps their markup; compare
 * with whitespace collapsed and `/>` written as `>`.
 */
function squash(markup: string): string {
  return markup
    .replace(/\s+/g, ' ')
    .replace(/\s*\/?>/g, '>')
    .replace(/>\s+</g, '><');
}

async function markup(res: Response | Promise<Response>): Promise<string> {
  return squash(await (await res).text());
}

const count = (haystack: string, needle: RegExp) => haystack.match(needle)?.length ?? 0;

function meta(body: string, attr: 'name' | 'property', key: string): string | undefined {
  const match = new RegExp(`<meta ${attr}="${key}" content="([^"]*)">`).exec(body);
  return match?.[1];
}

function jsonLd(body: string): Record<string, unknown> {
  const match = /<script type="application\/ld\+json">(.*?)<\/script>/s.exec(body);
  if (!match?.[1]) throw new Error('no JSON-LD');
  return JSON.parse(match[1]) as Record<string, unknown>;
}

/** Fails on anything that is not well-formed XML, then returns xml-js's compact tree. */
function parseXml(text: string): ElementCompact {
  const require = createRequire(import.meta.url);
  const sax = require('sax') as {
    parser(strict: boolean): { onerror: (e: Error) => void; write(s: string): { close(): void } };
  };
  const parser = sax.parser(true);
  parser.onerror = (e) => {
    throw e;
  };
  parser.write(text).close();
  return xml2js(text, { compact: true }) as ElementCompact;
}

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

// ---- Tests ----

describe('site pages', () => {
  let env: ReturnType<typeof setup>;
  beforeEach(() => {
    env = setup();
  });

  it('renders the home page with the site title as its one h1 and pages through posts', async () => {
    const res = await env.app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
    const body = await markup(res);
    expect(body.startsWith('<!doctype html><html lang="en">')).toBe(true);
    expect(count(body, /<h1[\s>]/g)).toBe(1);
    expect(body).toMatch(/<h1 class="site-title"><a href="\/"[^>]*>The Briefing Room<\/a><\/h1>/);
    expect(body).toContain('<link rel="canonical" href="https://briefing.example/">');
    expect(body).toContain('href="/p/march-presser"');
    expect(body).toContain('href="/p/members-only"');
    expect(body).not.toContain('href="/p/welcome"');
    expect(body).toContain('<a rel="next" href="/page/2">');
    expect(body).not.toContain('rel="prev"');
    expect(body).toContain('<main id="main"');
    expect(body).toContain('<a class="skip-link" href="#main">');
    expect(body).toContain('<nav class="site-nav" aria-label="Main">');
    expect(body).toContain('<link rel="icon" href="/content/images/icon.png">');
    expect(body).toContain(`<link rel="stylesheet" href="${assets.cssHref}">`);
    expect(body).toContain('--accent: #1a5fb4;');
  });

  it('serves later pages and 404s page numbers that are not positive integers or past the end', async () => {
    const page2 = await env.app.request('/page/2');
    expect(page2.status).toBe(200);
    const body = await markup(page2);
    expect(body).toContain('<a rel="prev" href="/">');
    expect(body).not.toContain('rel="next"');
    expect(body).toContain('<link rel="canonical" href="https://briefing.example/page/2">');
    expect(body).toContain('href="/p/welcome"');

    for (const path of ['/page/3', '/page/0', '/page/-1', '/page/01', '/page/abc', '/page/1.5']) {
      expect((await env.app.request(path)).status, path).toBe(404);
    }
    const first = await env.app.request('/page/1');
    expect(first.status).toBe(301);
    expect(first.headers.get('location')).toBe('/');
  });

  it('renders a post with byline, tags, feature image, social metadata and JSON-LD', async () => {
    const res = await env.app.request('/p/march-presser');
    expect(res.status).toBe(200);
    const body = await markup(res);

    expect(count(body, /<h1[\s>]/g)).toBe(1);
    expect(body).toContain('<h1 class="post-title">Reading the March press conference</h1>');
    expect(body).toContain('<title>Reading the March press conference – The Briefing Room</title>');
    expect(body).toContain('<meta name="description" content="What was said, and what was not.">');
    expect(body).toContain('<a href="/author/jane-doe" rel="author">Jane Doe</a>');
    expect(body).toContain('<time datetime="2026-03-04T10:00:00.000Z">March 4, 2026</time>');
    expect(body).toContain('6 min read');
    expect(body).toContain('<a href="/tag/policy" rel="tag">Policy</a>');
    expect(body).toContain(
      '<img src="/content/images/podium.jpg" alt="The minister at the podium" decoding="async">',
    );
    expect(body).toContain(
      '<blockquote><p><strong>Minister:</strong> We will not comment.</p></blockquote>',
    );

    const canonical = 'https://briefing.example/p/march-presser';
    expect(body).toContain(`<link rel="canonical" href="${canonical}">`);
    expect(meta(body, 'property', 'og:type')).toBe('article');
    expect(meta(body, 'property', 'og:title')).toBe('Reading the March press conference');
    expect(meta(body, 'property', 'og:description')).toBe('What was said, and what was not.');
    expect(meta(body, 'property', 'og:url')).toBe(canonical);
    expect(meta(body, 'property', 'og:site_name')).toBe('The Briefing Room');
    expect(meta(body, 'property', 'og:image')).toBe(
      'https://briefing.example/content/images/podium.jpg',
    );
    expect(meta(body, 'name', 'twitter:card')).toBe('summary_large_image');
    expect(meta(body, 'name', 'twitter:site')).toBe('@briefingroom');
    expect(meta(body, 'name', 'twitter:image')).toBe(
      'https://briefing.example/content/images/podium.jpg',
    );

    expect(body).toContain(
      '<link rel="alternate" type="application/rss+xml" title="The Briefing Room (RSS)" href="https://briefing.example/rss.xml">',
    );
    expect(body).toContain(
      'type="application/atom+xml" title="The Briefing Room (Atom)" href="https://briefing.example/atom.xml"',
    );
    expect(body).toContain(
      'type="application/feed+json" title="The Briefing Room (JSON Feed)" href="https://briefing.example/feed.json"',
    );

    expect(jsonLd(body)).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'Article',
      headline: 'Reading the March press conference',
      datePublished: '2026-03-04T10:00:00.000Z',
      dateModified: '2026-03-05T08:00:00.000Z',
      image: ['https://briefing.example/content/images/podium.jpg'],
      author: [
        { '@type': 'Person', name: 'Jane Doe', url: 'https://briefing.example/author/jane-doe' },
      ],
      publisher: { '@type': 'Organization', name: 'The Briefing Room' },
      mainEntityOfPage: canonical,
    });

    expect(body).toMatch(/<form method="post" action="\/subscribe"/);
    expect(body).toContain('<label for="subscribe-email">Email address</label>');
    expect(body).toMatch(/<input id="subscribe-email" type="email" name="email" required/);
    expect(body).not.toContain('class="paywall"');
    expect(body).not.toContain(DEMO_NOTICE);
  });

  it('shows the preview of a members post, then the box that leads to /subscribe', async () => {
    const body = await markup(await env.app.request('/p/members-only'));
    expect(body).toContain('<p>The preview paragraph.</p>');
    expect(body).toContain('<h2 id="paywall-title">This post is for members</h2>');
    expect(body).toContain('<a class="button" href="/subscribe">Subscribe</a>');
    expect(body).not.toContain(SECRET);
    expect(jsonLd(body)).toMatchObject({ isAccessibleForFree: false });
    // No image anywhere: the small card.
    expect(meta(body, 'name', 'twitter:card')).toBe('summary');
    expect(meta(body, 'property', 'og:image')).toBeUndefined();
  });

  it('flags the sample post that ships with Pressroom', async () => {
    const body = await markup(await env.app.request('/p/welcome'));
    expect(body).toContain(DEMO_NOTICE);
  });

  it('escapes a title that contains markup, in the page and in the JSON-LD', async () => {
    const body = await markup(await env.app.request('/p/escaping'));
    expect(body).not.toContain('<script>alert(1)');
    expect(body).toContain(
      '<h1 class="post-title">&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;</h1>',
    );
    expect(count(body, /<\/script>/g)).toBe(1); // only the JSON-LD's own end tag
    expect(jsonLd(body).headline).toBe(scriptPost.title);
    // The home page lists it too, escaped.
    const home = await markup(await env.app.request('/page/2'));
    expect(home).not.toContain('<script>alert(1)');
  });

  it('redirects an old slug with a 301 and 404s unknown or malformed slugs', async () => {
    const moved = await env.app.request('/p/old-march');
    expect(moved.status).toBe(301);
    expect(moved.headers.get('location')).toBe('/p/march-presser');

    const missing = await env.app.request('/p/no-such-post');
    expect(missing.status).toBe(404);
    const body = await markup(missing);
    expect(body).toContain('<h1>Page not found</h1>');
    expect(body).toContain('Post not found');
    expect(count(body, /<h1[\s>]/g)).toBe(1);
    expect(body).toContain('<meta name="robots" content="noindex">');
    expect(missing.headers.get('cache-control')).toBe('no-store');

    const before = env.content.calls_('getPublished');
    for (const bad of ['/p/UPPER', '/p/under_score', '/p/%3Cscript%3E', `/p/${'a'.repeat(201)}`]) {
      expect((await env.app.request(bad)).status, bad).toBe(404);
    }
    expect(env.content.calls_('getPublished')).toBe(before);
  });

  it('lists a tag and an author, with their name as the h1', async () => {
    const tag = await env.app.request('/tag/energy');
    expect(tag.status).toBe(200);
    const tagBody = await markup(tag);
    expect(count(tagBody, /<h1[\s>]/g)).toBe(1);
    expect(tagBody).toContain('<h1>Energy</h1>');
    expect(tagBody).toContain('Grids, prices, and the people who promise to fix them.');
    expect(tagBody).toContain('href="/p/members-only"');
    expect(tagBody).toContain('href="/p/welcome"');
    expect(tagBody).not.toContain('href="/p/march-presser"');
    expect(tagBody).toContain('<link rel="canonical" href="https://briefing.example/tag/energy">');

    expect((await env.app.request('/tag/nothing-here')).status).toBe(404);
    expect((await env.app.request('/tag/energy/page/2')).status).toBe(404);
    expect((await env.app.request('/tag/energy/page/1')).headers.get('location')).toBe(
      '/tag/energy',
    );

    const before = env.content.calls_('findTag');
    expect((await env.app.request('/tag/Not_A_Slug')).status).toBe(404);
    expect(env.content.calls_('findTag')).toBe(before);

    const author = await env.app.request('/author/jane-doe');
    const authorBody = await markup(author);
    expect(author.status).toBe(200);
    expect(authorBody).toContain('<h1>Jane Doe</h1>');
    expect(authorBody).toContain('<a rel="next" href="/author/jane-doe/page/2">');
    const author2 = await markup(await env.app.request('/author/jane-doe/page/2'));
    expect(author2).toContain('<a rel="prev" href="/author/jane-doe">');
    expect((await env.app.request('/author/jane-doe/page/3')).status).toBe(404);
    expect((await env.app.request('/author/nobody')).status).toBe(404);
  });

  it('lists archive months with counts, and each month’s posts', async () => {
    const archive = await markup(await env.app.request('/archive'));
    expect(count(archive, /<h1[\s>]/g)).toBe(1);
    expect(archive).toContain('<h2 id="year-2026">2026</h2>');
    expect(archive).toContain(
      '<a href="/archive/2026/03">March 2026</a><span class="archive-count">2 posts</span>',
    );
    expect(archive).toContain(
      '<a href="/archive/2026/02">February 2026</a><span class="archive-count">1 post</span>',
    );
    expect(archive.indexOf('/archive/2026/03')).toBeLessThan(archive.indexOf('/archive/2026/01'));

    const month = await env.app.request('/archive/2026/03');
    expect(month.status).toBe(200);
    const monthBody = await markup(month);
    expect(monthBody).toContain('<h1>March 2026</h1>');
    expect(monthBody).toContain('href="/p/march-presser"');
    expect(monthBody).not.toContain('href="/p/welcome"');

    for (const path of [
      '/archive/2026/3',
      '/archive/2026/13',
      '/archive/26/03',
      '/archive/2025/01',
    ]) {
      expect((await env.app.request(path)).status, path).toBe(404);
    }
    expect((await env.app.request('/archive/2026/03/page/2')).status).toBe(404);
  });

  it('answers HEAD without a body', async () => {
    const res = await env.app.request('/p/march-presser', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });
});

describe('feeds, sitemap and robots.txt', () => {
  let env: ReturnType<typeof setup>;
  beforeEach(() => {
    env = setup();
  });

  it('writes RSS 2.0 with full public posts and only the preview of members posts', async () => {
    const res = await env.app.request('/rss.xml');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const text = await res.text();
    expect(text).not.toContain(SECRET);

    const rss = parseXml(text).rss as ElementCompact;
    expect(rss._attributes?.version).toBe('2.0');
    const channel = rss.channel as ElementCompact;
    expect((channel.title as ElementCompact)._text).toBe('The Briefing Room');
    expect((channel.link as ElementCompact)._text).toBe('https://briefing.example/');
    const items = asArray(channel.item as ElementCompact | ElementCompact[]);
    expect(items).toHaveLength(4);

    const bySlug = (slug: string) =>
      items.find((i) => (i.link as ElementCompact)._text === `https://briefing.example/p/${slug}`);
    const full = bySlug('march-presser')!;
    expect((full.title as ElementCompact)._cdata).toBe('Reading the March press conference');
    expect((full['content:encoded'] as ElementCompact)._cdata).toBe(presser.html);
    expect((full['dc:creator'] as ElementCompact)._text).toBe('Jane Doe');
    expect((full.guid as ElementCompact)._text).toBe(`urn:uuid:${presser.id}`);
    expect((full.pubDate as ElementCompact)._text).toBe('Wed, 04 Mar 2026 10:00:00 GMT');

    const preview = (bySlug('members-only')!['content:encoded'] as ElementCompact)._cdata as string;
    expect(preview.startsWith(membersPost.html)).toBe(true);
    expect(preview).toContain('href="https://briefing.example/p/members-only"');
    expect(preview.replace(membersPost.html, '')).toBe(
      '\n<p><a href="https://briefing.example/p/members-only">This post is for members. Read it on the site.</a></p>',
    );
  });

  it('writes Atom with escaped titles', async () => {
    const res = await env.app.request('/atom.xml');
    expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    const text = await res.text();
    const feed = parseXml(text).feed as ElementCompact;
    expect(feed._attributes?.xmlns).toBe('http://www.w3.org/2005/Atom');
    const entries = asArray(feed.entry as ElementCompact | ElementCompact[]);
    expect(entries).toHaveLength(4);
    const script = entries.find(
      (e) => (e.id as ElementCompact)._text === `urn:uuid:${scriptPost.id}`,
    )!;
    expect((script.title as ElementCompact)._cdata).toBe(
      '&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;',
    );
    expect(text).not.toContain(SECRET);
    expect((feed.updated as ElementCompact)._text).toBe('2026-03-05T08:00:00.000Z');
  });

  it('writes JSON Feed 1.1', async () => {
    const res = await env.app.request('/feed.json');
    expect(res.headers.get('content-type')).toBe('application/feed+json; charset=utf-8');
    const feed = (await res.json()) as {
      version: string;
      title: string;
      home_page_url: string;
      feed_url: string;
      items: {
        id: string;
        url: string;
        title: string;
        content_html: string;
        authors?: { name: string }[];
        author?: unknown;
        image?: string;
      }[];
    };
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.title).toBe('The Briefing Room');
    expect(feed.feed_url).toBe('https://briefing.example/feed.json');
    expect(feed.items.map((i) => i.url)).toEqual([
      'https://briefing.example/p/march-presser',
      'https://briefing.example/p/members-only',
      'https://briefing.example/p/welcome',
      'https://briefing.example/p/escaping',
    ]);
    const [first, members] = feed.items;
    expect(first?.content_html).toBe(presser.html);
    expect(first?.authors).toEqual([
      { name: 'Jane Doe', url: 'https://briefing.example/author/jane-doe' },
    ]);
    expect(first?.author).toBeUndefined();
    expect(first?.image).toBe('https://briefing.example/content/images/podium.jpg');
    expect(members?.content_html.startsWith(membersPost.html)).toBe(true);
    expect(JSON.stringify(feed)).not.toContain(SECRET);
  });

  it('lists posts, tags and authors in the sitemap', async () => {
    const res = await env.app.request('/sitemap.xml');
    expect(res.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    const urlset = parseXml(await res.text()).urlset as ElementCompact;
    const locs = asArray(urlset.url as ElementCompact | ElementCompact[]).map(
      (u) => (u.loc as ElementCompact)._text,
    );
    expect(locs).toEqual(
      expect.arrayContaining([
        'https://briefing.example/',
        'https://briefing.example/archive',
        'https://briefing.example/p/march-presser',
        'https://briefing.example/p/members-only',
        'https://briefing.example/tag/policy',
        'https://briefing.example/tag/energy',
        'https://briefing.example/author/jane-doe',
      ]),
    );
  });

  it('allows crawling except /admin and /api and points to the sitemap', async () => {
    const res = await env.app.request('/robots.txt');
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toBe(
      'User-agent: *\nAllow: /\nDisallow: /admin\nDisallow: /api\n\nSitemap: https://briefing.example/sitemap.xml\n',
    );
  });
});

describe('page cache on the site routes', () => {
  it('renders a page once, then serves the stored bytes', async () => {
    const { app, content } = setup();
    const first = await (await app.request('/')).text();
    const calls = content.calls_('listPublished') + content.calls_('settings');
    const second = await app.request('/');
    expect(await second.text()).toBe(first);
    expect(content.calls_('listPublished') + content.calls_('settings')).toBe(calls);
  });

  it('answers If-None-Match with 304 and compresses to bodies that decompress to the original', async () => {
    const { app } = setup();
    const plain = await app.request('/p/march-presser');
    const etag = plain.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(plain.headers.get('vary')).toBe('Accept-Encoding');
    const identity = Buffer.from(await plain.arrayBuffer());

    const revalidated = await app.request('/p/march-presser', {
      headers: { 'if-none-match': etag },
    });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('etag')).toBe(etag);
    expect(await revalidated.text()).toBe('');

    const gz = await app.request('/p/march-presser', {
      headers: { 'accept-encoding': 'gzip, deflate' },
    });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gz.headers.get('etag')).not.toBe(etag);
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).equals(identity)).toBe(true);

    const br = await app.request('/p/march-presser', {
      headers: { 'accept-encoding': 'gzip, deflate, br, zstd' },
    });
    expect(br.headers.get('content-encoding')).toBe('br');
    const brBytes = Buffer.from(await br.arrayBuffer());
    expect(brBytes.length).toBe(Number(br.headers.get('content-length')));
    expect(brotliDecompressSync(brBytes).equals(identity)).toBe(true);

    const brRevalidated = await app.request('/p/march-presser', {
      headers: { 'accept-encoding': 'br', 'if-none-match': br.headers.get('etag')! },
    });
    expect(brRevalidated.status).toBe(304);
  });

  it('renders again after clear(), so an edit shows at once', async () => {
    const { app, content, cache } = setup();
    await app.request('/p/march-presser');
    await app.request('/p/march-presser');
    expect(content.calls_('getPublished')).toBe(1);

    content.posts = content.posts.map((p) =>
      p.slug === 'march-presser' ? { ...p, title: 'Corrected title' } : p,
    );
    cache.clear();
    const body = await markup(await app.request('/p/march-presser'));
    expect(content.calls_('getPublished')).toBe(2);
    expect(body).toContain('<h1 class="post-title">Corrected title</h1>');
  });

  it('does not keep 404s or redirects, so a post published later appears at once', async () => {
    const { app, content } = setup();
    expect((await app.request('/p/later')).status).toBe(404);
    content.posts = [...content.posts, post({ id: 'x', slug: 'later', title: 'Later' })];
    expect((await app.request('/p/later')).status).toBe(200);

    await app.request('/p/old-march');
    await app.request('/p/old-march');
    expect(content.calls_('redirectFor')).toBe(3);
  });

  it('renders every time when disabled', async () => {
    const { app, content } = setup({ cache: false });
    const a = await app.request('/p/march-presser');
    await app.request('/p/march-presser', { headers: { 'if-none-match': a.headers.get('etag')! } });
    expect(content.calls_('getPublished')).toBe(2);
  });
});

describe('assets', () => {
  it('serves the stylesheet under a hashed name, immutable, compressed', async () => {
    const { app } = setup();
    expect(assets.cssHref).toMatch(/^\/assets\/site\.[0-9a-f]{8}\.css$/);
    const res = await app.request(assets.cssHref, { headers: { 'accept-encoding': 'br' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-encoding')).toBe('br');
    const css = brotliDecompressSync(Buffer.from(await res.arrayBuffer())).toString('utf8');
    expect(css).toContain('--accent');
    expect(css).toContain('prefers-color-scheme: dark');

    const etag = res.headers.get('etag')!;
    const again = await app.request(assets.cssHref, {
      headers: { 'accept-encoding': 'br', 'if-none-match': etag },
    });
    expect(again.status).toBe(304);

    expect(assets.iconHref).toMatch(/^\/assets\/favicon\.[0-9a-f]{8}\.svg$/);
    const icon = await app.request(assets.iconHref);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    expect(await icon.text()).toContain('<svg');

    expect((await app.request('/assets/site.00000000.css')).status).toBe(404);
    expect((await app.request('/assets/site.css')).status).toBe(404);
  });
});

describe('post pages by reader level', () => {
  it('keeps one cached copy per level, private for signed-in readers', async () => {
    const { app, content } = setup();
    const anonymous = await app.request('/p/members-only');
    expect(await anonymous.text()).not.toContain(SECRET);
    expect(anonymous.headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');

    const member = await app.request('/p/members-only', { headers: { 'x-test-reader': 'member' } });
    const memberBody = await member.text();
    expect(memberBody).toContain(SECRET);
    expect(member.headers.get('cache-control')).toBe('private, no-cache');
    expect(member.headers.get('etag')).not.toBe(anonymous.headers.get('etag'));

    // Each level is now served from its own entry: no more renders, and no mixing.
    const before = content.calls_('getPublished');
    expect(await (await app.request('/p/members-only')).text()).not.toContain(SECRET);
    expect(
      await (
        await app.request('/p/members-only', { headers: { 'x-test-reader': 'member' } })
      ).text(),
    ).toContain(SECRET);
    expect(content.calls_('getPublished')).toBe(before);
  });

  it('offers an upgrade to a signed-in member who may not read a paid post', async () => {
    const { app, content } = setup();
    content.posts.push({ ...membersPost, id: 'p-paid', slug: 'paid-only', visibility: 'paid' });
    const body = await markup(
      app.request('/p/paid-only', { headers: { 'x-test-reader': 'member' } }),
    );
    expect(body).toContain('This post is for paid subscribers');
    expect(body).toContain('href="/account#plans">Upgrade</a>');
    const anonymous = await markup(app.request('/p/paid-only'));
    expect(anonymous).toContain('href="/signin"');
    expect(anonymous).not.toContain('Upgrade</a>');
  });
});

describe('error pages', () => {
  it('render with default settings when settings cannot be read', async () => {
    const content = new FakeContent();
    content.failSettings = true;
    const body = squash(
      await renderErrorPage(content, assets, 500, 'Something went wrong on our side.'),
    );
    expect(body).toContain('<h1>Something went wrong</h1>');
    expect(body).toContain('<title>Something went wrong – Pressroom</title>');
    // No icon in the default settings: the theme's own, so browsers do not ask for /favicon.ico.
    expect(body).toContain(`<link rel="icon" href="${assets.iconHref}">`);
    expect(body).toContain('Something went wrong on our side.');
    expect(count(body, /<h1[\s>]/g)).toBe(1);
  });

  it('render when there is no content at all', async () => {
    const body = squash(await renderErrorPage(undefined, assets, 404, 'Post not found'));
    expect(body).toContain('<h1>Page not found</h1>');
  });

  it('turn a failing database into a 500 page in the site’s look', async () => {
    const { app, content } = setup();
    content.failSettings = true;
    const res = await app.request('/');
    expect(res.status).toBe(500);
    const body = await markup(res);
    expect(body).toContain('<h1>Something went wrong</h1>');
    expect(body).not.toContain('database is down');
    expect(body).toContain(`<link rel="stylesheet" href="${assets.cssHref}">`);
  });

  it('keep the publication’s own title from the last time settings could be read', async () => {
    const content = new FakeContent();
    const render = siteErrorRenderer({ content, assets });
    const c = new Hono();
    let body = '';
    c.get('/', async (ctx) => {
      await render(ctx, 404, 'Post not found');
      content.failSettings = true;
      body = await render(ctx, 500, 'Something went wrong on our side.');
      return ctx.text('ok');
    });
    await c.request('/');
    expect(squash(body)).toContain('<title>Something went wrong – The Briefing Room</title>');
  });
});
