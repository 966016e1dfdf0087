import type { SiteSettings } from '../modules/settings/index.js';
import type {
  ArchiveMonth,
  Page,
  PostAuthor,
  PostTag,
  PublicPost,
  PublishedQuery,
} from '../modules/posts/index.js';

/**
 * Everything the public site reads, as one narrow interface. The composition root
 * (app.ts) builds it from the posts, tags, staff and settings modules; tests may too.
 */
export interface SiteContent {
  listPublished(query: PublishedQuery): Promise<Page<PublicPost>>;
  getPublished(slug: string): Promise<PublicPost | undefined>;
  /** The current slug of a post that used to be at `oldSlug`, for a 301. */
  redirectFor(oldSlug: string): Promise<string | undefined>;
  archiveMonths(): Promise<ArchiveMonth[]>;
  /** Every published post, newest first, for the sitemap. */
  sitemapEntries(): Promise<{ slug: string; updated_at: string }[]>;
  /** Tags and authors with at least one published post, for the sitemap. */
  sitemapTags(): Promise<{ slug: string }[]>;
  sitemapAuthors(): Promise<{ slug: string }[]>;
  findTag(slug: string): Promise<PostTag | undefined>;
  findAuthor(slug: string): Promise<PostAuthor | undefined>;
  settings(): Promise<SiteSettings>;
}
