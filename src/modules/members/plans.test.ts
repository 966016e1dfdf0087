import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestClient } from '../../../test/support/app.js';
import { CaptureMailer } from '../../../test/support/capture-mailer.js';
import { engines } from '../../../test/support/database.js';
import { startFakeStripe, type FakeStripe } from '../../../test/support/fake-stripe.js';
import { json } from '../../../test/support/fixtures.js';
import type { Tier } from '../payments/index.js';
import {
  createMembersTestApp,
  csrfIn,
  followLink,
  form,
  signedUpMember,
  uniqueEmail,
  type MembersTestApp,
} from './members.test-app.js';

const SECRET_KEY = 'sk_test_pressroom';
const WEBHOOK_SECRET = 'whsec_test_pressroom';

const GOLD = {
  name: 'Gold',
  description: 'Every analysis, the full transcripts and the archive.',
  currency: 'usd',
  monthly_amount: 800,
  yearly_amount: 8000,
  trial_days: 14,
  open: true,
  sort_order: 0,
};
const FOUNDING = {
  name: 'Founding member',
  currency: 'usd',
  founding_min_amount: 15000,
  open: true,
  sort_order: 1,
};
const PATRON = {
  name: 'Patron',
  currency: 'eur',
  monthly_amount: 2000,
  yearly_amount: 20000,
  open: false,
  sort_order: 2,
};

/** The account page's Plans section, the one `/account#plans` leads to. */
function plansSection(page: string): string {
  const section = /<section class="account-section" id="plans"[\s\S]*?<\/section>/.exec(page);
  if (!section) throw new Error('no Plans section on the page');
  return section[0];
}

/** What a reader reads: the text without the markup. */
const textOf = (markup: string) =>
  markup
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();

interface PageForm {
  action: string;
  /** Hidden and typed fields by name (the submit buttons' values are in `buttons`). */
  fields: Record<string, string>;
  /** Each submit button's label and the interval it sends, if it sends one. */
  buttons: { label: string; interval: string | undefined }[];
}

function formsIn(markup: string): PageForm[] {
  return [...markup.matchAll(/<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)].map(
    ([, action, body = '']) => ({
      action: action!,
      fields: Object.fromEntries(
        [...body.matchAll(/<input\b[^>]*>/g)].flatMap(([input]) => {
          const name = /\bname="([^"]+)"/.exec(input)?.[1];
          const value = /\bvalue="([^"]*)"/.exec(input)?.[1] ?? '';
          return name ? [[name, value]] : [];
        }),
      ),
      buttons: [...body.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/g)].map(
        ([, attributes = '', label = '']) => ({
          label: textOf(label),
          interval: /\bname="interval" value="([^"]+)"/.exec(attributes)?.[1],
        }),
      ),
    }),
  );
}

const checkoutForms = (section: string) =>
  formsIn(section).filter(
    (f) => f.action === '/members/checkout' || f.action === '/account/checkout',
  );

describe.each(engines)('plans on the account page on %s', (dialect) => {
  let t: MembersTestApp;
  let admin: TestClient;
  let gold: Tier;
  let founding: Tier;

  const createTier = async (input: Record<string, unknown>) => {
    const res = await admin.post('/api/admin/tiers', input);
    expect(res.status).toBe(201);
    return (await json<{ tier: Tier }>(res)).tier;
  };
  /**
   * Paid subscriptions open with Stripe keys stored. The tiers were made before the keys, so
   * nothing here calls Stripe: these tests look at the page, never go through Checkout.
   */
  const openPaidSubscriptions = async () => {
    const keys = await admin.patch('/api/admin/payments/settings', {
      stripe_secret_key: SECRET_KEY,
      stripe_webhook_secret: WEBHOOK_SECRET,
    });
    expect(keys.status).toBe(200);
    expect((await admin.post('/api/admin/payments/open')).status).toBe(200);
  };

  beforeAll(async () => {
    t = await createMembersTestApp(dialect);
    admin = await t.staffClient('owner');
    gold = await createTier(GOLD);
    founding = await createTier(FOUNDING);
    await createTier(PATRON);
    const retired = await createTier({ ...GOLD, name: 'Retired', sort_order: 3 });
    expect((await admin.post(`/api/admin/tiers/${retired.id}/archive`)).status).toBe(200);
  });
  afterEach(async () => {
    await admin.post('/api/admin/payments/close');
    await admin.patch('/api/admin/payments/settings', {
      stripe_secret_key: null,
      stripe_webhook_secret: null,
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists the active tiers, open and pledge-only, with prices in their currency and trials', async () => {
    const { client } = await signedUpMember(t);
    const page = await (await client.get('/account')).text();
    const plans = textOf(plansSection(page));

    expect(plans).toContain('Plans');
    expect(plans).toContain('You are a free member.');
    expect(plans).toContain(`Gold ${GOLD.description} $8.00 a month or $80.00 a year`);
    expect(plans).toContain('14 days free for new subscribers.');
    expect(plans).toContain('Founding member From $150.00 a year: you choose the amount.');
    expect(plans).toContain('Patron €20.00 a month or €200.00 a year');
    expect(plans).not.toContain('Retired');
    // In the order staff gave them.
    expect(plans.indexOf('Gold')).toBeLessThan(plans.indexOf('Founding member'));
    expect(plans.indexOf('Founding member')).toBeLessThan(plans.indexOf('Patron'));
  });

  it('without Stripe keys offers the pledge form and no checkout buttons', async () => {
    const { client } = await signedUpMember(t);
    const plans = plansSection(await (await client.get('/account')).text());

    expect(checkoutForms(plans)).toEqual([]);
    expect(textOf(plans)).not.toMatch(/Subscribe (monthly|yearly)/);
    // Each tier points to the pledge form, which says nothing is charged.
    expect(plans.match(/<a href="#pledge">/g)).toHaveLength(3);
    expect(plans).toContain('<h3 id="pledge">Pledge</h3>');
    expect(textOf(plans)).toContain('you will not be charged now');
    const pledge = formsIn(plans).find((f) => f.action === '/account/pledge');
    expect(pledge?.fields).toMatchObject({ amount: '' });
    expect(pledge?.buttons).toEqual([{ label: 'Pledge', interval: undefined }]);
  });

  it('once paid subscriptions open, offers Checkout for open tiers and a pledge for the rest', async () => {
    await openPaidSubscriptions();
    const { client } = await signedUpMember(t);
    const page = await (await client.get('/account')).text();
    const plans = plansSection(page);
    const csrf = csrfIn(page);

    const forms = checkoutForms(plans);
    expect(forms).toEqual([
      {
        action: '/members/checkout',
        fields: { _csrf: csrf, tier_id: gold.id },
        buttons: [
          { label: 'Subscribe monthly', interval: 'month' },
          { label: 'Subscribe yearly', interval: 'year' },
        ],
      },
      {
        // Typed in whole dollars, starting at the least the tier takes.
        action: '/account/checkout',
        fields: { _csrf: csrf, tier_id: founding.id, interval: 'year', amount: '150' },
        buttons: [{ label: 'Subscribe yearly', interval: undefined }],
      },
    ]);
    expect(plans).toMatch(/name="amount"\s+type="number"\s+min="150"/);
    expect(textOf(plans)).toContain('At least $150.00 a year.');
    // Patron takes pledges only (no checkout form above names it): the pledge form stays.
    expect(textOf(plans)).toContain(
      'Patron €20.00 a month or €200.00 a year Not open yet. Pledge what you would pay',
    );
    expect(textOf(plans)).toContain('Some plans are not open yet.');
    expect(textOf(plans)).not.toContain('Paid subscriptions are not open yet');
    expect(plans.match(/<a href="#pledge">/g)).toHaveLength(1);
    expect(formsIn(plans).map((f) => f.action)).toContain('/account/pledge');
  });

  it('shows a chosen amount that will not do in the Plans section, as typed', async () => {
    await openPaidSubscriptions();
    const { client } = await signedUpMember(t);
    const csrf = csrfIn(await (await client.get('/account')).text());
    const choose = (amount: string) =>
      client.post(
        '/account/checkout',
        form({ _csrf: csrf, tier_id: founding.id, interval: 'year', amount }),
      );

    // 149 dollars is 14,900 cents: under the tier's 15,000.
    const low = await choose('149');
    expect(low.status).toBe(400);
    const lowPlans = plansSection(await low.text());
    expect(textOf(lowPlans)).toContain('amount: must be at least $150.00');
    expect(formsIn(lowPlans).find((f) => f.action === '/account/checkout')?.fields.amount).toBe(
      '149',
    );

    const words = await choose('lots');
    expect(words.status).toBe(400);
    expect(textOf(plansSection(await words.text()))).toContain('amount: must be a whole number');

    const unknown = await client.post(
      '/account/checkout',
      form({ _csrf: csrf, tier_id: 'no-such-tier', interval: 'year', amount: '200' }),
    );
    expect(unknown.status).toBe(404);
    expect(textOf(plansSection(await unknown.text()))).toContain('Tier not found');

    // Another site's form, without the page's token, gets nowhere.
    const forged = await t
      .client()
      .post('/account/checkout', form({ tier_id: founding.id, interval: 'year', amount: '200' }));
    expect(forged.status).toBe(403);
  });

  it('refuses a chosen amount while paid subscriptions are closed', async () => {
    const { client } = await signedUpMember(t);
    const csrf = csrfIn(await (await client.get('/account')).text());
    const res = await client.post(
      '/account/checkout',
      form({ _csrf: csrf, tier_id: founding.id, interval: 'year', amount: '200' }),
    );
    expect(res.status).toBe(409);
    expect(textOf(plansSection(await res.text()))).toContain('Paid subscriptions are not open yet');
  });

  it('shows a paying member their plan and Manage billing, not the checkout buttons', async () => {
    await openPaidSubscriptions();
    const { client, id } = await signedUpMember(t);
    const now = t.clock.now();
    const renews = new Date(now.getTime() + 20 * 86_400_000).toISOString();
    await t.db
      .updateTable('members')
      .set({ status: 'paid', tier_id: gold.id, stripe_customer_id: `cus_test_${id.slice(0, 8)}` })
      .where('id', '=', id)
      .execute();
    await t.db
      .insertInto('subscriptions')
      .values({
        id: `sub_test_${id.slice(0, 8)}`,
        member_id: id,
        tier_id: gold.id,
        status: 'active',
        interval: 'year',
        amount: 8000,
        currency: 'usd',
        current_period_end: renews,
        cancel_at_period_end: 0,
        trial_end: null,
        stripe_event_created: Math.floor(now.getTime() / 1000),
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      })
      .execute();

    const plans = plansSection(await (await client.get('/account')).text());
    expect(textOf(plans)).toContain('Your plan You are a paying member.');
    expect(textOf(plans)).toContain('Plan Gold ($80.00 a year) Renews');
    expect(formsIn(plans).map((f) => [f.action, f.buttons.map((b) => b.label)])).toEqual([
      ['/members/billing-portal', ['Manage billing']],
    ]);
    expect(checkoutForms(plans)).toEqual([]);
    expect(plans).not.toContain('id="pledge"');
  });

  it('says how Checkout went when Stripe sends the reader back', async () => {
    const { client } = await signedUpMember(t);
    const back = await (await client.get('/account?checkout=cancelled')).text();
    expect(back).toContain('Checkout was cancelled. You have not been charged.');
    const done = await (await client.get('/account?checkout=success')).text();
    expect(done).toContain('Thank you for subscribing!');
  });
});

describe.each(engines)('checkout from the account page with Stripe (fake) on %s', (dialect) => {
  let fake: FakeStripe;
  let mailer: CaptureMailer;
  let t: TestApp;
  let gold: Tier;
  let founding: Tier;

  /** A member signed up through the form and the emailed link, as a reader would. */
  async function signedInReader(): Promise<TestClient> {
    const email = uniqueEmail('checkout');
    const client = t.client();
    expect((await client.post('/subscribe', form({ email }))).status).toBe(200);
    await t.pressroom.services.members.settled();
    const text = mailer.to(email)[0]?.text ?? '';
    const link = /https?:\/\/\S+(\/members\/confirm\?token=[\w-]+)/.exec(text)?.[1];
    if (!link) throw new Error(`no confirmation link in: ${text}`);
    expect((await followLink(client, link)).status).toBe(303);
    return client;
  }

  beforeAll(async () => {
    fake = await startFakeStripe();
    mailer = new CaptureMailer();
    t = await createTestApp(dialect, {
      mailer,
      env: {
        STRIPE_SECRET_KEY: SECRET_KEY,
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        STRIPE_API_BASE: fake.url,
      },
    });
    const { staff } = t.pressroom.services;
    const owner = await staff.createOwner({
      email: 'owner@example.com',
      name: 'Olga Owner',
      password: 'correct horse battery',
    });
    const admin = t.client();
    admin.bearer = (await staff.createApiToken({ name: 'tests', staffId: owner.id })).token;
    const create = async (input: Record<string, unknown>) =>
      (await json<{ tier: Tier }>(await admin.post('/api/admin/tiers', input))).tier;
    gold = await create(GOLD);
    founding = await create(FOUNDING);
    expect((await admin.post('/api/admin/payments/open')).status).toBe(200);
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('sends the buttons to Stripe Checkout: the fixed price as is, a chosen amount in cents', async () => {
    const client = await signedInReader();
    const page = await (await client.get('/account')).text();
    const [fixed, chosen] = checkoutForms(plansSection(page));

    const yearly = await client.post(
      fixed!.action,
      form({ ...fixed!.fields, interval: fixed!.buttons[1]!.interval! }),
    );
    expect(yearly.status).toBe(303);
    expect(yearly.headers.get('location')).toMatch(/^https:\/\/checkout\.stripe\.test\//);
    expect(fake.calls('POST', '/v1/checkout/sessions').at(-1)!.body).toMatchObject({
      line_items: [{ price: gold.stripe_yearly_price_id, quantity: '1' }],
    });

    const res = await client.post(chosen!.action, form({ ...chosen!.fields, amount: '175' }));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^https:\/\/checkout\.stripe\.test\//);
    expect(fake.calls('POST', '/v1/checkout/sessions').at(-1)!.body).toMatchObject({
      line_items: [
        {
          quantity: '1',
          price_data: {
            currency: 'usd',
            product: founding.stripe_product_id,
            unit_amount: '17500',
            recurring: { interval: 'year' },
          },
        },
      ],
      metadata: { tier_id: founding.id, interval: 'year' },
    });
  });
});
