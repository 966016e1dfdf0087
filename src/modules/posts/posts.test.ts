import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  OWNER,
  ownerClient,
  type TestApp,
  type TestClient,
} from '../../../test/support/app.js';
import { engines } from '../../../test/support/database.js';
import {
  addStaff,
  createPost,
  doc,
  expectError,
  expectNoInternals,
  fetchPage,
  heading,
  HOUR,
  json,
  ManualClock,
  MINUTE,
  normalizeHtml,
  paragraph,
  paywall,
  updatePost,
  type Member,
} from '../../../test/support/fixtures.js';
import type { Post } from './index.js';

interface ListResponse {
  posts: Post[];
  meta: { page: number; limit: number; pages: number; total: number };
}

interface JobView {
  id: string;
  name: string;
  status: string;
  run_at: string;
  last_error: string | null;
  payload: { postId: string };
}

const PUBLISH_JOB = 'posts.publish-scheduled';

/** Every public URL a post can show up at, and the feeds and sitemap. */
const FEEDS = ['/rss.xml', '/atom.xml', '/feed.json'] as const;

const getText = fetchPage;

describe.each(engines)('posts on %s', (dialect) => {
  describe('through the admin API', () => {
    let t: TestApp;
    let owner: TestClient;
    let editor: Member;
    let author: Member;
    let author2: Member;
    let contributor: Member;

    beforeAll(async () => {
      t = await createTestApp(dialect, { clock: new ManualClock() });
      owner = await ownerClient(t);
      editor = await addStaff(t, owner, 'editor');
      author = await addStaff(t, owner, 'author');
      author2 = await addStaff(t, owner, 'author');
      contributor = await addStaff(t, owner, 'contributor');
    });
    afterAll(async () => {
      await t.close();
    });

    describe('writing', () => {
      it('creates a post from a TipTap document', async () => {
        const body = doc(
          heading('Background'),
          paragraph('The ministry published the full transcript on Tuesday.'),
        );
        const post = await createPost(owner, { title: 'Reading the transcript', body });
        expect(post).toMatchObject({
          title: 'Reading the transcript',
          slug: 'reading-the-transcript',
          status: 'draft',
          visibility: 'public',
          published_at: null,
          body,
        });
        expect(post.html).toMatch(/<h2 id="[^"]+">Background<\/h2>/);
        expect(post.html).toContain(
          '<p>The ministry published the full transcript on Tuesday.</p>',
        );
        expect(post.word_count).toBe(9);
        expect(post.authors.map((a) => a.name)).toEqual([OWNER.name]);

        const fetched = await json<{ post: Post }>(await owner.get(`/api/admin/posts/${post.id}`));
        expect(fetched.post).toEqual(post);
      });

      it('creates a post from Markdown', async () => {
        const post = await createPost(owner, {
          title: 'From Markdown',
          markdown: 'Intro with **bold** text.\n\n## A section\n\n- first\n- second\n',
        });
        expect(post.body.content.map((n) => n.type)).toEqual([
          'paragraph',
          'heading',
          'bulletList',
        ]);
        expect(post.html).toContain('<strong>bold</strong>');
        expect(post.html).toMatch(/<h2 id="[^"]+">A section<\/h2>/);
        expect(post.html).toContain('<li><p>first</p></li>');
      });

      it('refuses body and markdown together', async () => {
        const res = await owner.post('/api/admin/posts', {
          title: 'Both',
          body: doc(paragraph('x')),
          markdown: 'y',
        });
        await expectError(res, 400, { code: 'invalid_input', field: 'markdown' });
      });

      it('derives the slug from the title and keeps it unique with -2, -3', async () => {
        const title = 'Lavrov’s Press Conference, Annotated';
        const first = await createPost(owner, { title });
        const second = await createPost(owner, { title });
        const third = await createPost(owner, { title });
        expect([first.slug, second.slug, third.slug]).toEqual([
          'lavrovs-press-conference-annotated',
          'lavrovs-press-conference-annotated-2',
          'lavrovs-press-conference-annotated-3',
        ]);
        const untitled = await createPost(owner, { title: '日本語' });
        expect(untitled.slug).toMatch(/^untitled(-\d+)?$/);
      });

      it('answers an explicit duplicate slug with 409 naming the slug', async () => {
        await createPost(owner, { title: 'Taken', slug: 'taken-slug' });
        const err = await expectError(
          await owner.post('/api/admin/posts', { title: 'Another', slug: 'taken-slug' }),
          409,
          { code: 'conflict', field: 'slug' },
        );
        expect(err.error.message).toContain('taken-slug');

        const other = await createPost(owner, { title: 'Other' });
        const patch = await expectError(
          await owner.patch(`/api/admin/posts/${other.id}`, { slug: 'taken-slug' }),
          409,
          { field: 'slug' },
        );
        expect(patch.error.message).toContain('taken-slug');
        // Its own slug is not a conflict.
        expect(
          (await owner.patch(`/api/admin/posts/${other.id}`, { slug: other.slug })).status,
        ).toBe(200);
      });

      it('normalises and validates explicit slugs', async () => {
        const post = await createPost(owner, { title: 'Cased', slug: 'Mixed-Case-Slug' });
        expect(post.slug).toBe('mixed-case-slug');
        await expectError(
          await owner.post('/api/admin/posts', { title: 'x', slug: 'has space' }),
          400,
          {
            field: 'slug',
          },
        );
        await expectError(
          await owner.post('/api/admin/posts', { title: 'x', slug: '../etc' }),
          400,
          {
            field: 'slug',
          },
        );
      });

      it('keeps a revision per editing session, not per autosave', async () => {
        const first = doc(paragraph('First draft.'));
        const second = doc(paragraph('Second draft, much better.'));
        const post = await createPost(owner, { title: 'Revised', body: first });
        // The same person saving again within ten minutes replaces their revision.
        await updatePost(owner, post.id, { title: 'Revised twice' });
        // Someone else's save starts a new one.
        await updatePost(editor.client, post.id, { body: second });
        // So does a save after a pause.
        (t.pressroom.clock as ManualClock).advance(11 * 60_000);
        await updatePost(editor.client, post.id, { title: 'After lunch' });

        const res = await owner.get(`/api/admin/posts/${post.id}/revisions`);
        expect(res.status).toBe(200);
        const { revisions } = await json<{
          revisions: { title: string; body: unknown; staff_id: string }[];
        }>(res);
        expect(revisions.map((r) => r.title)).toEqual([
          'After lunch',
          'Revised twice',
          'Revised twice',
        ]);
        expect(revisions.map((r) => r.body)).toEqual([second, second, first]);
        expect(revisions[0]!.staff_id).toBe(editor.id);
        expect(revisions[1]!.staff_id).toBe(editor.id);
        expect(revisions[2]!.staff_id).not.toBe(editor.id);
        await expectError(await owner.get('/api/admin/posts/no-such-post/revisions'), 404);
      });

      it('creates tags inline by name, reusing existing ones', async () => {
        const post = await createPost(owner, {
          title: 'Tagged',
          tags: ['Foreign Policy', 'Inline Russia', 'foreign policy'],
        });
        expect(post.tags.map((tag) => [tag.slug, tag.name])).toEqual([
          ['foreign-policy', 'Foreign Policy'],
          ['inline-russia', 'Inline Russia'],
        ]);
        const again = await createPost(owner, { title: 'Tagged again', tags: ['Inline Russia'] });
        expect(again.tags[0]!.id).toBe(post.tags[1]!.id);

        const { tags } = await json<{ tags: { slug: string; post_count: number }[] }>(
          await owner.get('/api/admin/tags?limit=200'),
        );
        expect(tags.find((tag) => tag.slug === 'inline-russia')?.post_count).toBe(2);

        const retagged = await updatePost(owner, post.id, { tags: ['Inline Russia'] });
        expect(retagged.tags.map((tag) => tag.slug)).toEqual(['inline-russia']);
      });

      it('keeps several authors in byline order', async () => {
        const post = await createPost(owner, {
          title: 'Co-written',
          authors: [author2.id, author.id],
        });
        expect(post.authors.map((a) => a.id)).toEqual([author2.id, author.id]);
        const swapped = await updatePost(editor.client, post.id, {
          authors: [author.id, author2.id],
        });
        expect(swapped.authors.map((a) => a.id)).toEqual([author.id, author2.id]);

        await expectError(
          await owner.post('/api/admin/posts', { title: 'Ghost', authors: ['no-such-staff'] }),
          400,
          { field: 'authors' },
        );
        await expectError(
          await owner.post('/api/admin/posts', { title: 'Nobody', authors: [] }),
          400,
          {
            field: 'authors',
          },
        );
      });

      it('stores visibility and the SEO fields', async () => {
        const seo = {
          custom_excerpt: 'A custom excerpt.',
          feature_image: 'https://cdn.example.com/feature.jpg',
          feature_image_alt: 'A podium',
          meta_title: 'Meta title',
          meta_description: 'Meta description',
          og_title: 'OG title',
          og_description: 'OG description',
          og_image: '/content/og.png',
          twitter_title: 'Twitter title',
          twitter_description: 'Twitter description',
          twitter_image: 'https://cdn.example.com/tw.png',
        };
        const post = await createPost(owner, {
          title: 'Well described',
          visibility: 'members',
          ...seo,
        });
        expect(post).toMatchObject({ visibility: 'members', ...seo });
        const fetched = await json<{ post: Post }>(await owner.get(`/api/admin/posts/${post.id}`));
        expect(fetched.post).toMatchObject({ visibility: 'members', ...seo });

        const patched = await updatePost(owner, post.id, {
          visibility: 'paid',
          meta_title: null,
          og_description: 'New OG description',
        });
        expect(patched).toMatchObject({
          visibility: 'paid',
          meta_title: null,
          og_description: 'New OG description',
          meta_description: 'Meta description',
        });
      });

      it('deletes a post with its tags, authors and revisions', async () => {
        const post = await createPost(owner, { title: 'Doomed', tags: ['Doomed Tag'] });
        expect((await owner.delete(`/api/admin/posts/${post.id}`)).status).toBe(204);
        await expectError(await owner.get(`/api/admin/posts/${post.id}`), 404, {
          code: 'not_found',
        });
        await expectError(await owner.delete(`/api/admin/posts/${post.id}`), 404);
        for (const table of ['post_tags', 'post_authors', 'post_revisions'] as const) {
          const rows = await t.pressroom.db
            .selectFrom(table)
            .select('post_id')
            .where('post_id', '=', post.id)
            .execute();
          expect(rows, table).toEqual([]);
        }
      });

      it('imports Markdown with front matter', async () => {
        const res = await owner.post('/api/admin/posts/import', {
          markdown:
            '---\ntitle: Imported Piece\nslug: imported-piece\ntags: [Imports]\n---\n\nBody text.\n',
        });
        expect(res.status).toBe(201);
        const { post } = await json<{ post: Post }>(res);
        expect(post).toMatchObject({
          title: 'Imported Piece',
          slug: 'imported-piece',
          status: 'draft',
        });
        expect(post.tags.map((tag) => tag.slug)).toEqual(['imports']);
      });
    });

    describe('listing', () => {
      let writerA: Member;
      let writerB: Member;
      let ids: string[];

      beforeAll(async () => {
        writerA = await addStaff(t, owner, 'author');
        writerB = await addStaff(t, owner, 'author');
        ids = [];
        const make = async (by: Member, title: string, status: string) =>
          ids.push((await createPost(by.client, { title, status, tags: ['Filter Set'] })).id);
        await make(writerA, 'Filter A1', 'published');
        await make(writerA, 'Filter A2', 'published');
        await make(writerA, 'Filter A3', 'draft');
        await make(writerB, 'Filter B1', 'draft');
        await make(writerB, 'Filter B2', 'draft');
      });

      const list = async (query: string) => {
        const res = await owner.get(`/api/admin/posts?${query}`);
        expect(res.status).toBe(200);
        return json<ListResponse>(res);
      };
      const titles = (r: ListResponse) => r.posts.map((p) => p.title).sort();

      it('filters by tag', async () => {
        const r = await list('tag=filter-set');
        expect(r.meta.total).toBe(5);
        expect(titles(r)).toEqual([
          'Filter A1',
          'Filter A2',
          'Filter A3',
          'Filter B1',
          'Filter B2',
        ]);
      });

      it('filters by status', async () => {
        expect(titles(await list('tag=filter-set&status=published'))).toEqual([
          'Filter A1',
          'Filter A2',
        ]);
        expect(titles(await list('tag=filter-set&status=draft'))).toEqual([
          'Filter A3',
          'Filter B1',
          'Filter B2',
        ]);
        const published = await list('status=published&limit=100');
        expect(published.posts.every((p) => p.status === 'published')).toBe(true);
      });

      it('filters by author slug or id', async () => {
        expect(titles(await list(`author=${writerA.slug}`))).toEqual([
          'Filter A1',
          'Filter A2',
          'Filter A3',
        ]);
        expect(titles(await list(`author=${writerB.id}`))).toEqual(['Filter B1', 'Filter B2']);
        expect((await list('author=nobody-at-all')).meta.total).toBe(0);
      });

      it('filters by an author slug that is as long as a UUID', async () => {
        const res = await owner.post('/api/admin/staff', {
          email: 'alexandra@example.com',
          name: 'Alexandra Konstantinopolskaya Petrov',
          role: 'author',
        });
        const { staff } = await json<{ staff: { id: string; slug: string } }>(res);
        expect(staff.slug).toHaveLength(36);
        await createPost(owner, { title: 'By Alexandra', authors: [staff.id] });
        expect(titles(await list(`author=${staff.slug}`))).toEqual(['By Alexandra']);
        expect(titles(await list(`author=${staff.id}`))).toEqual(['By Alexandra']);
      });

      it('paginates with meta', async () => {
        const pages = [
          await list('tag=filter-set&limit=2&page=1'),
          await list('tag=filter-set&limit=2&page=2'),
          await list('tag=filter-set&limit=2&page=3'),
        ];
        expect(pages.map((p) => p.meta)).toEqual([
          { page: 1, limit: 2, pages: 3, total: 5 },
          { page: 2, limit: 2, pages: 3, total: 5 },
          { page: 3, limit: 2, pages: 3, total: 5 },
        ]);
        expect(pages.map((p) => p.posts.length)).toEqual([2, 2, 1]);
        const seen = pages.flatMap((p) => p.posts.map((post) => post.id));
        expect(new Set(seen)).toEqual(new Set(ids));
        const beyond = await list('tag=filter-set&limit=2&page=4');
        expect(beyond.posts).toEqual([]);
      });

      it('searches titles case-insensitively, taking % and _ literally', async () => {
        for (const title of [
          'Discount 50% now',
          'Discount 50 percent',
          'Under_score title',
          'Underscore title',
        ]) {
          await createPost(writerB.client, { title });
        }
        expect(titles(await list('search=DISCOUNT'))).toEqual([
          'Discount 50 percent',
          'Discount 50% now',
        ]);
        expect(titles(await list(`search=${encodeURIComponent('50%')}`))).toEqual([
          'Discount 50% now',
        ]);
        expect(titles(await list('search=under_'))).toEqual(['Under_score title']);
      });

      it('refuses bad list parameters with 400 naming them', async () => {
        await expectError(await owner.get('/api/admin/posts?status=live'), 400, {
          field: 'status',
        });
        await expectError(await owner.get('/api/admin/posts?page=0'), 400, { field: 'page' });
        await expectError(await owner.get('/api/admin/posts?limit=1000'), 400, { field: 'limit' });
        await expectError(await owner.get('/api/admin/posts?page=abc'), 400, { field: 'page' });
      });
    });

    describe('roles', () => {
      it('lets a contributor write drafts but never publish', async () => {
        const c = contributor.client;
        const draft = await createPost(c, { title: 'Contributor draft' });
        expect(draft.authors.map((a) => a.id)).toEqual([contributor.id]);
        expect(
          (await c.patch(`/api/admin/posts/${draft.id}`, { title: 'Contributor draft, edited' }))
            .status,
        ).toBe(200);

        await expectError(
          await c.post('/api/admin/posts', { title: 'Contributor live', status: 'published' }),
          403,
          {
            code: 'forbidden',
          },
        );
        const soon = new Date(t.pressroom.clock.now().getTime() + HOUR).toISOString();
        await expectError(
          await c.post('/api/admin/posts', {
            title: 'Contributor later',
            status: 'scheduled',
            published_at: soon,
          }),
          403,
        );
        await expectError(
          await c.patch(`/api/admin/posts/${draft.id}`, { status: 'published' }),
          403,
        );
        await expectError(
          await c.patch(`/api/admin/posts/${draft.id}`, {
            status: 'scheduled',
            published_at: soon,
          }),
          403,
        );
        const titles = await t.pressroom.db
          .selectFrom('posts')
          .select('title')
          .where('title', 'like', 'Contributor %')
          .execute();
        expect(titles.map((r) => r.title)).toEqual(['Contributor draft, edited']);
        expect(
          (await json<{ post: Post }>(await c.get(`/api/admin/posts/${draft.id}`))).post.status,
        ).toBe('draft');

        await expectError(
          await c.post('/api/admin/posts', { title: 'Not mine', authors: [author.id] }),
          403,
        );
      });

      it('keeps a contributor out of other people’s posts and out of their own once published', async () => {
        const c = contributor.client;
        const others = await createPost(author.client, { title: 'Author’s draft for contributor' });
        await expectError(
          await c.patch(`/api/admin/posts/${others.id}`, { title: 'Mine now' }),
          403,
        );
        await expectError(await c.delete(`/api/admin/posts/${others.id}`), 403);

        const own = await createPost(c, { title: 'Contributor piece' });
        await updatePost(editor.client, own.id, { status: 'published' });
        await expectError(
          await c.patch(`/api/admin/posts/${own.id}`, { title: 'Sneaky edit' }),
          403,
        );
        await expectError(await c.delete(`/api/admin/posts/${own.id}`), 403);
        expect(
          (await json<{ post: Post }>(await c.get(`/api/admin/posts/${own.id}`))).post.title,
        ).toBe('Contributor piece');

        const mine = await createPost(c, { title: 'Contributor throwaway' });
        expect((await c.delete(`/api/admin/posts/${mine.id}`)).status).toBe(204);
      });

      it('lets an author edit and publish only their own posts', async () => {
        const a = author.client;
        const own = await createPost(a, { title: 'Author own', status: 'published' });
        expect(own.status).toBe('published');
        expect((await updatePost(a, own.id, { title: 'Author own, revised' })).title).toBe(
          'Author own, revised',
        );
        expect((await updatePost(a, own.id, { status: 'draft' })).status).toBe('draft');
        expect((await updatePost(a, own.id, { status: 'published' })).status).toBe('published');

        const others = await createPost(author2.client, { title: 'Someone else’s' });
        await expectError(
          await a.patch(`/api/admin/posts/${others.id}`, { title: 'Hijacked' }),
          403,
        );
        await expectError(
          await a.patch(`/api/admin/posts/${others.id}`, { status: 'published' }),
          403,
        );
        await expectError(await a.delete(`/api/admin/posts/${others.id}`), 403);
        await expectError(
          await a.patch(`/api/admin/posts/${own.id}`, { authors: [author.id, author2.id] }),
          403,
        );
        expect(
          (await json<{ post: Post }>(await a.get(`/api/admin/posts/${others.id}`))).post.status,
        ).toBe('draft');

        // A co-author's post is their own too.
        const shared = await createPost(owner, {
          title: 'Shared byline',
          authors: [author2.id, author.id],
        });
        expect((await updatePost(a, shared.id, { status: 'published' })).status).toBe('published');
        expect((await a.delete(`/api/admin/posts/${own.id}`)).status).toBe(204);
      });

      it('lets an editor edit, publish and delete anyone’s posts', async () => {
        const e = editor.client;
        const draft = await createPost(contributor.client, { title: 'Needs an editor' });
        const edited = await updatePost(e, draft.id, {
          title: 'Edited by the editor',
          status: 'published',
        });
        expect(edited).toMatchObject({ title: 'Edited by the editor', status: 'published' });
        expect(edited.authors.map((a) => a.id)).toEqual([contributor.id]);
        const byAuthor = await createPost(author.client, {
          title: 'Author piece for editor',
          status: 'published',
        });
        expect(
          (await updatePost(e, byAuthor.id, { authors: [author.id, author2.id] })).authors,
        ).toHaveLength(2);
        expect((await e.delete(`/api/admin/posts/${byAuthor.id}`)).status).toBe(204);
      });

      it('lets every staff role read posts', async () => {
        for (const m of [editor, author, contributor]) {
          expect((await m.client.get('/api/admin/posts')).status).toBe(200);
        }
      });
    });

    describe('bad input', () => {
      it('answers malformed JSON with 400 malformed_json', async () => {
        const res = await owner.post('/api/admin/posts', '{"title": "unterminated', {
          'content-type': 'application/json',
        });
        await expectError(res, 400, { code: 'malformed_json' });
        await expectError(
          await owner.post('/api/admin/posts', '', { 'content-type': 'application/json' }),
          400,
          {
            code: 'malformed_json',
          },
        );
        const post = await createPost(owner, { title: 'Patch me' });
        await expectError(
          await owner.request('PATCH', `/api/admin/posts/${post.id}`, '{', {
            'content-type': 'application/json',
          }),
          400,
          {
            code: 'malformed_json',
          },
        );
      });

      it('answers a wrong type with 400 naming the field', async () => {
        await expectError(await owner.post('/api/admin/posts', { title: 5 }), 400, {
          code: 'invalid_input',
          field: 'title',
        });
        await expectError(await owner.post('/api/admin/posts', { title: '   ' }), 400, {
          field: 'title',
        });
        await expectError(await owner.post('/api/admin/posts', { title: 'x'.repeat(301) }), 400, {
          field: 'title',
        });
        await expectError(
          await owner.post('/api/admin/posts', { title: 'x', status: 'live' }),
          400,
          { field: 'status' },
        );
        await expectError(
          await owner.post('/api/admin/posts', { title: 'x', visibility: 'secret' }),
          400,
          {
            field: 'visibility',
          },
        );
        await expectError(
          await owner.post('/api/admin/posts', { title: 'x', tags: 'one,two' }),
          400,
          { field: 'tags' },
        );
        await expectError(
          await owner.post('/api/admin/posts', { title: 'x', published_at: 'yesterday' }),
          400,
          {
            field: 'published_at',
          },
        );
        await expectError(
          await owner.post('/api/admin/posts', {
            title: 'x',
            feature_image: 'javascript:alert(1)',
          }),
          400,
          { field: 'feature_image' },
        );
        const post = await createPost(owner, { title: 'Typed' });
        await expectError(await owner.patch(`/api/admin/posts/${post.id}`, { title: 5 }), 400, {
          field: 'title',
        });
      });

      it('answers an unknown field with 400 naming it', async () => {
        const err = await expectError(
          await owner.post('/api/admin/posts', { title: 'x', colour: 'red' }),
          400,
          {
            code: 'invalid_input',
          },
        );
        expect(err.error.message).toContain('colour');
        const post = await createPost(owner, { title: 'Unknown field' });
        const patch = await expectError(
          await owner.patch(`/api/admin/posts/${post.id}`, { status_code: 1 }),
          400,
        );
        expect(patch.error.message).toContain('status_code');
      });

      it('answers an invalid document with 400 pointing into the body', async () => {
        const bad = { type: 'doc', content: [{ type: 'paragraph' }, { type: 'marquee' }] };
        const err = await expectError(
          await owner.post('/api/admin/posts', { title: 'x', body: bad }),
          400,
          {
            code: 'invalid_input',
          },
        );
        expect(err.error.field).toMatch(/^body\.content\.1/);

        // Built as text: a hostile client sends it, and JSON.stringify would overflow first.
        const levels = 5000;
        const deep = `${'{"type":"blockquote","content":['.repeat(levels)}{"type":"paragraph"}${']}'.repeat(levels)}`;
        const res = await owner.post(
          '/api/admin/posts',
          `{"title":"x","body":{"type":"doc","content":[${deep}]}}`,
          {
            'content-type': 'application/json',
          },
        );
        await expectError(res, 400, { code: 'invalid_input' });
      });

      it('answers bodies that are not objects, or not JSON, without a 500', async () => {
        await expectError(
          await owner.post('/api/admin/posts', 'null', { 'content-type': 'application/json' }),
          400,
        );
        await expectError(
          await owner.post('/api/admin/posts', '[1,2]', { 'content-type': 'application/json' }),
          400,
        );
        await expectError(
          await owner.post('/api/admin/posts', 'title=x', { 'content-type': 'text/plain' }),
          415,
          {
            code: 'unsupported_media_type',
          },
        );
      });

      it('answers an unknown post id with a JSON 404', async () => {
        for (const [method, body] of [
          ['GET', undefined],
          ['PATCH', { title: 'x' }],
          ['DELETE', undefined],
        ] as const) {
          await expectError(
            await owner.request(method, '/api/admin/posts/no-such-post', body),
            404,
            {
              code: 'not_found',
            },
          );
        }
        await expectError(await owner.get('/api/admin/no-such-thing'), 404, { code: 'not_found' });
      });

      it('answers an unknown public path with the site’s HTML 404 page', async () => {
        for (const path of [
          '/p/nope',
          '/p/NOT_A_SLUG!',
          '/tag/nope',
          '/author/nope',
          '/no/such/page',
          '/p/%E0%A4%A',
        ]) {
          const res = await owner.get(path);
          const raw = await res.text();
          const html = normalizeHtml(raw);
          expect(res.status, path).toBe(404);
          expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
          expect(html).toContain('<!doctype html>');
          expect(html).toContain('class="site-header"');
          expect(html).toContain('class="site-footer"');
          expect(html).toMatch(/<link rel="stylesheet" href="\/assets\/site\.[0-9a-f]{8}\.css">/);
          expect(html).toContain('Page not found');
          expect(html).toContain('<meta name="robots" content="noindex">');
          expectNoInternals(raw);
        }
      });
    });
  });

  describe('size limit', () => {
    it('answers a body over the limit with 413, JSON, before parsing', async () => {
      const t = await createTestApp(dialect, {
        clock: new ManualClock(),
        env: { PRESSROOM_BODY_LIMIT_KB: '1' },
      });
      try {
        const owner = await ownerClient(t);
        const big = { title: 'Big', markdown: 'x'.repeat(2000) };
        await expectError(await owner.post('/api/admin/posts', big), 413, {
          code: 'payload_too_large',
        });
        const declared = JSON.stringify(big);
        await expectError(
          await owner.post('/api/admin/posts', declared, {
            'content-type': 'application/json',
            'content-length': String(declared.length),
          }),
          413,
          { code: 'payload_too_large' },
        );
        expect(await t.pressroom.services.posts.count()).toBe(0);
        // Under the limit is fine.
        expect((await owner.post('/api/admin/posts', { title: 'Small' })).status).toBe(201);
      } finally {
        await t.close();
      }
    });
  });

  describe('scheduling', () => {
    let t: TestApp;
    let clock: ManualClock;
    let owner: TestClient;

    beforeAll(async () => {
      clock = new ManualClock();
      t = await createTestApp(dialect, { clock });
      owner = await ownerClient(t);
    });
    afterAll(async () => {
      await t.close();
    });

    const inMinutes = (m: number) => new Date(clock.now().getTime() + m * MINUTE).toISOString();
    const drain = () => t.pressroom.worker().drain();
    const jobsFor = async (postId: string) => {
      const res = await owner.get(`/api/admin/jobs?name=${PUBLISH_JOB}&limit=200`);
      expect(res.status).toBe(200);
      const { jobs } = await json<{ jobs: JobView[] }>(res);
      return jobs.filter((j) => j.payload.postId === postId);
    };
    const statusOf = async (id: string) =>
      (await json<{ post: Post }>(await owner.get(`/api/admin/posts/${id}`))).post.status;
    const onSite = async (post: Post) => {
      const page = await owner.get(`/p/${post.slug}`);
      const home = await (await owner.get('/')).text();
      return { page: page.status, home: home.includes(post.title) };
    };

    it('queues a job and publishes the post when it is due', async () => {
      const at = inMinutes(60);
      const post = await createPost(owner, {
        title: 'Scheduled Dispatch',
        body: doc(paragraph('Embargoed until the hour.')),
        status: 'scheduled',
        published_at: at,
      });
      expect(post).toMatchObject({ status: 'scheduled', published_at: at });

      const jobs = await jobsFor(post.id);
      expect(jobs).toHaveLength(1);
      expect(jobs[0]).toMatchObject({ name: PUBLISH_JOB, status: 'queued', run_at: at });

      expect(await onSite(post)).toEqual({ page: 404, home: false });
      for (const feed of FEEDS)
        expect(await (await owner.get(feed)).text()).not.toContain('Scheduled Dispatch');

      await drain();
      expect(await statusOf(post.id)).toBe('scheduled');

      clock.advance(61 * MINUTE);
      await drain();
      expect(await statusOf(post.id)).toBe('published');
      expect((await jobsFor(post.id))[0]!.status).toBe('done');
      expect(await onSite(post)).toEqual({ page: 200, home: true });
      expect(await (await owner.get('/rss.xml')).text()).toContain('Scheduled Dispatch');
    });

    it('refuses to schedule in the past or without a time, naming published_at', async () => {
      await expectError(
        await owner.post('/api/admin/posts', {
          title: 'Too late',
          status: 'scheduled',
          published_at: inMinutes(-1),
        }),
        400,
        { code: 'invalid_input', field: 'published_at' },
      );
      await expectError(
        await owner.post('/api/admin/posts', { title: 'When?', status: 'scheduled' }),
        400,
        {
          field: 'published_at',
        },
      );
      const draft = await createPost(owner, { title: 'Draft to schedule' });
      await expectError(
        await owner.patch(`/api/admin/posts/${draft.id}`, {
          status: 'scheduled',
          published_at: inMinutes(-5),
        }),
        400,
        { field: 'published_at' },
      );
      expect(await jobsFor(draft.id)).toEqual([]);
    });

    it('moves the same job when rescheduled', async () => {
      const post = await createPost(owner, {
        title: 'Moved Dispatch',
        status: 'scheduled',
        published_at: inMinutes(60),
      });
      const [job] = await jobsFor(post.id);
      const later = inMinutes(180);
      const moved = await updatePost(owner, post.id, { published_at: later });
      expect(moved).toMatchObject({ status: 'scheduled', published_at: later });
      const jobs = await jobsFor(post.id);
      expect(jobs).toHaveLength(1);
      expect(jobs[0]).toMatchObject({ id: job!.id, status: 'queued', run_at: later });

      // Editing something else keeps the schedule.
      await updatePost(owner, post.id, { title: 'Moved Dispatch, retitled' });
      expect((await jobsFor(post.id))[0]).toMatchObject({ id: job!.id, run_at: later });

      clock.advance(90 * MINUTE);
      await drain();
      expect(await statusOf(post.id)).toBe('scheduled');
      clock.advance(91 * MINUTE);
      await drain();
      expect(await statusOf(post.id)).toBe('published');
    });

    it('cancels the job when a scheduled post goes back to draft', async () => {
      const post = await createPost(owner, {
        title: 'Cancelled Dispatch',
        status: 'scheduled',
        published_at: inMinutes(30),
      });
      const back = await updatePost(owner, post.id, { status: 'draft' });
      expect(back.status).toBe('draft');
      const jobs = await jobsFor(post.id);
      expect(jobs).toHaveLength(1);
      expect(jobs[0]).toMatchObject({ status: 'cancelled', last_error: null });

      clock.advance(60 * MINUTE);
      await drain();
      expect(await statusOf(post.id)).toBe('draft');
      expect((await onSite(post)).page).toBe(404);
    });

    it('cancels the job when a scheduled post is published now or deleted', async () => {
      const now = await createPost(owner, {
        title: 'Published Early',
        status: 'scheduled',
        published_at: inMinutes(30),
      });
      const published = await updatePost(owner, now.id, { status: 'published' });
      expect(published).toMatchObject({
        status: 'published',
        published_at: clock.now().toISOString(),
      });
      expect((await jobsFor(now.id))[0]).toMatchObject({
        status: 'cancelled',
        last_error: null,
      });
      expect((await onSite(now)).page).toBe(200);

      const gone = await createPost(owner, {
        title: 'Deleted Dispatch',
        status: 'scheduled',
        published_at: inMinutes(30),
      });
      expect((await owner.delete(`/api/admin/posts/${gone.id}`)).status).toBe(204);
      expect((await jobsFor(gone.id))[0]).toMatchObject({
        status: 'cancelled',
        last_error: null,
      });
      clock.advance(31 * MINUTE);
      await drain();
      await expectError(await owner.get(`/api/admin/posts/${gone.id}`), 404);
    });
  });

  describe('on the public site', () => {
    let t: TestApp;
    let clock: ManualClock;
    let owner: TestClient;
    let reader: TestClient;
    let ownerSlug: string;

    beforeAll(async () => {
      clock = new ManualClock();
      t = await createTestApp(dialect, { clock });
      owner = await ownerClient(t);
      reader = t.client();
      ownerSlug = (await t.pressroom.services.staff.list())[0]!.slug;
    });
    afterAll(async () => {
      await t.close();
    });

    /** Each post a minute after the last, so "newest first" is unambiguous. */
    const publish = async (input: Record<string, unknown>) => {
      clock.advance(MINUTE);
      return createPost(owner, { status: 'published', ...input });
    };

    const everyPublicPath = (post: Post) => [
      '/',
      `/p/${post.slug}`,
      ...post.tags.map((tag) => `/tag/${tag.slug}`),
      `/author/${ownerSlug}`,
      '/archive/2026/03',
      ...FEEDS,
      '/sitemap.xml',
    ];

    it('shows a published public post everywhere', async () => {
      const post = await publish({
        title: 'Public Readout',
        body: doc(paragraph('Everybody may read this readout in full.')),
        tags: ['Diplomacy Desk'],
      });
      const url = `http://pressroom.test/p/${post.slug}`;

      const home = await getText(reader, '/');
      expect(home.status).toBe(200);
      expect(home.html).toContain(`<a href="/p/${post.slug}">Public Readout</a>`);

      const page = await getText(reader, `/p/${post.slug}`);
      expect(page.status).toBe(200);
      expect(page.html).toContain('<h1 class="post-title">Public Readout</h1>');
      expect(page.html).toContain('<p>Everybody may read this readout in full.</p>');
      expect(page.html).toContain(`<link rel="canonical" href="${url}">`);
      expect(page.html).toContain(`href="/author/${ownerSlug}"`);

      for (const path of ['/tag/diplomacy-desk', `/author/${ownerSlug}`, '/archive/2026/03']) {
        const list = await getText(reader, path);
        expect(list.status, path).toBe(200);
        expect(list.text, path).toContain('Public Readout');
      }
      const archive = await getText(reader, '/archive');
      expect(archive.text).toContain('href="/archive/2026/03"');

      const rss = await reader.get('/rss.xml');
      expect(rss.headers.get('content-type')).toMatch(/^application\/rss\+xml/);
      const rssText = await rss.text();
      expect(rssText).toContain('Public Readout');
      expect(rssText).toContain(url);
      expect(rssText).toContain('Everybody may read this readout in full.');
      const atom = await getText(reader, '/atom.xml');
      expect(atom.text).toContain('Public Readout');
      expect(atom.text).toContain(url);
      const feed = JSON.parse((await getText(reader, '/feed.json')).text) as {
        items: { title: string; url: string; content_html: string }[];
      };
      expect(feed.items.find((i) => i.url === url)).toMatchObject({ title: 'Public Readout' });

      const sitemap = await getText(reader, '/sitemap.xml');
      expect(sitemap.text).toContain(`<loc>${url}</loc>`);
      expect(sitemap.text).toContain('<loc>http://pressroom.test/tag/diplomacy-desk</loc>');
      expect(sitemap.text).toContain(`<loc>http://pressroom.test/author/${ownerSlug}</loc>`);
    });

    it('shows a draft nowhere', async () => {
      const post = await createPost(owner, {
        title: 'Unfinished Draft Zebra',
        body: doc(paragraph('Not ready for anyone.')),
        tags: ['Draft Only Tag'],
      });
      const page = await reader.get(`/p/${post.slug}`);
      expect(page.status).toBe(404);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      for (const path of everyPublicPath(post)) {
        const { text } = await getText(reader, path);
        expect(text, path).not.toContain('Unfinished Draft Zebra');
        expect(text, path).not.toContain('Not ready for anyone');
      }
      expect((await getText(reader, '/sitemap.xml')).text).not.toContain('draft-only-tag');
    });

    it('shows only the part before the cut of a members post, in every channel', async () => {
      const post = await publish({
        title: 'Members Briefing',
        visibility: 'members',
        body: doc(
          paragraph('The opening everyone may read.'),
          paywall,
          paragraph('The Kestrelmoon clause is for members only.'),
        ),
        tags: ['Members Desk'],
      });
      for (const path of everyPublicPath(post)) {
        const { status, text } = await getText(reader, path);
        expect(status, path).toBe(200);
        expect(text, path).not.toContain('Kestrelmoon');
        if (path !== '/sitemap.xml') expect(text, path).toContain('Members Briefing');
      }

      const page = (await getText(reader, `/p/${post.slug}`)).html;
      expect(page).toContain('<p>The opening everyone may read.</p>');
      expect(page).toContain('class="paywall"');
      expect(page).toContain('<meta name="description" content="The opening everyone may read.">');
      expect(page).toContain(
        '<meta property="og:description" content="The opening everyone may read.">',
      );
      expect(page).toContain('"isAccessibleForFree":false');
      expect((await getText(reader, '/')).text).toContain('The opening everyone may read.');
      for (const feed of FEEDS) {
        expect((await getText(reader, feed)).text, feed).toContain(
          'The opening everyone may read.',
        );
      }

      // Staff still see the whole post.
      const admin = await json<{ post: Post }>(await owner.get(`/api/admin/posts/${post.id}`));
      expect(admin.post.html).toContain('Kestrelmoon');
      expect(admin.post.excerpt).not.toContain('Kestrelmoon');
    });

    it('shows no body text of a members or paid post without a cut', async () => {
      for (const visibility of ['members', 'paid'] as const) {
        const post = await publish({
          title: `Closed ${visibility} note`,
          visibility,
          body: doc(
            paragraph(`Ospreyglass ${visibility} opening.`),
            paragraph('Ospreyglass second paragraph.'),
          ),
          tags: [`Closed ${visibility}`],
        });
        for (const path of everyPublicPath(post)) {
          const { status, text } = await getText(reader, path);
          expect(status, path).toBe(200);
          expect(text, path).not.toContain('Ospreyglass');
        }
        const page = (await getText(reader, `/p/${post.slug}`)).text;
        expect(page).toContain(`Closed ${visibility} note`);
        expect(page).toContain('class="paywall"');
      }
    });

    it('redirects an old slug to the new one once the post is published', async () => {
      const post = await publish({ title: 'Renamed Piece', slug: 'old-name' });
      expect((await reader.get('/p/old-name')).status).toBe(200);
      await updatePost(owner, post.id, { slug: 'new-name' });
      const res = await reader.get('/p/old-name');
      expect(res.status).toBe(301);
      expect(res.headers.get('location')).toBe('/p/new-name');
      expect((await reader.get('/p/new-name')).status).toBe(200);

      // Renamed twice: the first slug still lands on the current one.
      await updatePost(owner, post.id, { slug: 'newest-name' });
      expect((await reader.get('/p/old-name')).headers.get('location')).toBe('/p/newest-name');
      expect((await reader.get('/p/new-name')).headers.get('location')).toBe('/p/newest-name');

      // A draft's old slug does not redirect until the post is published.
      const draft = await createPost(owner, { title: 'Draft Renamed', slug: 'draft-old' });
      await updatePost(owner, draft.id, { slug: 'draft-new' });
      expect((await reader.get('/p/draft-old')).status).toBe(404);
      clock.advance(MINUTE);
      await updatePost(owner, draft.id, { status: 'published' });
      const now = await reader.get('/p/draft-old');
      expect(now.status).toBe(301);
      expect(now.headers.get('location')).toBe('/p/draft-new');

      // A new post that takes an old slug gets it back from the redirect.
      await publish({ title: 'Takes the old slug', slug: 'old-name' });
      const taken = await reader.get('/p/old-name');
      expect(taken.status).toBe(200);
      expect(await taken.text()).toContain('Takes the old slug');
    });

    it('drops cached pages when a post is published, edited, unpublished or deleted', async () => {
      const before = await getText(reader, '/');
      expect(before.text).not.toContain('Cache Probe');
      // Warm the cache for every page involved.
      for (const path of ['/', ...FEEDS, '/sitemap.xml', '/p/cache-probe']) await reader.get(path);

      const post = await publish({ title: 'Cache Probe', slug: 'cache-probe' });
      expect((await getText(reader, '/')).text).toContain('Cache Probe');
      expect((await getText(reader, '/p/cache-probe')).status).toBe(200);
      for (const feed of FEEDS)
        expect((await getText(reader, feed)).text, feed).toContain('Cache Probe');
      expect((await getText(reader, '/sitemap.xml')).text).toContain('/p/cache-probe');

      await updatePost(owner, post.id, { title: 'Cache Probe Retitled' });
      const page = await getText(reader, '/p/cache-probe');
      expect(page.html).toContain('<h1 class="post-title">Cache Probe Retitled</h1>');
      expect((await getText(reader, '/')).text).toContain('Cache Probe Retitled');
      expect((await getText(reader, '/rss.xml')).text).toContain('Cache Probe Retitled');

      await updatePost(owner, post.id, { status: 'draft' });
      expect((await reader.get('/p/cache-probe')).status).toBe(404);
      expect((await getText(reader, '/')).text).not.toContain('Cache Probe');

      await updatePost(owner, post.id, { status: 'published' });
      expect((await reader.get('/p/cache-probe')).status).toBe(200);
      expect((await owner.delete(`/api/admin/posts/${post.id}`)).status).toBe(204);
      expect((await reader.get('/p/cache-probe')).status).toBe(404);
      expect((await getText(reader, '/')).text).not.toContain('Cache Probe');
      for (const feed of FEEDS)
        expect((await getText(reader, feed)).text, feed).not.toContain('Cache Probe');
      expect((await getText(reader, '/sitemap.xml')).text).not.toContain('/p/cache-probe');
    });
  });
});
