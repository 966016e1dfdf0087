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
 * How much of members-only content a reader may see; decided by the members module's
 * access function (`paid:<tier>` for a reader of one paid tier). Post pages are rendered and
 * cached once per level.
 */
export type ReaderLevel = 'anonymous' | 'member' | 'paid' | `paid:${string}`;

/**
 * Everything the public site reads, as one narrow interface. The composition root
 * (app.ts) builds it from the posts, tags, staff and settings modules; tests may too.
 */
export interface SiteContent {
  listPublished(query: PublishedQuery): Promise<Page<PublicPost>>;
  getPublished(slug: string, level: ReaderLevel): Promise<PublicPost | undefined>;
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
