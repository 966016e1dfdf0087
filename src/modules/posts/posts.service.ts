import { randomUUID } from 'node:crypto';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../platform/errors.js';
import type { JobQueue } from '../../platform/jobs/index.js';
import type { Logger } from '../../platform/logger.js';
import { slugify, uniqueSlug } from '../../platform/slug.js';
import type { StaffIdentity, StaffService } from '../staff/index.js';
import {
  canAssignOtherAuthors,
  canDeletePost,
  canEditPost,
  canPublishPost,
} from '../staff/index.js';
import type { TagsService } from '../tags/index.js';
import { anonymousCanRead, readerView, type CanRead } from './posts.access.js';
import {
  documentPlainText,
  emptyDocument,
  parseMarkdownPost,
  renderDocumentHtml,
  wordCount,
  readingTimeMinutes,
  type PostDocument,
} from './document/index.js';
import * as repo from './posts.repository.js';
import type { PostCreateInput, PostPatchInput } from './posts.schema.js';
import type {
  ArchiveMonth,
  Page,
  Post,
  PostAuthor,
  PostPreview,
  PostStatus,
  PreviewReader,
  PostTag,
  PublicPost,
  PublishedQuery,
  Visibility,
} from './posts.types.js';

export const PUBLISH_JOB = 'posts.publish-scheduled';
const REVISION_WINDOW_MS = 10 * 60_000;
const publishKey = (postId: string) => `post-publish:${postId}`;
/** Staff ids are UUIDs; a slug can be 36 characters with hyphens too, so length is not enough. */
const STAFF_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface PostsServiceDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  jobs: JobQueue;
  tags: TagsService;
  staff: StaffService;
  /** Called after anything a reader can see changed (the page cache listens). */
  onChange: () => Promise<void>;
  /** Emailing posts on publishing; unset when no newsletter transport is configured. */
  email?: PostEmailHooks;
}

/** What publishing needs of the email module (wired in the composition root). */
export interface PostEmailHooks {
  /** Throws a 400 naming the field when this newsletter or segment cannot be sent to. */
  check(target: { newsletterId: string; segment: string }): Promise<void>;
  /**
   * Called inside the transaction that publishes a post whose email has not gone yet: it
   * queues the send there, so the post is never published without it, nor emailed unpublished.
   */
  published(executor: Db, postId: string): Promise<void>;
}

export interface ListFilter {
  page: number;
  limit: number;
  status?: PostStatus;
  tag?: string;
  author?: string;
  search?: string;
  order: 'published_desc' | 'updated_desc' | 'created_desc';
}

function rendered(doc: PostDocument) {
  return {
    body: JSON.stringify(doc),
    html: renderDocumentHtml(doc),
    plaintext: documentPlainText(doc),
    word_count: wordCount(doc),
  };
}

const pageOf = <T>(items: T[], total: number, page: number, limit: number): Page<T> => ({
  items,
  total,
  page,
  limit,
  pages: Math.max(1, Math.ceil(total / limit)),
});

export class PostsService {
  constructor(private readonly deps: PostsServiceDeps) {}

  private now() {
    return this.deps.clock.now();
  }

  // --- reading ------------------------------------------------------------------------

  private async hydrate(rows: repo.PostRecord[], db: Db = this.deps.db): Promise<Post[]> {
    const ids = rows.map((r) => r.id);
    const [tags, authors, tiers] = await Promise.all([
      repo.tagsOfPosts(db, ids),
      repo.authorsOfPosts(db, ids),
      repo.tiersOfPosts(db, ids),
    ]);
    return rows.map((row) =>
      toPost(row, tags.get(row.id) ?? [], authors.get(row.id) ?? [], tiers.get(row.id) ?? []),
    );
  }

  async get(id: string, db: Db = this.deps.db): Promise<Post> {
    const row = await repo.findPostById(db, id);
    if (!row) throw notFound('Post');
    return (await this.hydrate([row], db))[0]!;
  }

  async list(filter: ListFilter): Promise<Page<Post>> {
    const { rows, total } = await repo.listPosts(this.deps.db, {
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.tag ? { tagSlug: filter.tag } : {}),
      ...(filter.author
        ? STAFF_ID.test(filter.author)
          ? { authorId: filter.author }
          : { authorSlug: filter.author }
        : {}),
      ...(filter.search ? { search: filter.search } : {}),
      order: filter.order,
      limit: filter.limit,
      offset: (filter.page - 1) * filter.limit,
    });
    return pageOf(await this.hydrate(rows), total, filter.page, filter.limit);
  }

  async revisions(id: string) {
    await this.get(id);
    const rows = await repo.listRevisions(this.deps.db, id);
    return rows.map((r) => ({ ...r, body: JSON.parse(r.body) as PostDocument }));
  }

  async listPublished(query: PublishedQuery): Promise<Page<PublicPost>> {
    const month = query.month;
    const { rows, total } = await repo.listPosts(this.deps.db, {
      status: 'published',
      ...(query.tagSlug ? { tagSlug: query.tagSlug } : {}),
      ...(query.authorSlug ? { authorSlug: query.authorSlug } : {}),
      ...(month
        ? {
            publishedFrom: new Date(Date.UTC(month.year, month.month - 1, 1)).toISOString(),
            publishedTo: new Date(Date.UTC(month.year, month.month, 1)).toISOString(),
          }
        : {}),
      order: 'published_desc',
      limit: query.limit,
      offset: (query.page - 1) * query.limit,
    });
    const posts = await this.hydrate(rows);
    return pageOf(
      posts.map((p) => toPublicPost(p, anonymousCanRead)),
      total,
      query.page,
      query.limit,
    );
  }

  /**
   * A published post as a reader sees it. `canRead` is the members' access decision for
   * this reader; lists and feeds always use the anonymous one.
   */
  async getPublished(
    slug: string,
    canRead: CanRead = anonymousCanRead,
  ): Promise<PublicPost | undefined> {
    const row = await repo.findPublishedBySlug(this.deps.db, slug);
    if (!row) return undefined;
    return toPublicPost((await this.hydrate([row]))[0]!, canRead);
  }

  /**
   * Any post, draft or not, as a reader of the given kind would see it once published. The
   * date is the one it will carry: its scheduled or published time, or now for a draft.
   */
  async preview(id: string, reader: PreviewReader): Promise<PostPreview> {
    const post = await this.get(id);
    const canRead: CanRead =
      reader === 'paid'
        ? () => true
        : reader === 'member'
          ? (visibility) => visibility !== 'paid'
          : anonymousCanRead;
    return {
      post: toPublicPost(
        { ...post, published_at: post.published_at ?? this.now().toISOString() },
        canRead,
      ),
      status: post.status,
      reader,
    };
  }

  async redirectFor(oldSlug: string): Promise<string | undefined> {
    return (await repo.findRedirectTarget(this.deps.db, oldSlug))?.slug;
  }

  archiveMonths(): Promise<ArchiveMonth[]> {
    return repo.archiveMonths(this.deps.db);
  }

  sitemapEntries() {
    return repo.publishedSitemap(this.deps.db);
  }

  sitemapTags() {
    return repo.tagsWithPublishedPosts(this.deps.db);
  }

  sitemapAuthors() {
    return repo.authorsWithPublishedPosts(this.deps.db);
  }

  count() {
    return repo.countPosts(this.deps.db);
  }

  // --- writing ------------------------------------------------------------------------

  async create(
    actor: StaffIdentity,
    input: PostCreateInput,
    options: { isDemo?: boolean } = {},
  ): Promise<Post> {
    const doc =
      input.markdown !== undefined
        ? parseMarkdownPost(input.markdown).document
        : (input.body ?? emptyDocument());
    // The demo post ships before anyone has an account: it is the publication's, no one's.
    const authorIds = options.isDemo ? [] : await this.resolveAuthors(actor, input.authors);
    const status = input.status ?? 'draft';
    if (
      status !== 'draft' &&
      !options.isDemo &&
      !canPublishPost(actor, { authorIds, status: 'draft' })
    ) {
      throw forbidden(
        'Your role cannot publish or schedule posts; save it as a draft for an editor',
      );
    }
    const publishedAt = this.publishedAtFor(status, input.published_at ?? null);
    const slug = await this.chooseSlug(input.slug, input.title);
    const email = await this.emailTarget(input, null);
    const now = this.now().toISOString();
    const id = randomUUID();

    const post = await this.deps.db.transaction().execute(async (trx) => {
      await repo.insertPost(trx, {
        id,
        title: input.title,
        slug,
        status,
        visibility: input.visibility ?? 'public',
        ...rendered(doc),
        custom_excerpt: input.custom_excerpt ?? null,
        feature_image: input.feature_image ?? null,
        feature_image_alt: input.feature_image_alt ?? null,
        meta_title: input.meta_title ?? null,
        meta_description: input.meta_description ?? null,
        og_title: input.og_title ?? null,
        og_description: input.og_description ?? null,
        og_image: input.og_image ?? null,
        twitter_title: input.twitter_title ?? null,
        twitter_description: input.twitter_description ?? null,
        twitter_image: input.twitter_image ?? null,
        is_demo: options.isDemo ? 1 : 0,
        published_at: publishedAt,
        created_by: options.isDemo ? null : actor.id,
        created_at: now,
        updated_at: now,
        ...email,
      });
      const tags = await this.deps.tags.resolveNames(trx, input.tags ?? []);
      await repo.setPostTags(
        trx,
        id,
        tags.map((t) => t.id),
      );
      await repo.setPostAuthors(trx, id, authorIds);
      await setTiers(trx, id, input.tiers ?? []);
      await repo.removeSlugRedirect(trx, slug);
      await repo.insertRevision(trx, {
        post_id: id,
        title: input.title,
        body: JSON.stringify(doc),
        staff_id: options.isDemo ? null : actor.id,
        created_at: now,
      });
      if (status === 'scheduled') await this.schedule(trx, id, publishedAt!);
      if (status === 'published') await this.emailOnPublish(trx, id);
      return this.get(id, trx);
    });
    if (status === 'published') await this.deps.onChange();
    this.deps.logger.info({ post: id, status }, 'post created');
    return post;
  }

  async update(actor: StaffIdentity, id: string, patch: PostPatchInput): Promise<Post> {
    const current = await this.get(id);
    const facts = { authorIds: current.authors.map((a) => a.id), status: current.status };
    if (!canEditPost(actor, facts)) throw forbidden('You cannot edit this post');

    const status = patch.status ?? current.status;
    const statusChanged = status !== current.status;
    const timeChanged =
      patch.published_at !== undefined && patch.published_at !== current.published_at;
    if ((statusChanged || (timeChanged && status !== 'draft')) && !canPublishPost(actor, facts)) {
      throw forbidden('Your role cannot publish, schedule or unpublish this post');
    }
    const authorIds = patch.authors ? await this.resolveAuthors(actor, patch.authors) : undefined;

    let publishedAt = current.published_at;
    if (statusChanged || timeChanged) {
      const requested =
        patch.published_at !== undefined
          ? patch.published_at
          : statusChanged && status === 'published'
            ? null
            : current.published_at;
      publishedAt = this.publishedAtFor(status, requested);
    }
    let slug = current.slug;
    if (patch.slug !== undefined && patch.slug !== current.slug) {
      slug = await this.chooseSlug(patch.slug, patch.title ?? current.title, id);
    }
    const doc =
      patch.markdown !== undefined
        ? parseMarkdownPost(patch.markdown).document
        : (patch.body ?? undefined);
    const title = patch.title ?? current.title;
    const email = await this.emailTarget(patch, current);
    const now = this.now().toISOString();

    const {
      markdown: _m,
      body: _b,
      tags: tagNames,
      authors: _a,
      tiers: tierIds,
      email_newsletter_id: _n,
      email_segment: _s,
      email_subject: _j,
      ...columns
    } = patch;
    const post = await this.deps.db.transaction().execute(async (trx) => {
      await repo.updatePost(trx, id, {
        ...columns,
        title,
        slug,
        status,
        published_at: publishedAt,
        ...(doc ? rendered(doc) : {}),
        ...email,
        updated_at: now,
      });
      if (slug !== current.slug) {
        await repo.removeSlugRedirect(trx, slug);
        await repo.addSlugRedirect(trx, current.slug, id);
      }
      if (tagNames) {
        const tags = await this.deps.tags.resolveNames(trx, tagNames);
        await repo.setPostTags(
          trx,
          id,
          tags.map((t) => t.id),
        );
      }
      if (authorIds) await repo.setPostAuthors(trx, id, authorIds);
      if (tierIds) await setTiers(trx, id, tierIds);
      await this.keepRevision(trx, {
        post_id: id,
        title,
        body: doc ? JSON.stringify(doc) : JSON.stringify(current.body),
        staff_id: actor.id,
        created_at: now,
      });
      if (status === 'scheduled') await this.schedule(trx, id, publishedAt!);
      else if (current.status === 'scheduled') await this.deps.jobs.cancel(publishKey(id), trx);
      if (status === 'published' && current.status !== 'published') {
        await this.emailOnPublish(trx, id);
      }
      return this.get(id, trx);
    });
    if (current.status === 'published' || status === 'published') await this.deps.onChange();
    return post;
  }

  async remove(actor: StaffIdentity, id: string): Promise<void> {
    const current = await this.get(id);
    if (
      !canDeletePost(actor, { authorIds: current.authors.map((a) => a.id), status: current.status })
    ) {
      throw forbidden('You cannot delete this post');
    }
    await this.deps.db.transaction().execute(async (trx) => {
      await this.deps.jobs.cancel(publishKey(id), trx);
      await repo.deletePost(trx, id);
    });
    if (current.status === 'published') await this.deps.onChange();
  }

  /** Markdown with front matter → a post; `--publish` and `--tags` override the file. */
  async importMarkdown(
    actor: StaffIdentity,
    source: string,
    options: { publish?: boolean; tags?: string[]; isDemo?: boolean } = {},
  ): Promise<Post> {
    const { frontMatter: fm, document } = parseMarkdownPost(source);
    if (!fm.title)
      throw badRequest(
        'The file has no title: add `title:` to the front matter or start with a # heading',
        'title',
      );
    const authors = fm.authors?.length ? await this.deps.staff.resolveRefs(fm.authors) : undefined;
    const publishedAt = fm.publishedAt ?? null;
    const future = publishedAt !== null && Date.parse(publishedAt) > this.now().getTime();
    return this.create(
      actor,
      {
        title: fm.title,
        ...(fm.slug ? { slug: fm.slug } : {}),
        body: document,
        status: options.publish ? (future ? 'scheduled' : 'published') : 'draft',
        ...(fm.visibility ? { visibility: fm.visibility } : {}),
        published_at: publishedAt,
        custom_excerpt: fm.excerpt ?? null,
        feature_image: fm.featureImage ?? null,
        feature_image_alt: fm.featureImageAlt ?? null,
        meta_title: fm.metaTitle ?? null,
        meta_description: fm.metaDescription ?? null,
        og_title: fm.ogTitle ?? null,
        og_description: fm.ogDescription ?? null,
        og_image: fm.ogImage ?? null,
        twitter_title: fm.twitterTitle ?? null,
        twitter_description: fm.twitterDescription ?? null,
        twitter_image: fm.twitterImage ?? null,
        tags: [...(fm.tags ?? []), ...(options.tags ?? [])],
        ...(authors ? { authors } : {}),
      },
      { isDemo: options.isDemo ?? false },
    );
  }

  /** The scheduled-publish job. Idempotent: a rerun after a crash finds the post published. */
  async publishScheduled(postId: string): Promise<void> {
    const post = await repo.findPostById(this.deps.db, postId);
    if (!post || post.status !== 'scheduled') return;
    if (post.published_at && Date.parse(post.published_at) > this.now().getTime()) return;
    await this.deps.db.transaction().execute(async (trx) => {
      await repo.updatePost(trx, postId, {
        status: 'published',
        updated_at: this.now().toISOString(),
      });
      await this.emailOnPublish(trx, postId);
    });
    this.deps.logger.info({ post: postId }, 'scheduled post published');
    await this.deps.onChange();
  }

  /** Records the send made for a post's publishing (the email module calls this). */
  async recordEmailSend(executor: Db, postId: string, sendId: string): Promise<void> {
    await repo.updatePost(executor, postId, { email_send_id: sendId });
  }

  // --- helpers ------------------------------------------------------------------------

  /**
   * The editor saves every few seconds while someone types: a revision per save would bury
   * the history (and the database) in near-copies. One person's saves within
   * REVISION_WINDOW_MS of their last revision replace it; a pause, or another person, starts
   * a new one.
   */
  private async keepRevision(
    trx: Db,
    row: { post_id: string; title: string; body: string; staff_id: string; created_at: string },
  ): Promise<void> {
    const last = await repo.latestRevision(trx, row.post_id);
    if (
      last &&
      last.staff_id === row.staff_id &&
      Date.parse(row.created_at) - Date.parse(last.created_at) < REVISION_WINDOW_MS
    ) {
      await repo.replaceRevision(trx, last.id, row);
    } else {
      await repo.insertRevision(trx, row);
    }
  }

  /**
   * The email columns a write sets, checked: the newsletter must exist and the segment make
   * sense, a transport must be configured, and a post already emailed keeps what it was
   * sent with.
   */
  private async emailTarget(
    input: Pick<PostPatchInput, 'email_newsletter_id' | 'email_segment' | 'email_subject'>,
    current: Post | null,
  ): Promise<
    Partial<Pick<repo.PostRecord, 'email_newsletter_id' | 'email_segment' | 'email_subject'>>
  > {
    const touched =
      input.email_newsletter_id !== undefined ||
      input.email_segment !== undefined ||
      input.email_subject !== undefined;
    if (!touched) return {};
    const newsletterId =
      input.email_newsletter_id !== undefined
        ? input.email_newsletter_id
        : (current?.email_newsletter_id ?? null);
    const segment = input.email_segment ?? current?.email_segment ?? 'all';
    if (current?.email_send_id) {
      const same =
        newsletterId === current.email_newsletter_id &&
        segment === current.email_segment &&
        (input.email_subject === undefined || input.email_subject === current.email_subject);
      if (!same) {
        throw conflict('This post has already been emailed; its email settings cannot change');
      }
    }
    if (newsletterId !== null) {
      if (!this.deps.email) {
        throw badRequest(
          'No newsletter transport is configured: set SMTP_URL or POSTMARK_SERVER_TOKEN to email posts',
          'email_newsletter_id',
        );
      }
      await this.deps.email.check({ newsletterId, segment });
    }
    return {
      email_newsletter_id: newsletterId,
      email_segment: segment,
      ...(input.email_subject !== undefined ? { email_subject: input.email_subject } : {}),
    };
  }

  private async emailOnPublish(trx: Db, postId: string): Promise<void> {
    const row = await repo.findPostById(trx, postId);
    if (!row?.email_newsletter_id || row.email_send_id !== null) return;
    // The target was checked when it was set; a transport removed since leaves it unsent.
    if (!this.deps.email) {
      this.deps.logger.warn({ post: postId }, 'post not emailed: no newsletter transport');
      return;
    }
    await this.deps.email.published(trx, postId);
  }

  private async schedule(trx: Db, postId: string, at: string) {
    await this.deps.jobs.enqueue(
      PUBLISH_JOB,
      { postId },
      { runAt: new Date(at), uniqueKey: publishKey(postId), maxAttempts: 10, executor: trx },
    );
  }

  private publishedAtFor(status: PostStatus, requested: string | null): string | null {
    const now = this.now();
    if (status === 'scheduled') {
      if (!requested) throw badRequest('A scheduled post needs published_at', 'published_at');
      if (Date.parse(requested) <= now.getTime()) {
        throw badRequest(
          'published_at must be in the future to schedule; publish it instead',
          'published_at',
        );
      }
      return new Date(requested).toISOString();
    }
    if (status === 'published')
      return requested ? new Date(requested).toISOString() : now.toISOString();
    return requested ? new Date(requested).toISOString() : null;
  }

  private async chooseSlug(
    requested: string | undefined,
    title: string,
    exceptId?: string,
  ): Promise<string> {
    if (requested !== undefined) {
      if (await repo.postSlugTaken(this.deps.db, requested, exceptId)) {
        throw conflict(`The slug "${requested}" is already used by another post`, 'slug');
      }
      return requested;
    }
    return uniqueSlug(slugify(title) || 'untitled', (s) =>
      repo.postSlugTaken(this.deps.db, s, exceptId),
    );
  }

  private async resolveAuthors(
    actor: StaffIdentity,
    requested: string[] | undefined,
  ): Promise<string[]> {
    if (!requested) return [actor.id];
    const ids = [...new Set(requested)];
    if (!canAssignOtherAuthors(actor) && ids.some((id) => id !== actor.id)) {
      throw forbidden('Your role can only list yourself as author');
    }
    const found = await this.deps.staff.findByIds(ids);
    const missing = ids.find((id) => !found.some((s) => s.id === id));
    if (missing)
      throw new AppError('unknown_author', `No staff member with id ${missing}`, {
        status: 400,
        field: 'authors',
      });
    return ids;
  }
}

/** An unknown tier is the caller's mistake: a 400 naming the field, not a constraint error. */
async function setTiers(trx: Db, postId: string, tierIds: readonly string[]): Promise<void> {
  try {
    await repo.setPostTiers(trx, postId, [...new Set(tierIds)]);
  } catch (error) {
    if (/foreign key/i.test(String(error))) throw badRequest('tiers: unknown tier id', 'tiers');
    throw error;
  }
}

function toPost(
  row: repo.PostRecord,
  tags: PostTag[],
  authors: PostAuthor[],
  tiers: string[],
): Post {
  const body = JSON.parse(row.body) as PostDocument;
  const view = readerView(row.visibility as Visibility, true, body, row.custom_excerpt, row.html);
  return {
    id: row.id,
    title: row.title,
    slug: row.slug,
    status: row.status as PostStatus,
    visibility: row.visibility as Visibility,
    body,
    html: row.html,
    excerpt: view.excerpt,
    custom_excerpt: row.custom_excerpt,
    feature_image: row.feature_image,
    feature_image_alt: row.feature_image_alt,
    word_count: row.word_count,
    reading_time: readingTimeMinutes(body),
    published_at: row.published_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
    is_demo: row.is_demo === 1,
    meta_title: row.meta_title,
    meta_description: row.meta_description,
    og_title: row.og_title,
    og_description: row.og_description,
    og_image: row.og_image,
    twitter_title: row.twitter_title,
    twitter_description: row.twitter_description,
    twitter_image: row.twitter_image,
    tags,
    authors,
    tiers,
    email_newsletter_id: row.email_newsletter_id,
    email_segment: row.email_segment ?? 'all',
    email_subject: row.email_subject,
    email_send_id: row.email_send_id,
  };
}

/** What a reader may see of a published post. */
function toPublicPost(post: Post, canRead: CanRead): PublicPost {
  const view = readerView(
    post.visibility,
    canRead(post.visibility, post.tiers),
    post.body,
    post.custom_excerpt,
    post.html,
  );
  const {
    body: _body,
    html: _html,
    status: _status,
    custom_excerpt: _ce,
    created_at: _ca,
    ...rest
  } = post;
  return {
    ...rest,
    html: view.html,
    full: view.full,
    excerpt: view.excerpt,
    published_at: post.published_at!,
  };
}
