import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  ownerClient,
  staffClient,
  type TestApp,
  type TestClient,
} from '../../../../test/support/app.js';
import { engines } from '../../../../test/support/database.js';
import { doc, expectError, paragraph, paywall } from '../../../../test/support/fixtures.js';
import { GMAIL_CLIP_BYTES } from './email-preview.js';

interface Preview {
  subject: string;
  html: string;
  text: string;
  html_bytes: number;
  gmail_clips: boolean;
}

/**
 * The email preview staff see before sending: what each kind of reader gets, with no paid
 * text for a free member, and a warning when Gmail would clip it.
 */
describe.each(engines)('the email preview on %s', (dialect) => {
  let t: TestApp;
  let owner: TestClient;
  let paidPost: string;
  let longPost: string;

  const preview = async (client: TestClient, postId: string, reader: string) => {
    const res = await client.get(`/api/admin/sends/preview?post_id=${postId}&reader=${reader}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { preview: Preview }).preview;
  };
  const create = async (body: Record<string, unknown>) => {
    const res = await owner.post('/api/admin/posts', body);
    expect(res.status).toBe(201);
    return ((await res.json()) as { post: { id: string } }).post.id;
  };

  beforeAll(async () => {
    t = await createTestApp(dialect);
    owner = await ownerClient(t);
    paidPost = await create({
      title: 'Remarks in Minsk',
      visibility: 'paid',
      body: doc(
        paragraph('My reading of the opening remarks.'),
        paywall,
        paragraph('Question: Will the talks resume? Sergey Lavrov: In due course.'),
      ),
    });
    // A whole press conference pasted in: about 20,000 words.
    const turns = Array.from({ length: 400 }, (_, i) =>
      paragraph(
        `${i % 2 ? 'Sergey Lavrov' : 'Question'}: ${'the ministry has stated its position '.repeat(10)}${i}.`,
      ),
    );
    longPost = await create({ title: 'The full transcript', body: doc(...turns) });
  });
  afterAll(() => t.close());

  it('gives a paying member the whole post and a free member only what is above the cut', async () => {
    const paid = await preview(owner, paidPost, 'paid');
    expect(paid.subject).toBe('Remarks in Minsk');
    expect(paid.html).toContain('In due course.');
    expect(paid.text).toContain('In due course.');

    const free = await preview(owner, paidPost, 'free');
    expect(free.html).toContain('My reading of the opening remarks.');
    for (const part of [free.html, free.text]) {
      expect(part).not.toContain('In due course');
      expect(part).not.toContain('Will the talks resume');
    }
    expect(free.gmail_clips).toBe(false);
    expect(free.html_bytes).toBe(Buffer.byteLength(free.html));
  });

  it('says when Gmail would clip the email, by its HTML size', async () => {
    const long = await preview(owner, longPost, 'paid');
    expect(long.html_bytes).toBeGreaterThan(GMAIL_CLIP_BYTES);
    expect(long.html_bytes).toBe(Buffer.byteLength(long.html));
    expect(long.gmail_clips).toBe(true);
    expect((await preview(owner, paidPost, 'paid')).gmail_clips).toBe(false);
  });

  it('names the field of a bad request, answers 404 for an unknown post, and is for editors', async () => {
    await expectError(await owner.get('/api/admin/sends/preview'), 400, { field: 'post_id' });
    await expectError(
      await owner.get(`/api/admin/sends/preview?post_id=${paidPost}&reader=everyone`),
      400,
      { field: 'reader' },
    );
    await expectError(await owner.get('/api/admin/sends/preview?post_id=nope'), 404);
    await expectError(await t.client().get(`/api/admin/sends/preview?post_id=${paidPost}`), 401);
    const { client: author } = await staffClient(
      t,
      owner,
      'author',
      `author-${dialect}@example.com`,
    );
    await expectError(await author.get(`/api/admin/sends/preview?post_id=${paidPost}`), 403);
  });
});
