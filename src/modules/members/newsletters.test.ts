import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../../../test/support/database.js';
import { expectError, json, normalizeHtml } from '../../../test/support/fixtures.js';
import {
  createMembersTestApp,
  followLink,
  form,
  linkIn,
  signedUpMember,
  uniqueEmail,
  type MembersTestApp,
} from './members.test-app.js';
import type { NewsletterWithCount } from './newsletters.service.js';

describe.each(engines)('newsletters on %s', (dialect) => {
  let t: MembersTestApp;
  beforeAll(async () => {
    t = await createMembersTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  const list = async () => {
    const admin = await t.staffClient('admin');
    return (
      await json<{ newsletters: NewsletterWithCount[] }>(await admin.get('/api/admin/newsletters'))
    ).newsletters;
  };

  it('creates one default newsletter, named after the publication, even when asked at once', async () => {
    await Promise.all([
      t.members.newsletters.ensureDefault(),
      t.members.newsletters.ensureDefault(),
      t.members.newsletters.listActive(),
    ]);
    const all = await t.db.selectFrom('newsletters').selectAll().execute();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      slug: 'pressroom',
      name: 'Pressroom',
      status: 'active',
      subscribe_on_signup: 1,
    });
  });

  it('lets editors read the list with member counts and only admins change it', async () => {
    await expectError(await t.client().get('/api/admin/newsletters'), 401);
    const contributor = await t.staffClient('contributor');
    await expectError(await contributor.get('/api/admin/newsletters'), 403);
    const editor = await t.staffClient('editor');
    expect((await editor.get('/api/admin/newsletters')).status).toBe(200);
    await expectError(await editor.post('/api/admin/newsletters', { name: 'Nope' }), 403);

    await signedUpMember(t);
    const before = (await list()).find((n) => n.slug === 'pressroom')!;
    await signedUpMember(t);
    expect((await list()).find((n) => n.slug === 'pressroom')!.member_count).toBe(
      before.member_count + 1,
    );

    const admin = await t.staffClient('admin');
    const created = await admin.post('/api/admin/newsletters', {
      name: 'Transcripts',
      description: 'Full texts, as spoken',
      sort_order: 5,
    });
    expect(created.status).toBe(201);
    const { newsletter } = await json<{ newsletter: NewsletterWithCount }>(created);
    expect(newsletter).toMatchObject({
      slug: 'transcripts',
      name: 'Transcripts',
      subscribe_on_signup: true,
      sort_order: 5,
      status: 'active',
    });
    await expectError(
      await admin.post('/api/admin/newsletters', { name: 'X', slug: 'transcripts' }),
      409,
      {
        field: 'slug',
      },
    );
    await expectError(await admin.post('/api/admin/newsletters', { name: '' }), 400, {
      field: 'name',
    });
    await expectError(
      await admin.post('/api/admin/newsletters', { name: 'X', slug: 'Bad Slug' }),
      400,
      {
        field: 'slug',
      },
    );
    await expectError(
      await admin.post('/api/admin/newsletters', { name: 'X', colour: 'red' }),
      400,
      {
        field: 'colour',
      },
    );

    const patched = await admin.patch(`/api/admin/newsletters/${newsletter.id}`, {
      subscribe_on_signup: false,
      description: null,
    });
    expect((await json<{ newsletter: object }>(patched)).newsletter).toMatchObject({
      subscribe_on_signup: false,
      description: null,
    });
    await expectError(
      await editor.patch(`/api/admin/newsletters/${newsletter.id}`, { name: 'Y' }),
      403,
    );
    await expectError(await admin.patch('/api/admin/newsletters/missing', { name: 'Y' }), 404);

    await expectError(await editor.delete(`/api/admin/newsletters/${newsletter.id}`), 403);
    const archived = await admin.delete(`/api/admin/newsletters/${newsletter.id}`);
    expect((await json<{ newsletter: object }>(archived)).newsletter).toMatchObject({
      status: 'archived',
    });
    const active = await json<{ newsletters: NewsletterWithCount[] }>(
      await admin.get('/api/admin/newsletters?status=active'),
    );
    expect(active.newsletters.map((n) => n.slug)).not.toContain('transcripts');
    expect((await list()).map((n) => n.slug)).toContain('transcripts');
  });

  it('offers a choice only when there are several, and subscribes to what was ticked', async () => {
    const single = normalizeHtml(await (await t.client().get('/subscribe')).text());
    expect(single).not.toContain('name="newsletters"');

    const admin = await t.staffClient('admin');
    const weekly = await json<{ newsletter: NewsletterWithCount }>(
      await admin.post('/api/admin/newsletters', { name: 'Weekly', subscribe_on_signup: false }),
    );
    try {
      const page = normalizeHtml(await (await t.client().get('/subscribe')).text());
      expect(page).toContain('name="newsletters" value="pressroom" checked');
      expect(page).toMatch(/name="newsletters" value="weekly"\s*>/);

      const subscribedTo = async (email: string) => {
        const link = linkIn(await t.onlyMailTo(email), '/members/confirm');
        expect((await followLink(t.client(), link)).status).toBe(303);
        return (
          await t.db
            .selectFrom('member_newsletters')
            .innerJoin('members', 'members.id', 'member_newsletters.member_id')
            .innerJoin('newsletters', 'newsletters.id', 'member_newsletters.newsletter_id')
            .select('newsletters.slug')
            .where('members.email', '=', email)
            .orderBy('newsletters.slug')
            .execute()
        ).map((r) => r.slug);
      };

      const chooser = uniqueEmail();
      await t
        .client()
        .post(
          '/subscribe',
          form({ email: chooser, newsletters_shown: '1', newsletters: ['weekly'] }),
        );
      expect(await subscribedTo(chooser)).toEqual(['weekly']);

      const both = uniqueEmail();
      await t
        .client()
        .post(
          '/subscribe',
          form({ email: both, newsletters_shown: '1', newsletters: ['weekly', 'pressroom'] }),
        );
      expect(await subscribedTo(both)).toEqual(['pressroom', 'weekly']);

      const none = uniqueEmail();
      await t.client().post('/subscribe', form({ email: none, newsletters_shown: '1' }));
      expect(await subscribedTo(none)).toEqual([]);

      // A footer form (no choice shown) gets the signup defaults.
      const footer = uniqueEmail();
      await t.client().post('/subscribe', form({ email: footer }));
      expect(await subscribedTo(footer)).toEqual(['pressroom']);

      const json1 = uniqueEmail();
      await t.client().post('/api/members/signup', { email: json1, newsletters: ['weekly'] });
      expect(await subscribedTo(json1)).toEqual(['weekly']);

      // Archived between the signup and the click: skipped.
      const late = uniqueEmail();
      await t
        .client()
        .post('/subscribe', form({ email: late, newsletters_shown: '1', newsletters: ['weekly'] }));
      await admin.delete(`/api/admin/newsletters/${weekly.newsletter.id}`);
      expect(await subscribedTo(late)).toEqual([]);

      const refused = await t
        .client()
        .post(
          '/subscribe',
          form({ email: uniqueEmail(), newsletters_shown: '1', newsletters: ['weekly'] }),
        );
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain('there is no newsletter weekly');
    } finally {
      await admin.delete(`/api/admin/newsletters/${weekly.newsletter.id}`);
    }
  });

  it('keeps archived subscriptions when a member changes the ones on offer', async () => {
    const admin = await t.staffClient('admin');
    const old = await json<{ newsletter: NewsletterWithCount }>(
      await admin.post('/api/admin/newsletters', { name: 'Old letter' }),
    );
    const { client, id } = await signedUpMember(t);
    await admin.delete(`/api/admin/newsletters/${old.newsletter.id}`);
    const me = await json<{ csrf_token: string }>(await client.get('/api/members/me'));
    client.csrf = me.csrf_token;
    expect((await client.patch('/api/members/me', { newsletters: [] })).status).toBe(200);
    const rows = await t.db
      .selectFrom('member_newsletters')
      .select('newsletter_id')
      .where('member_id', '=', id)
      .execute();
    expect(rows.map((r) => r.newsletter_id)).toEqual([old.newsletter.id]);
  });
});
