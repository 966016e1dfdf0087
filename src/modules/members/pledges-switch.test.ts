import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestClient } from '../../../test/support/app.js';
import { engines } from '../../../test/support/database.js';
import { expectError, json } from '../../../test/support/fixtures.js';
import {
  createMembersTestApp,
  csrfIn,
  form,
  signedUpMember,
  withCsrf,
  type MembersTestApp,
} from './members.test-app.js';

/** The account page's Plans section, where tiers and the pledge form are offered. */
function plansSection(page: string): string {
  const section = /<section class="account-section" id="plans"[\s\S]*?<\/section>/.exec(page);
  if (!section) throw new Error('no Plans section on the page');
  return section[0];
}

const textOf = (markup: string) =>
  markup
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

describe.each(engines)('the pledges switch on %s', (dialect) => {
  let t: MembersTestApp;
  let admin: TestClient;

  const setEnabled = async (enabled: boolean) => {
    const res = await admin.patch('/api/admin/pledges/settings', { enabled });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ pledges: { enabled } });
  };

  beforeAll(async () => {
    t = await createMembersTestApp(dialect);
    admin = await t.staffClient('admin');
    // Without Stripe keys a tier takes pledges only: its card points to the pledge form.
    const tier = await admin.post('/api/admin/tiers', {
      name: 'Gold',
      currency: 'usd',
      monthly_amount: 800,
      yearly_amount: 8000,
    });
    expect(tier.status).toBe(201);
  });
  afterEach(async () => {
    await setEnabled(true);
  });
  afterAll(async () => {
    await t.close();
  });

  it('is on until an admin turns it off; only admins see or change it, and it takes a boolean', async () => {
    expect(await json(await admin.get('/api/admin/pledges/settings'))).toEqual({
      pledges: { enabled: true },
    });
    await expectError(await t.client().get('/api/admin/pledges/settings'), 401);
    const editor = await t.staffClient('editor');
    await expectError(await editor.get('/api/admin/pledges/settings'), 403);
    await expectError(await editor.patch('/api/admin/pledges/settings', { enabled: false }), 403);
    await expectError(await admin.patch('/api/admin/pledges/settings', { enabled: 'no' }), 400, {
      field: 'enabled',
    });
    await expectError(await admin.patch('/api/admin/pledges/settings', {}), 400, {
      field: 'enabled',
    });

    await setEnabled(false);
    expect(await json(await admin.get('/api/admin/pledges/settings'))).toEqual({
      pledges: { enabled: false },
    });
    expect(await t.members.pledges.enabled()).toBe(false);
  });

  it('when off, the account page offers no pledge and the form and API refuse one', async () => {
    const { client, id } = await signedUpMember(t);
    const before = plansSection(await (await client.get('/account')).text());
    expect(before).toContain('action="/account/pledge"');
    expect(before).toContain('<a href="#pledge">');

    await setEnabled(false);
    const page = await (await client.get('/account')).text();
    const plans = plansSection(page);
    expect(plans).not.toContain('action="/account/pledge"');
    expect(plans).not.toContain('#pledge');
    expect(textOf(plans)).toContain('Gold');
    expect(textOf(plans)).toContain('Not open yet.');
    expect(textOf(plans)).not.toMatch(/pledge/i);

    // A form opened before the switch was turned off is refused, with the reason on the page.
    const posted = await client.post(
      '/account/pledge',
      form({ _csrf: csrfIn(page), amount: '5', interval: 'month' }),
    );
    expect(posted.status).toBe(409);
    expect(await posted.text()).toContain('Pledges are not being taken at the moment.');

    await withCsrf(client);
    await expectError(
      await client.post('/api/members/me/pledge', { amount: 5, interval: 'month' }),
      409,
      { code: 'pledges_closed', message: /not being taken/ },
    );
    const me = await json<{ pledges_enabled: boolean }>(await client.get('/api/members/me'));
    expect(me.pledges_enabled).toBe(false);
    const rows = await t.db.selectFrom('pledges').selectAll().where('member_id', '=', id).execute();
    expect(rows).toEqual([]);
  });

  it('when off, a pledge made earlier is kept and can still be withdrawn, not changed', async () => {
    const { client, id } = await signedUpMember(t);
    await withCsrf(client);
    expect(
      (await client.post('/api/members/me/pledge', { amount: 7, interval: 'month' })).status,
    ).toBe(201);

    await setEnabled(false);
    const plans = plansSection(await (await client.get('/account')).text());
    expect(textOf(plans)).toContain('You have pledged $7.00 a month.');
    expect(plans).toContain('action="/account/pledge/withdraw"');
    expect(plans).not.toContain('action="/account/pledge"');
    await expectError(
      await client.post('/api/members/me/pledge', { amount: 9, interval: 'month' }),
      409,
      { code: 'pledges_closed' },
    );
    // Still an active pledge: it is invited when paid subscriptions open.
    expect((await t.members.pledges.activePledges()).map((p) => p.member_id)).toContain(id);

    expect((await client.delete('/api/members/me/pledge')).status).toBe(204);
    const rows = await t.db
      .selectFrom('pledges')
      .select(['amount', 'status'])
      .where('member_id', '=', id)
      .execute();
    expect(rows).toEqual([{ amount: 700, status: 'withdrawn' }]);
  });

  it('turned back on, readers can pledge again', async () => {
    await setEnabled(false);
    await setEnabled(true);
    const { client } = await signedUpMember(t);
    const page = await (await client.get('/account')).text();
    expect(plansSection(page)).toContain('action="/account/pledge"');
    const posted = await client.post(
      '/account/pledge',
      form({ _csrf: csrfIn(page), amount: '5', interval: 'month' }),
    );
    expect(posted.status).toBe(303);
  });
});
