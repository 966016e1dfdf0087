import { escapeHtml } from '../platform/http/html.js';
import { archivePath, authorPath, homePath, postPath, tagPath } from './views/urls.js';

export interface SitemapInput {
  posts: { slug: string; updated_at: string }[];
  tags: { slug: string }[];
  authors: { slug: string }[];
}

/** The protocol's limit per file; beyond it a sitemap index would be needed. */
const MAX_URLS = 50_000;

function url(publicUrl: string, path: string, lastmod?: string): string {
  const loc = `<loc>${escapeHtml(publicUrl + path)}</loc>`;
  return `<url>${loc}${lastmod ? `<lastmod>${escapeHtml(lastmod)}</lastmod>` : ''}</url>`;
}

export function renderSitemap(publicUrl: string, input: SitemapInput): string {
  const newest = input.posts.reduce<string | undefined>(
    (latest, p) => (latest === undefined || p.updated_at > latest ? p.updated_at : latest),
    undefined,
  );
  const urls = [
    url(publicUrl, homePath, newest),
    url(publicUrl, archivePath, newest),
    ...input.posts.map((p) => url(publicUrl, postPath(p.slug), p.updated_at)),
    ...input.tags.map((t) => url(publicUrl, tagPath(t.slug))),
    ...input.authors.map((a) => url(publicUrl, authorPath(a.slug))),
  ].slice(0, MAX_URLS);
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls.join('\n')}
</urlset>
`;
}

export function renderRobots(publicUrl: string): string {
  return `User-agent: *
Allow: /
Disallow: /admin
Disallow: /api

Sitemap: ${publicUrl}/sitemap.xml
`;
}
