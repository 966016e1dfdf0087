import type { PostDocument } from './document/index.js';

export const POST_STATUSES = ['draft', 'scheduled', 'published'] as const;
export type PostStatus = (typeof POST_STATUSES)[number];
export const VISIBILITIES = ['public', 'members', 'paid'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export interface PostTag {
  id: string;
  slug: string;
  name: string;
  description: string | null;
}

export interface PostAuthor {
  id: string;
  slug: string;
  name: string;
  bio: string | null;
}

export interface SeoFields {
  meta_title: string | null;
  meta_description: string | null;
  og_title: string | null;
  og_description: string | null;
  og_image: string | null;
  twitter_title: string | null;
  twitter_description: string | null;
  twitter_image: string | null;
}

/** A post as the admin API returns it. */
export interface Post extends SeoFields {
  id: string;
  title: string;
  slug: string;
  status: PostStatus;
  visibility: Visibility;
  body: PostDocument;
  html: string;
  excerpt: string;
  custom_excerpt: string | null;
  feature_image: string | null;
  feature_image_alt: string | null;
  word_count: number;
  reading_time: number;
  published_at: string | null;
  created_at: string;
  updated_at: string;
  is_demo: boolean;
  tags: PostTag[];
  authors: PostAuthor[];
  /** For a paid post: the tiers (ids) whose members may read it; empty means every tier. */
  tiers: string[];
  /** Newsletter to email the post to when it is published; null: publish to the web only. */
  email_newsletter_id: string | null;
  /** Who gets it: all | free | paid | tier:<tier id>. */
  email_segment: string;
  /** The email's subject when it is not the title. */
  email_subject: string | null;
  /** The send made when the post was published; once set, publishing again sends nothing. */
  email_send_id: string | null;
}

/**
 * A published post as the public site and feeds see it. `html` is what an anonymous
 * reader may see: the whole post when public, only the part before the preview cut
 * (or nothing) otherwise. `full` tells which.
 */
export interface PublicPost extends SeoFields {
  id: string;
  title: string;
  slug: string;
  visibility: Visibility;
  html: string;
  full: boolean;
  excerpt: string;
  feature_image: string | null;
  feature_image_alt: string | null;
  word_count: number;
  reading_time: number;
  published_at: string;
  updated_at: string;
  is_demo: boolean;
  tags: PostTag[];
  authors: PostAuthor[];
  /** For a paid post: the tiers (ids) whose members may read it; empty means every tier. */
  tiers: string[];
}

/** Whose eyes a staff preview shows a post through. */
export const PREVIEW_READERS = ['visitor', 'member', 'paid'] as const;
export type PreviewReader = (typeof PREVIEW_READERS)[number];

/** What the preview page shows besides the post itself. */
export interface PostPreview {
  post: PublicPost;
  status: PostStatus;
  reader: PreviewReader;
}

/**
 * Renders a preview with the public site's own post template (wired in the composition
 * root, so this module does not depend on the theme).
 */
export type PostPreviewRenderer = (preview: PostPreview) => Promise<string>;

export interface PublishedQuery {
  page: number;
  limit: number;
  tagSlug?: string;
  authorSlug?: string;
  /** Published in this month (UTC): `{ year: 2026, month: 3 }` */
  month?: { year: number; month: number };
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pages: number;
  limit: number;
}

export interface ArchiveMonth {
  year: number;
  month: number;
  count: number;
}
