import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  ownerClient,
  type TestApp,
  type TestClient,
} from '../../../test/support/app.js';
import { engines } from '../../../test/support/database.js';
import {
  addStaff,
  createPost,
  expectError,
  fetchPage,
  json,
  ManualClock,
  type Member,
} from '../../../test/support/fixtures.js';
import type { Post } from '../posts/index.js';
import type { Tag } from './index.js';

interface TagList {
  tags: (Tag & { post_count: number })[];
  meta: { page: number; limit: number; pages: number; total: number };
}

describe.each(engines)('tags on %s', (dialect) => {
  let t: TestApp;
  let owner: TestClient;
  let editor: Member;
  let author: Member;
  let contributor: Member;

  beforeAll(async () => {
    t = await createTestApp(dialect, { clock: new ManualClock() });
    owner = await ownerClient(t);
    editor = await addStaff(t, owner, 'editor');
    author = await addStaff(t, owner, 'author');
    contributor = await addStaff(t, owner, 'contributor');
  });
  afterAll(async () => {
    await t.close();
  });

  const createTag = async (client: TestClient, input: Record<string, unknown>) => {
    const res = await client.post('/api/admin/tags', input);
    const body = await json<{ tag: Tag }>(res);
    expect(res.status, JSON.stringify(body)).toBe(201);
    return body.tag;
  };

  it('lets an editor create a tag, deriving its slug from the name', async () => {
    const tag = await createTag(editor.client, {
      name: 'Energy Policy',
      description: 'Pipelines and prices.',
    });
    expect(tag).toMatchObject({
      name: 'Energy Policy',
      slug: 'energy-policy',
      description: 'Pipelines and prices.',
    });
    const fetched = await json<{ tag: Tag }>(await author.client.get(`/api/admin/tags/${tag.id}`));
    expect(fetched.tag).toEqual(tag);

    const explicit = await createTag(owner, { name: 'Sanctions', slug: 'Sanctions-Watch' });
    expect(explicit.slug).toBe('sanctions-watch');
  });

  it('answers a duplicate slug with 409 naming the slug', async () => {
    await createTag(owner, { name: 'Arms Control' });
    const err = await expectError(
      await owner.post('/api/admin/tags', { name: 'arms control' }),
      409,
      {
        code: 'conflict',
        field: 'slug',
      },
    );
    expect(err.error.message).toContain('arms-control');
    await expectError(
      await owner.post('/api/admin/tags', { name: 'Other', slug: 'arms-control' }),
      409,
      {
        field: 'slug',
      },
    );
  });

  it('answers bad tag input with 400 naming the field', async () => {
    await expectError(await owner.post('/api/admin/tags', {}), 400, {
      code: 'invalid_input',
      field: 'name',
    });
    await expectError(await owner.post('/api/admin/tags', { name: 7 }), 400, { field: 'name' });
    await expectError(await owner.post('/api/admin/tags', { name: 'X', slug: 'not a slug' }), 400, {
      field: 'slug',
    });
    // A name with nothing to make a slug from needs one given explicitly.
    await expectError(await owner.post('/api/admin/tags', { name: '!!!' }), 400, {
      code: 'invalid_input',
      field: 'slug',
    });
    const unknown = await expectError(
      await owner.post('/api/admin/tags', { name: 'X', colour: 'red' }),
      400,
    );
    expect(unknown.error.message).toContain('colour');
    await expectError(
      await owner.post('/api/admin/tags', '{"name":', { 'content-type': 'application/json' }),
      400,
      {
        code: 'malformed_json',
      },
    );
    const tag = await createTag(owner, { name: 'Patchable' });
    const patchUnknown = await expectError(
      await owner.patch(`/api/admin/tags/${tag.id}`, { posts: [] }),
      400,
    );
    expect(patchUnknown.error.message).toContain('posts');
  });

  it('answers an unknown tag id with a JSON 404', async () => {
    await expectError(await owner.get('/api/admin/tags/no-such-tag'), 404, { code: 'not_found' });
    await expectError(await owner.patch('/api/admin/tags/no-such-tag', { name: 'x' }), 404, {
      code: 'not_found',
    });
    await expectError(await owner.delete('/api/admin/tags/no-such-tag'), 404, {
      code: 'not_found',
    });
  });

  it('lets authors and contributors read tags but not change them', async () => {
    const tag = await createTag(owner, { name: 'Read Only' });
    for (const member of [author, contributor]) {
      const c = member.client;
      expect((await c.get('/api/admin/tags')).status).toBe(200);
      expect((await c.get(`/api/admin/tags/${tag.id}`)).status).toBe(200);
      await expectError(await c.post('/api/admin/tags', { name: 'Mine' }), 403, {
        code: 'forbidden',
      });
      await expectError(await c.patch(`/api/admin/tags/${tag.id}`, { name: 'Renamed' }), 403);
      await expectError(await c.delete(`/api/admin/tags/${tag.id}`), 403);
    }
    expect((await json<{ tag: Tag }>(await owner.get(`/api/admin/tags/${tag.id}`))).tag.name).toBe(
      'Read Only',
    );
  });

  it('lists tags by name with post counts and pagination meta', async () => {
    await createPost(owner, { title: 'Counted 1', tags: ['Zz Counted'] });
    await createPost(owner, { title: 'Counted 2', tags: ['Zz Counted', 'Zz Other'] });
    const all = await json<TagList>(await owner.get('/api/admin/tags?limit=200'));
    const names = all.tags.map((tag) => tag.name);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(all.tags.find((tag) => tag.slug === 'zz-counted')?.post_count).toBe(2);
    expect(all.tags.find((tag) => tag.slug === 'zz-other')?.post_count).toBe(1);
    expect(all.tags.find((tag) => tag.slug === 'energy-policy')?.post_count).toBe(0);

    const total = all.meta.total;
    const page2 = await json<TagList>(await owner.get('/api/admin/tags?limit=2&page=2'));
    expect(page2.meta).toEqual({ page: 2, limit: 2, total, pages: Math.ceil(total / 2) });
    expect(page2.tags.map((tag) => tag.id)).toEqual(all.tags.slice(2, 4).map((tag) => tag.id));
    await expectError(await owner.get('/api/admin/tags?limit=0'), 400, { field: 'limit' });
  });

  it('renames and re-slugs a tag, and the public pages follow at once', async () => {
    const post = await createPost(owner, {
      title: 'Tagged Dispatch',
      status: 'published',
      tags: ['Old Tag Name'],
    });
    const tagId = post.tags[0]!.id;
    const reader = t.client();
    expect((await fetchPage(reader, '/tag/old-tag-name')).html).toContain('<h1>Old Tag Name</h1>');
    expect((await fetchPage(reader, `/p/${post.slug}`)).html).toContain('>Old Tag Name</a>');

    const res = await editor.client.patch(`/api/admin/tags/${tagId}`, {
      name: 'New Tag Name',
      slug: 'new-tag-name',
    });
    expect(res.status).toBe(200);
    expect((await json<{ tag: Tag }>(res)).tag).toMatchObject({
      name: 'New Tag Name',
      slug: 'new-tag-name',
    });

    expect((await reader.get('/tag/old-tag-name')).status).toBe(404);
    const page = await fetchPage(reader, '/tag/new-tag-name');
    expect(page.status).toBe(200);
    expect(page.html).toContain('<h1>New Tag Name</h1>');
    expect(page.html).toContain('Tagged Dispatch');
    const postPage = (await fetchPage(reader, `/p/${post.slug}`)).html;
    expect(postPage).toContain('href="/tag/new-tag-name"');
    expect(postPage).not.toContain('Old Tag Name');

    await createTag(owner, { name: 'Occupied' });
    await expectError(await owner.patch(`/api/admin/tags/${tagId}`, { slug: 'occupied' }), 409, {
      field: 'slug',
    });
  });

  it('deletes a tag, taking it off its posts and the site', async () => {
    const post = await createPost(owner, {
      title: 'Loses a tag',
      status: 'published',
      tags: ['Doomed', 'Survivor'],
    });
    const doomed = post.tags[0]!;
    const reader = t.client();
    expect((await reader.get('/tag/doomed')).status).toBe(200);

    expect((await editor.client.delete(`/api/admin/tags/${doomed.id}`)).status).toBe(204);
    const after = await json<{ post: Post }>(await owner.get(`/api/admin/posts/${post.id}`));
    expect(after.post.tags.map((tag) => tag.slug)).toEqual(['survivor']);
    expect((await reader.get('/tag/doomed')).status).toBe(404);
    expect((await fetchPage(reader, `/p/${post.slug}`)).html).not.toContain('/tag/doomed');
    await expectError(await owner.get(`/api/admin/tags/${doomed.id}`), 404);
  });
});
