import { Feed, type Item } from 'feed';
import type { PublicPost } from '../modules/posts/index.js';
import type { SiteSettings } from '../modules/settings/index.js';
import { escapeHtml } from '../platform/http/html.js';
import { absoluteUrl } from './views/format.js';
import { authorPath, postPath } from './views/urls.js';

export type FeedFormat = 'rss' | 'atom' | 'json';

export const FEED_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

export const FEED_PATHS: Record<FeedFormat, string> = {
  rss: '/rss.xml',
  atom: '/atom.xml',
  json: '/feed.json',
};

export const FEED_SIZE = 20;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An entry's id must survive a slug change, or readers show a renamed post twice; Atom
 * also wants it to be a URI, hence the URN rather than the bare id.
 */
function entryId(post: PublicPost): string {
  return UUID.test(post.id)
    ? `urn:uuid:${post.id.toLowerCase()}`
    : `urn:pressroom:post:${encodeURIComponent(post.id)}`;
}

/** `html` is already what an anonymous reader may see; a preview gets a way to the rest. */
function entryContent(post: PublicPost, link: string): string {
  if (post.full) return post.html;
  const audience = post.visibility === 'paid' ? 'paid subscribers' : 'members';
  return `${post.html}\n<p><a href="${escapeHtml(link)}">This post is for ${audience}. Read it on the site.</a></p>`;
}

function item(format: FeedFormat, post: PublicPost, publicUrl: string): Item {
  const link = absoluteUrl(publicUrl, postPath(post.slug));
  const authors = post.authors.map((a) => ({
    name: a.name,
    link: absoluteUrl(publicUrl, authorPath(a.slug)),
  }));
  return {
    // Atom declares its titles type="html", so a literal `<` must arrive escaped.
    title: format === 'atom' ? escapeHtml(post.title) : post.title,
    id: entryId(post),
    link,
    date: new Date(post.updated_at),
    published: new Date(post.published_at),
    description: post.excerpt || undefined,
    content: entryContent(post, link),
    // xml-js leaves `<` unescaped in attributes, which is where Atom puts the label.
    category: post.tags.map((t) => ({
      name: format === 'atom' ? t.name.replace(/</g, '') : t.name,
      term: t.slug,
    })),
    // RSS's <author> must be an email address, which we do not publish; dc:creator is
    // what feed readers use for a name instead.
    ...(format === 'rss'
      ? post.authors.length
        ? {
            extensions: [
              {
                name: 'dc:creator',
                objects: { _text: post.authors.map((a) => a.name).join(', ') },
              },
            ],
          }
        : {}
      : { author: authors }),
    ...(format === 'json' && post.feature_image
      ? { image: absoluteUrl(publicUrl, post.feature_image) }
      : {}),
  };
}

/**
 * The `feed` package writes JSON Feed 1.0; 1.1 renames `author` to `authors` (a list) and
 * adds `language`, so the output is upgraded rather than hand-built.
 */
function toJsonFeed11(
  json: string,
  settings: SiteSettings,
  posts: PublicPost[],
  publicUrl: string,
) {
  const feed = JSON.parse(json) as Record<string, unknown> & { items: Record<string, unknown>[] };
  feed.version = 'https://jsonfeed.org/version/1.1';
  feed.language = settings.locale;
  if (settings.icon) feed.favicon = absoluteUrl(publicUrl, settings.icon);
  feed.items.forEach((entry, i) => {
    delete entry.author;
    const post = posts[i];
    if (post?.authors.length) {
      entry.authors = post.authors.map((a) => ({
        name: a.name,
        url: absoluteUrl(publicUrl, authorPath(a.slug)),
      }));
    }
  });
  return JSON.stringify(feed);
}

/** A feed of the latest posts, newest first. */
export function renderFeed(
  format: FeedFormat,
  settings: SiteSettings,
  publicUrl: string,
  posts: PublicPost[],
): string {
  // The newest change, not "now": the same posts must give the same bytes (and ETag).
  const updated = posts.reduce<Date | undefined>((latest, p) => {
    const d = new Date(p.updated_at);
    return latest === undefined || d > latest ? d : latest;
  }, undefined);
  const feed = new Feed({
    id: `${publicUrl}/`,
    title: settings.title,
    description: settings.description || undefined,
    link: `${publicUrl}/`,
    language: settings.locale,
    updated: updated ?? new Date(0),
    generator: 'Pressroom',
    image: settings.logo ? absoluteUrl(publicUrl, settings.logo) : undefined,
    favicon: settings.icon ? absoluteUrl(publicUrl, settings.icon) : undefined,
    feedLinks: {
      rss: publicUrl + FEED_PATHS.rss,
      atom: publicUrl + FEED_PATHS.atom,
      json: publicUrl + FEED_PATHS.json,
    },
  });
  for (const post of posts) feed.addItem(item(format, post, publicUrl));
  if (format === 'rss') return feed.rss2();
  if (format === 'atom') return feed.atom1();
  return toJsonFeed11(feed.json1(), settings, posts, publicUrl);
}
