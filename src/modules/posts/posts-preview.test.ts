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
  doc,
  expectError,
  normalizeHtml,
  paragraph,
  paywall,
  type Member,
} from '../../../test/support/fixtures.js';
import type { DocNode } from './document/index.js';

const bookmark = (attrs: Record<string, unknown>): DocNode => ({ type: 'bookmark', attrs });
const CARD = {
  url: 'https://example.org/report',
  title: 'The ministry’s report',
  description: 'Tables by port & <month>',
  image: 'https://example.org/cover.png',
};

describe.each(engines)('post previews and bookmark cards on %s', (dialect) => {
  let t: TestApp;
  let owner: TestClient;
  let contributor: Member;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    owner = await ownerClient(t);
    contributor = await addStaff(t, owner, 'contributor');
  });
  afterAll(async () => {
    await t.close();
  });

  describe('bookmark cards through the API', () => {
    it('refuses a javascript: URL with a 400 naming the field', async () => {
      const res = await owner.post('/api/admin/posts', {
        title: 'Unsafe card',
        body: doc(paragraph('Intro'), bookmark({ ...CARD, url: 'javascript:alert(1)' })),
      });
      await expectError(res, 400, {
        code: 'invalid_input',
        field: 'body.content.1.attrs.url',
        message: /must be an http\(s\) URL/,
      });
      const created = await owner.post('/api/admin/posts', {
        title: 'Fine card',
        body: doc(bookmark(CARD)),
      });
      expect(created.status).toBe(201);
      const { post } = (await created.json()) as { post: { id: string } };
      await expectError(
        await owner.patch(`/api/admin/posts/${post.id}`, {
          body: doc(bookmark({ ...CARD, image: 'data:image/png;base64,AAAA' })),
        }),
        400,
        { field: 'body.content.0.attrs.image' },
      );
    });

    it('shows a published card on the site, escaped', async () => {
      const post = await createPost(owner, {
        title: 'Further reading',
        status: 'published',
        body: doc(paragraph('See the report.'), bookmark(CARD)),
      });
      const res = await t.client().get(`/p/${post.slug}`);
      expect(res.status).toBe(200);
      const html = normalizeHtml(await res.text());
      expect(html).toContain(
        '<a class="bookmark" href="https://example.org/report" rel="noopener noreferrer">',
      );
      expect(html).toContain('<span class="bookmark-title">The ministry’s report</span>');
      expect(html).toContain('Tables by port &amp; &lt;month&gt;');
      expect(html).not.toContain('<month>');
    });
  });

  describe('GET /api/admin/posts/:id/preview', () => {
    it('shows a draft in the site template, marked as a preview, never cached or indexed', async () => {
      const draft = await createPost(owner, {
        title: 'Unpublished thoughts',
        body: doc(paragraph('Nobody has read this yet.'), bookmark(CARD)),
      });
      expect(draft.status).toBe('draft');
      // Not on the site yet.
      expect((await t.client().get(`/p/${draft.slug}`)).status).toBe(404);

      const res = await owner.get(`/api/admin/posts/${draft.id}/preview`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-robots-tag')).toBe('noindex, nofollow');
      const html = normalizeHtml(await res.text());
      expect(html).toContain('<meta name="robots" content="noindex">');
      expect(html).toContain('<h1 class="post-title">Unpublished thoughts</h1>');
      expect(html).toContain('<p>Nobody has read this yet.</p>');
      expect(html).toContain('<span class="bookmark-title">The ministry’s report</span>');
      expect(html).toMatch(
        /<aside class="preview-banner"[^>]*><p><strong>Preview\.<\/strong>\s*This draft is not published\.<\/p>/,
      );
      // The site's own stylesheet and masthead: the reader's page, not an admin imitation.
      expect(html).toMatch(/<link rel="stylesheet" href="\/assets\/site\.[0-9a-f]{8}\.css">/);
      expect(html).toContain('class="site-header"');
    });

    it('shows each kind of reader what they would get', async () => {
      const paid = await createPost(owner, {
        title: 'For paying readers',
        visibility: 'paid',
        body: doc(paragraph('Free part.'), paywall, paragraph('The paid part.')),
      });
      const as = async (reader?: string) =>
        normalizeHtml(
          await (
            await owner.get(`/api/admin/posts/${paid.id}/preview${reader ? `?as=${reader}` : ''}`)
          ).text(),
        );
      const full = await as();
      expect(full).toContain('The paid part.');
      expect(full).not.toContain('class="paywall"');
      expect(full).toContain('<a href="?as=paid" aria-current="page">Paying member</a>');

      for (const reader of ['visitor', 'member']) {
        const html = await as(reader);
        expect(html, reader).toContain('Free part.');
        expect(html, reader).not.toContain('The paid part.');
        expect(html, reader).toContain('This post is for paid subscribers');
      }
      expect(await as('visitor')).toContain('<a href="?as=visitor" aria-current="page">');
      // A free member is offered an upgrade, a visitor a subscription.
      const member = await as('member');
      const visitor = await as('visitor');
      expect(member).toContain('Upgrade to a paid subscription');
      expect(visitor).not.toContain('Upgrade to a paid subscription');
      expect(visitor).toContain('Subscribe to read the rest');
      await expectError(await owner.get(`/api/admin/posts/${paid.id}/preview?as=nobody`), 400, {
        field: 'as',
      });
    });

    it('is for staff only', async () => {
      const draft = await createPost(owner, {
        title: 'Staff eyes only',
        body: doc(paragraph('x')),
      });
      const anonymous = await t.client().get(`/api/admin/posts/${draft.id}/preview`);
      await expectError(anonymous, 401);
      // Any staff member who can open the post in the admin may preview it.
      const res = await contributor.client.get(`/api/admin/posts/${draft.id}/preview`);
      expect(res.status).toBe(200);
      await expectError(await owner.get('/api/admin/posts/no-such-post/preview'), 404);
    });
  });
});
