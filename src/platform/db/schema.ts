import type { Generated } from 'kysely';

/**
 * The database as Kysely sees it. One schema for SQLite and PostgreSQL:
 * ids are text (UUIDs), timestamps ISO-8601 UTC text, booleans integers 0/1 and
 * documents JSON text, so every query means the same thing on both engines.
 */
export interface Database {
  pressroom_migrations: MigrationRow;
  app_state: AppStateRow;
  settings: SettingRow;
  staff: StaffRow;
  staff_sessions: StaffSessionRow;
  api_tokens: ApiTokenRow;
  rate_limits: RateLimitRow;
  jobs: JobRow;
  tags: TagRow;
  posts: PostRow;
  post_tags: PostTagRow;
  post_authors: PostAuthorRow;
  post_revisions: PostRevisionRow;
  post_slug_redirects: PostSlugRedirectRow;
}

export interface MigrationRow {
  name: string;
  applied_at: string;
}

export interface AppStateRow {
  key: string;
  value: string;
}

export interface SettingRow {
  key: string;
  value: string;
}

export interface StaffRow {
  id: string;
  email: string;
  name: string;
  slug: string;
  role: string;
  password_hash: string | null;
  bio: string | null;
  created_at: string;
  updated_at: string;
}

export interface StaffSessionRow {
  id: string;
  token_hash: string;
  staff_id: string;
  created_at: string;
  expires_at: string;
  last_used_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiTokenRow {
  id: string;
  name: string;
  token_hash: string;
  staff_id: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface RateLimitRow {
  key: string;
  window_start: number;
  count: number;
}

export interface JobRow {
  id: string;
  name: string;
  payload: string;
  status: string;
  unique_key: string | null;
  run_at: string;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  locked_by: string | null;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface TagRow {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  created_at: string;
  updated_at: string;
}

export interface PostRow {
  id: string;
  title: string;
  slug: string;
  status: string;
  visibility: string;
  body: string;
  html: string;
  plaintext: string;
  word_count: number;
  custom_excerpt: string | null;
  feature_image: string | null;
  feature_image_alt: string | null;
  meta_title: string | null;
  meta_description: string | null;
  og_title: string | null;
  og_description: string | null;
  og_image: string | null;
  twitter_title: string | null;
  twitter_description: string | null;
  twitter_image: string | null;
  is_demo: number;
  published_at: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface PostTagRow {
  post_id: string;
  tag_id: string;
  sort_order: number;
}

export interface PostAuthorRow {
  post_id: string;
  staff_id: string;
  sort_order: number;
}

export interface PostRevisionRow {
  id: Generated<number>;
  post_id: string;
  title: string;
  body: string;
  staff_id: string | null;
  created_at: string;
}

export interface PostSlugRedirectRow {
  slug: string;
  post_id: string;
}
