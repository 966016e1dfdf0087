import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from '../../../test/support/database.js';
import { startFakeStripe, type FakeStripe } from '../../../test/support/fake-stripe.js';
import { DAY, expectError, json, ManualClock } from '../../../test/support/fixtures.js';
import type { Mailer } from '../../platform/mailer/index.js';
import {
  insertMember,
  paymentsHarness,
  PUBLIC_URL,
  readMember,
  stripeEvent,
  type PaymentsHarness,
} from './payments.test-app.js';
import type { Tier } from './payments.types.js';

const noMail: Mailer = {
  send: () => Promise.reject(new Error('no mail expected')),
  close: () => Promise.resolve(),
};

describe.each(engines)('checkout and the billing portal on %s', (dialect) => {
  let database: TestDatabase;
  let fake: FakeStripe;
  let h: PaymentsHarness;
  let clock: ManualClock;
  let gold: Tier;
  let founding: Tier;
  let patron: Tier;

  const newMember = (fields: Parameters<typeof insertMember>[2] = {}) =>
    insertMember(database.db, clock.now(), fields);
  const checkout = (memberId: string | undefined, body: Record<string, unknown>) =>
    h.member(memberId, 'POST', '/api/members/checkout', body);
  const lastSession = () => fake.calls('POST', '/v1/checkout/sessions').at(-1)!;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    fake = await startFakeStripe();
    clock = new ManualClock();
    h = await paymentsHarness({
      db: database.db,
      dialect,
      clock,
      mailer: noMail,
      stripeUrl: fake.url,
    });
    const create = async (input: Record<string, unknown>) =>
      (await json<{ tier: Tier }>(await h.admin('POST', '/api/admin/tiers', input))).tier;
    gold = await create({
      name: 'Gold',
      currency: 'usd',
      monthly_amount: 800,
      yearly_amount: 8000,
      trial_days: 14,
      open: true,
    });
    founding = await create({
      name: 'Founding',
      currency: 'usd',
      founding_min_amount: 15000,
      open: true,
    });
    patron = await create({
      name: 'Patron',
      currency: 'usd',
      monthly_amount: 2000,
      yearly_amount: 20000,
      open: false,
    });
  });
  afterAll(async () => {
    await fake.close();
    await database.destroy();
  });
  beforeEach(() => fake.reset());

  it('is refused until staff open paid subscriptions', async () => {
    const member = await newMember();
    await expectError(await checkout(member.id, { tier_id: gold.id, interval: 'month' }), 409, {
      code: 'payments_closed',
    });
    expect(fake.requests).toHaveLength(0);
    const open = await h.admin('POST', '/api/admin/payments/open');
    expect(open.status).toBe(200);
    const body = await json<{
      payments: { paid_subscriptions_open: boolean; checkout_available: boolean };
    }>(open);
    expect(body.payments).toMatchObject({
      paid_subscriptions_open: true,
      checkout_available: true,
    });
  });

  it('creates the customer and a subscription Checkout Session with the tier’s price and trial', async () => {
    const member = await newMember({ email: 'ada@example.com', name: 'Ada Reader' });
    const res = await checkout(member.id, { tier_id: gold.id, interval: 'month' });
    const body = await json<{ url: string }>(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.url).toMatch(/^https:\/\/checkout\.stripe\.test\/c\/pay\/cs_test_/);

    const [customer] = fake.calls('POST', '/v1/customers');
    expect(customer!.body).toEqual({
      email: 'ada@example.com',
      name: 'Ada Reader',
      metadata: { member_id: member.id },
    });
    expect(customer!.headers['idempotency-key']).toBe(`pressroom-customer-${member.id}-first`);
    const stored = await readMember(database.db, member.id);
    expect(stored.stripe_customer_id).toMatch(/^cus_/);

    expect(lastSession().body).toEqual({
      mode: 'subscription',
      customer: stored.stripe_customer_id,
      client_reference_id: member.id,
      line_items: [{ price: gold.stripe_monthly_price_id, quantity: '1' }],
      subscription_data: {
        metadata: { member_id: member.id, tier_id: gold.id },
        trial_period_days: '14',
      },
      metadata: { member_id: member.id, tier_id: gold.id, interval: 'month' },
      success_url: `${PUBLIC_URL}/account?checkout=success`,
      cancel_url: `${PUBLIC_URL}/account?checkout=cancelled`,
    });

    // A second attempt (the reader went back) reuses the customer and takes the yearly price.
    fake.reset();
    const again = await checkout(member.id, { tier_id: gold.id, interval: 'year' });
    expect(again.status).toBe(200);
    expect(fake.calls('POST', '/v1/customers')).toHaveLength(0);
    expect(fake.calls('GET', `/v1/customers/${stored.stripe_customer_id}`)).toHaveLength(1);
    expect(lastSession().body).toMatchObject({
      customer: stored.stripe_customer_id,
      line_items: [{ price: gold.stripe_yearly_price_id, quantity: '1' }],
    });
  });

  it('replaces a customer deleted in Stripe', async () => {
    const member = await newMember();
    await checkout(member.id, { tier_id: gold.id, interval: 'month' });
    const first = (await readMember(database.db, member.id)).stripe_customer_id!;
    fake.deleteCustomer(first);
    fake.reset();
    expect((await checkout(member.id, { tier_id: gold.id, interval: 'month' })).status).toBe(200);
    const second = (await readMember(database.db, member.id)).stripe_customer_id!;
    expect(second).not.toBe(first);
    expect(fake.calls('POST', '/v1/customers')[0]!.headers['idempotency-key']).toBe(
      `pressroom-customer-${member.id}-${first}`,
    );
    expect(lastSession().body.customer).toBe(second);
  });

  it('takes a founding amount of at least the minimum, as a yearly price_data line', async () => {
    const member = await newMember();
    await expectError(
      await checkout(member.id, { tier_id: founding.id, interval: 'year', amount: 14999 }),
      400,
      { code: 'invalid_input', field: 'amount', message: /at least \$150\.00/ },
    );
    await expectError(await checkout(member.id, { tier_id: founding.id, interval: 'year' }), 400, {
      field: 'amount',
    });
    await expectError(
      await checkout(member.id, { tier_id: founding.id, interval: 'month', amount: 20000 }),
      400,
      { field: 'interval' },
    );
    await expectError(
      await checkout(member.id, { tier_id: founding.id, interval: 'year', amount: 150.5 }),
      400,
      { field: 'amount' },
    );
    await expectError(
      await checkout(member.id, { tier_id: gold.id, interval: 'year', amount: 20000 }),
      400,
      { field: 'amount' },
    );
    // Nothing reached Stripe for a refused choice.
    expect(fake.requests).toHaveLength(0);

    const res = await checkout(member.id, {
      tier_id: founding.id,
      interval: 'year',
      amount: 25000,
    });
    expect(res.status).toBe(200);
    expect(lastSession().body.line_items).toEqual([
      {
        quantity: '1',
        price_data: {
          currency: 'usd',
          product: founding.stripe_product_id,
          unit_amount: '25000',
          recurring: { interval: 'year' },
        },
      },
    ]);
    expect(lastSession().body.subscription_data).toEqual({
      metadata: { member_id: member.id, tier_id: founding.id },
    });
  });

  it('refuses pledge-only, archived and unknown tiers, and bad input', async () => {
    const member = await newMember();
    await expectError(await checkout(member.id, { tier_id: patron.id, interval: 'month' }), 409, {
      code: 'tier_not_open',
    });
    await expectError(await checkout(member.id, { tier_id: 'nope', interval: 'month' }), 404);
    await expectError(await checkout(member.id, { tier_id: gold.id, interval: 'week' }), 400, {
      field: 'interval',
    });
    await expectError(await checkout(member.id, { interval: 'month' }), 400, { field: 'tier_id' });
    const archived = (
      await json<{ tier: Tier }>(
        await h.admin('POST', '/api/admin/tiers', {
          name: 'Old',
          currency: 'usd',
          monthly_amount: 100,
          yearly_amount: 1000,
          open: true,
        }),
      )
    ).tier;
    await h.admin('POST', `/api/admin/tiers/${archived.id}/archive`);
    await expectError(await checkout(member.id, { tier_id: archived.id, interval: 'month' }), 404);
  });

  it('needs a signed-in member', async () => {
    await expectError(await checkout(undefined, { tier_id: gold.id, interval: 'month' }), 401);
    await expectError(await h.member(undefined, 'POST', '/api/members/billing-portal'), 401);
  });

  it('gives one trial per reader, and no second subscription while one runs', async () => {
    const member = await newMember();
    await checkout(member.id, { tier_id: gold.id, interval: 'month' });
    const customer = (await readMember(database.db, member.id)).stripe_customer_id!;
    const periodEnd = Math.floor(clock.now().getTime() / 1000) + 30 * 86_400;
    const sub = fake.setSubscription({
      customer,
      status: 'active',
      current_period_end: periodEnd,
      metadata: { member_id: member.id, tier_id: gold.id },
    });
    const now = Math.floor(clock.now().getTime() / 1000);
    expect((await h.deliver(stripeEvent('customer.subscription.created', sub, now))).status).toBe(
      200,
    );
    await expectError(await checkout(member.id, { tier_id: gold.id, interval: 'month' }), 409, {
      code: 'already_subscribed',
    });

    clock.advance(40 * DAY);
    const ended = fake.setSubscription({
      id: sub.id,
      customer,
      status: 'canceled',
      current_period_end: periodEnd,
      ended_at: periodEnd,
      metadata: { member_id: member.id, tier_id: gold.id },
    });
    const later = Math.floor(clock.now().getTime() / 1000);
    expect(
      (await h.deliver(stripeEvent('customer.subscription.deleted', ended, later))).status,
    ).toBe(200);
    fake.reset();
    expect((await checkout(member.id, { tier_id: gold.id, interval: 'month' })).status).toBe(200);
    expect(lastSession().body.subscription_data).toEqual({
      metadata: { member_id: member.id, tier_id: gold.id },
    });
  });

  it('posts from an HTML form and redirects (303) to Stripe', async () => {
    const member = await newMember();
    const res = await h.memberForm(member.id, '/members/checkout', {
      tier_id: founding.id,
      interval: 'year',
      amount: '30000',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(
      /^https:\/\/checkout\.stripe\.test\/c\/pay\/cs_test_/,
    );
    expect(lastSession().body.line_items).toMatchObject([{ price_data: { unit_amount: '30000' } }]);

    const bad = await h.memberForm(member.id, '/members/checkout', {
      tier_id: founding.id,
      interval: 'year',
      amount: '10',
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await bad.text()).toContain('amount: must be at least $150.00');
  });

  it('opens the Customer Portal for a member with a Stripe customer', async () => {
    const member = await newMember();
    await expectError(await h.member(member.id, 'POST', '/api/members/billing-portal'), 409, {
      code: 'no_billing_account',
    });
    await checkout(member.id, { tier_id: gold.id, interval: 'month' });
    const customer = (await readMember(database.db, member.id)).stripe_customer_id!;

    const res = await h.member(member.id, 'POST', '/api/members/billing-portal');
    const body = await json<{ url: string }>(res);
    expect(res.status).toBe(200);
    expect(body.url).toMatch(/^https:\/\/billing\.stripe\.test\/p\/session\/bps_/);
    expect(fake.calls('POST', '/v1/billing_portal/sessions')[0]!.body).toEqual({
      customer,
      return_url: `${PUBLIC_URL}/account`,
    });

    const form = await h.memberForm(member.id, '/members/billing-portal', {});
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toMatch(/^https:\/\/billing\.stripe\.test\//);
  });

  it('refuses a form post without the CSRF token', async () => {
    const member = await newMember();
    const res = await h.app.request(`${PUBLIC_URL}/members/checkout`, {
      method: 'POST',
      headers: { 'x-test-member': member.id, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ tier_id: gold.id, interval: 'month' }).toString(),
    });
    expect(res.status).toBe(403);
    expect(fake.requests).toHaveLength(0);
  });
});
