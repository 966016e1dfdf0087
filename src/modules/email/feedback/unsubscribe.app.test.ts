import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/support/app.js';
import { CaptureMailer } from '../../../../test/support/capture-mailer.js';
import { engines } from '../../../../test/support/database.js';
import { insertMember } from '../../../../test/support/fixtures.js';
import { appSecret } from '../../../platform/app-state.js';
import { signUnsubscribe } from '../delivery/index.js';

/** One-click unsubscribe through the whole app: its CSRF rule, its secret, its routes. */
describe.each(engines)('unsubscribe links in the app on %s', (dialect) => {
  let t: TestApp;
  let memberId: string;
  let newsletterId: string;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const db = t.pressroom.db;
    await t.pressroom.services.newsletters.ensureDefault();
    newsletterId = (await db.selectFrom('newsletters').select('id').executeTakeFirstOrThrow()).id;
    memberId = 'member-unsub-1';
    await insertMember(db, {
      id: memberId,
      email: 'leaving@example.com',
      newsletters: [newsletterId],
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const subscribed = async () =>
    (
      await t.pressroom.db
        .selectFrom('member_newsletters')
        .select('newsletter_id')
        .where('member_id', '=', memberId)
        .execute()
    ).length === 1;

  it('shows a button on GET, unsubscribes on the one-click POST with no cookie or CSRF token', async () => {
    const token = signUnsubscribe({ memberId, newsletterId }, await appSecret(t.pressroom.db));
    const path = `/unsubscribe?token=${encodeURIComponent(token)}`;
    const page = await t.client().get(path);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form');
    expect(await subscribed()).toBe(true);

    const forged = await t
      .client()
      .post(
        `/unsubscribe?token=${encodeURIComponent(`${token.slice(0, -2)}xx`)}`,
        new URLSearchParams({ 'List-Unsubscribe': 'One-Click' }),
      );
    expect(forged.status).toBe(400);
    expect(await subscribed()).toBe(true);

    const oneClick = await t
      .client()
      .post(path, new URLSearchParams({ 'List-Unsubscribe': 'One-Click' }));
    expect(oneClick.status).toBe(200);
    expect(await subscribed()).toBe(false);
  });

  it('keeps one secret for the publication, the same for every process', async () => {
    expect(await appSecret(t.pressroom.db)).toBe(await appSecret(t.pressroom.db));
    expect((await appSecret(t.pressroom.db)).length).toBeGreaterThanOrEqual(43);
  });
});

describe.each(engines)('the suppression list and other mail on %s', (dialect) => {
  it('sends no sign-in or confirmation mail to a suppressed address', async () => {
    const mailer = new CaptureMailer();
    const t = await createTestApp(dialect, { mailer });
    try {
      await t.pressroom.db
        .insertInto('email_suppressions')
        .values({
          email: 'bounced@example.com',
          reason: 'hard_bounce',
          detail: null,
          send_id: null,
          created_at: new Date().toISOString(),
        })
        .execute();
      for (const email of ['bounced@example.com', 'fine@example.com']) {
        const res = await t.client().post('/subscribe', new URLSearchParams({ email }));
        expect(res.status).toBe(200);
      }
      await t.pressroom.services.members.settled();
      expect(mailer.to('bounced@example.com')).toEqual([]);
      expect(mailer.to('fine@example.com')).toHaveLength(1);
    } finally {
      await t.close();
    }
  });
});
