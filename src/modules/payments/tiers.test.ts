import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from '../../../test/support/database.js';
import { startFakeStripe, type FakeStripe } from '../../../test/support/fake-stripe.js';
import { expectError, json, ManualClock } from '../../../test/support/fixtures.js';
import type { Mailer } from '../../platform/mailer/index.js';
import { insertMember, paymentsHarness, type PaymentsHarness } from './payments.test-app.js';
import type { PublicTier, Tier } from './payments.types.js';

const noMail: Mailer = {
  send: () => Promise.reject(new Error('no mail expected')),
  close: () => Promise.resolve(),
};

const gold = {
  name: 'Gold',
  description: 'Every analysis, every transcript',
  currency: 'USD',
  monthly_amount: 800,
  yearly_amount: 8000,
  trial_days: 14,
  open: true,
};

describe.each(engines)('tiers on %s', (dialect) => {
  let database: TestDatabase;
  let fake: FakeStripe;
  let h: PaymentsHarness;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    fake = await startFakeStripe();
    h = await paymentsHarness({
      db: database.db,
      dialect,
      clock: new ManualClock(),
      mailer: noMail,
      stripeUrl: fake.url,
    });
  });
  afterAll(async () => {
    await fake.close();
    await database.destroy();
  });
  beforeEach(() => fake.reset());

  async function createTier(input: Record<string, unknown>): Promise<Tier> {
    const res = await h.admin('POST', '/api/admin/tiers', input);
    const body = await json<{ tier: Tier }>(res);
    expect(res.status, JSON.stringify(body)).toBe(201);
    return body.tier;
  }

  it('creates a tier with its Stripe product and a monthly and a yearly price', async () => {
    const tier = await createTier(gold);
    expect(tier).toMatchObject({
      name: 'Gold',
      slug: 'gold',
      currency: 'usd',
      monthly_amount: 800,
      yearly_amount: 8000,
      founding_min_amount: null,
      trial_days: 14,
      open: true,
      active: true,
    });
    expect(tier.stripe_product_id).toMatch(/^prod_/);
    expect(tier.stripe_monthly_price_id).toMatch(/^price_/);
    expect(tier.stripe_yearly_price_id).toMatch(/^price_/);

    const [product] = fake.calls('POST', '/v1/products');
    expect(product!.body).toEqual({
      name: 'Gold',
      description: 'Every analysis, every transcript',
      metadata: { tier_id: tier.id },
    });
    const prices = fake.calls('POST', '/v1/prices').map((r) => r.body);
    expect(prices).toEqual([
      {
        product: tier.stripe_product_id,
        currency: 'usd',
        unit_amount: '800',
        recurring: { interval: 'month' },
        metadata: { tier_id: tier.id },
      },
      {
        product: tier.stripe_product_id,
        currency: 'usd',
        unit_amount: '8000',
        recurring: { interval: 'year' },
        metadata: { tier_id: tier.id },
      },
    ]);
    // The SDK authenticated with the configured key, against the fake.
    expect(fake.requests[0]!.headers.authorization).toBe('Bearer sk_test_pressroom');

    const fetched = await json<{ tier: Tier }>(await h.admin('GET', `/api/admin/tiers/${tier.id}`));
    expect(fetched.tier).toEqual(tier);
  });

  it('creates a new Stripe price when an amount changes, and none when it does not', async () => {
    const tier = await createTier({
      ...gold,
      name: 'Silver',
      monthly_amount: 500,
      yearly_amount: 5000,
    });
    fake.reset();

    const renamed = await json<{ tier: Tier }>(
      await h.admin('PATCH', `/api/admin/tiers/${tier.id}`, { name: 'Silver plus', trial_days: 0 }),
    );
    expect(renamed.tier.stripe_monthly_price_id).toBe(tier.stripe_monthly_price_id);
    expect(renamed.tier.stripe_yearly_price_id).toBe(tier.stripe_yearly_price_id);
    expect(renamed.tier.trial_days).toBe(0);
    expect(fake.calls('POST', '/v1/prices')).toHaveLength(0);
    expect(fake.calls('POST', `/v1/products/${tier.stripe_product_id}`)[0]!.body).toMatchObject({
      name: 'Silver plus',
    });

    fake.reset();
    const repriced = await json<{ tier: Tier }>(
      await h.admin('PATCH', `/api/admin/tiers/${tier.id}`, { monthly_amount: 600 }),
    );
    expect(repriced.tier.monthly_amount).toBe(600);
    expect(repriced.tier.stripe_monthly_price_id).not.toBe(tier.stripe_monthly_price_id);
    expect(repriced.tier.stripe_yearly_price_id).toBe(tier.stripe_yearly_price_id);
    const created = fake.calls('POST', '/v1/prices');
    expect(created).toHaveLength(1);
    expect(created[0]!.body).toMatchObject({
      unit_amount: '600',
      recurring: { interval: 'month' },
    });
    expect(fake.price(repriced.tier.stripe_monthly_price_id!)).toMatchObject({ unit_amount: 600 });

    fake.reset();
    const recurrency = await json<{ tier: Tier }>(
      await h.admin('PATCH', `/api/admin/tiers/${tier.id}`, { currency: 'eur' }),
    );
    expect(fake.calls('POST', '/v1/prices').map((r) => r.body.currency)).toEqual(['eur', 'eur']);
    expect(recurrency.tier.stripe_yearly_price_id).not.toBe(tier.stripe_yearly_price_id);
  });

  it('gives a founding tier a product and no fixed prices', async () => {
    const tier = await createTier({
      name: 'Founding member',
      currency: 'usd',
      founding_min_amount: 15000,
      open: true,
    });
    expect(tier).toMatchObject({
      slug: 'founding-member',
      founding_min_amount: 15000,
      monthly_amount: null,
      yearly_amount: null,
      stripe_monthly_price_id: null,
      stripe_yearly_price_id: null,
    });
    expect(tier.stripe_product_id).toMatch(/^prod_/);
    expect(fake.calls('POST', '/v1/prices')).toHaveLength(0);
  });

  it('refuses a malformed tier with a 400 naming the field, and saves nothing', async () => {
    const before = (await json<{ tiers: Tier[] }>(await h.admin('GET', '/api/admin/tiers'))).tiers
      .length;
    const cases: [Record<string, unknown>, string][] = [
      [{ ...gold, name: 'Needs yearly', yearly_amount: undefined }, 'yearly_amount'],
      [{ ...gold, name: 'Founding and fixed', founding_min_amount: 1000 }, 'monthly_amount'],
      [{ ...gold, currency: 'dollars' }, 'currency'],
      [{ ...gold, monthly_amount: 9.99 }, 'monthly_amount'],
      [{ ...gold, monthly_amount: 0 }, 'monthly_amount'],
      [{ ...gold, trial_days: -1 }, 'trial_days'],
      [{ ...gold, name: '' }, 'name'],
      [{ ...gold, price: 5 }, 'price'],
    ];
    for (const [input, field] of cases) {
      await expectError(await h.admin('POST', '/api/admin/tiers', input), 400, {
        code: 'invalid_input',
        field,
      });
    }
    const after = (await json<{ tiers: Tier[] }>(await h.admin('GET', '/api/admin/tiers'))).tiers
      .length;
    expect(after).toBe(before);
    expect(fake.calls('POST', '/v1/products')).toHaveLength(0);
  });

  it('answers 409 for a taken slug and 404 for an unknown tier', async () => {
    await createTier({ ...gold, name: 'Bronze', slug: 'bronze' });
    await expectError(
      await h.admin('POST', '/api/admin/tiers', { ...gold, name: 'Other', slug: 'bronze' }),
      409,
      { field: 'slug' },
    );
    await expectError(await h.admin('PATCH', '/api/admin/tiers/nope', { name: 'X' }), 404);
    await expectError(await h.admin('POST', '/api/admin/tiers/nope/archive'), 404);
  });

  it('needs an admin: editors get 403, strangers 401', async () => {
    await expectError(await h.editor('GET', '/api/admin/tiers'), 403);
    await expectError(await h.editor('POST', '/api/admin/tiers', gold), 403);
    await expectError(await h.editor('GET', '/api/admin/payments/summary'), 403);
    await expectError(await h.member(undefined, 'GET', '/api/admin/tiers'), 401);
  });

  it('lists active tiers publicly, open and pledge-only alike, without Stripe ids', async () => {
    const pledgeOnly = await createTier({ ...gold, name: 'Patron', open: false, sort_order: 1 });
    const archived = await createTier({ ...gold, name: 'Retired' });
    const res = await h.admin('POST', `/api/admin/tiers/${archived.id}/archive`);
    expect((await json<{ tier: Tier }>(res)).tier.active).toBe(false);

    const body = await json<{ tiers: PublicTier[]; checkout_available: boolean }>(
      await h.member(undefined, 'GET', '/api/members/tiers'),
    );
    const slugs = body.tiers.map((t) => t.slug);
    expect(slugs).toContain('patron');
    expect(slugs).not.toContain('retired');
    expect(body.tiers.find((t) => t.id === pledgeOnly.id)).toEqual({
      id: pledgeOnly.id,
      slug: 'patron',
      name: 'Patron',
      description: gold.description,
      currency: 'usd',
      monthly_amount: 800,
      yearly_amount: 8000,
      founding_min_amount: null,
      trial_days: 14,
      open: false,
    });
    // Keys are set but staff have not opened paid subscriptions.
    expect(body.checkout_available).toBe(false);

    // Staff still see archived tiers, and can bring them back.
    const all = await json<{ tiers: Tier[] }>(await h.admin('GET', '/api/admin/tiers'));
    expect(all.tiers.map((t) => t.slug)).toContain('retired');
    await h.admin('POST', `/api/admin/tiers/${archived.id}/unarchive`);
    const again = await json<{ tiers: PublicTier[] }>(
      await h.member(undefined, 'GET', '/api/members/tiers'),
    );
    expect(again.tiers.map((t) => t.slug)).toContain('retired');
  });

  it('reports a Stripe failure as 502 and saves nothing', async () => {
    fake.fail('POST /v1/prices', 500, 'the fake is down');
    const res = await h.admin('POST', '/api/admin/tiers', { ...gold, name: 'Doomed' });
    await expectError(res, 502, { code: 'payment_provider_error', message: /create the price/ });
    const all = await json<{ tiers: Tier[] }>(await h.admin('GET', '/api/admin/tiers'));
    expect(all.tiers.map((t) => t.name)).not.toContain('Doomed');
  });
});

describe.each(engines)('tiers without Stripe on %s', (dialect) => {
  it('are saved without Stripe ids, which checkout fills in once keys are stored', async () => {
    const database = await createTestDatabase(dialect);
    const fake = await startFakeStripe();
    try {
      const h = await paymentsHarness({
        db: database.db,
        dialect,
        clock: new ManualClock(),
        mailer: noMail,
        env: { STRIPE_API_BASE: fake.url },
      });
      const res = await h.admin('POST', '/api/admin/tiers', gold);
      const { tier } = await json<{ tier: Tier }>(res);
      expect(res.status).toBe(201);
      expect(tier.stripe_product_id).toBeNull();
      expect(fake.requests).toHaveLength(0);

      const view = await json<{ payments: { stripe_configured: boolean } }>(
        await h.admin('GET', '/api/admin/payments/settings'),
      );
      expect(view.payments.stripe_configured).toBe(false);
      await expectError(await h.admin('POST', '/api/admin/payments/open'), 409, {
        code: 'payments_unavailable',
      });

      // Keys stored by staff instead of the environment.
      const stored = await h.admin('PATCH', '/api/admin/payments/settings', {
        stripe_secret_key: 'sk_test_stored',
        stripe_webhook_secret: 'whsec_stored',
      });
      const settings = await json<{
        payments: { stripe_configured: boolean; secret_key: { source: string; hint: string } };
      }>(stored);
      expect(settings.payments.stripe_configured).toBe(true);
      expect(settings.payments.secret_key).toEqual({ source: 'settings', hint: 'sk_test_…ored' });
      expect(JSON.stringify(settings)).not.toContain('sk_test_stored');
      expect(JSON.stringify(settings)).not.toContain('whsec_stored');
      await expectError(
        await h.admin('PATCH', '/api/admin/payments/settings', { stripe_secret_key: 'nope' }),
        400,
        { field: 'stripe_secret_key' },
      );

      expect((await h.admin('POST', '/api/admin/payments/open')).status).toBe(200);
      const member = await insertMember(database.db, new Date());
      const checkout = await h.member(member.id, 'POST', '/api/members/checkout', {
        tier_id: tier.id,
        interval: 'year',
      });
      expect(checkout.status, await checkout.clone().text()).toBe(200);
      expect(fake.calls('POST', '/v1/products')).toHaveLength(1);
      expect(fake.calls('POST', '/v1/prices')).toHaveLength(2);
      expect(fake.requests[0]!.headers.authorization).toBe('Bearer sk_test_stored');
      const synced = await json<{ tier: Tier }>(
        await h.admin('GET', `/api/admin/tiers/${tier.id}`),
      );
      expect(synced.tier.stripe_yearly_price_id).toMatch(/^price_/);
      const session = fake.calls('POST', '/v1/checkout/sessions')[0]!;
      expect(session.body.line_items).toEqual([
        { price: synced.tier.stripe_yearly_price_id, quantity: '1' },
      ]);
    } finally {
      await fake.close();
      await database.destroy();
    }
  });
});
