import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from '../../../test/support/database.js';
import { startFakeStripe, type FakeStripe } from '../../../test/support/fake-stripe.js';
import { DAY, json, ManualClock } from '../../../test/support/fixtures.js';
import type { Mailer } from '../../platform/mailer/index.js';
import { accessLevel } from '../members/access.js';
import type { Member } from '../members/members.types.js';
import {
  insertMember,
  insertPledge,
  memberEventTypes,
  paymentsHarness,
  readMember,
  readPledge,
  stripeEvent,
  WEBHOOK_SECRET,
  type PaymentsHarness,
} from './payments.test-app.js';
import type { BillingSummary, Tier } from './payments.types.js';

const noMail: Mailer = {
  send: () => Promise.reject(new Error('no mail expected')),
  close: () => Promise.resolve(),
};

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

describe.each(engines)('Stripe webhooks on %s', (dialect) => {
  let database: TestDatabase;
  let fake: FakeStripe;
  let h: PaymentsHarness;
  let clock: ManualClock;
  let gold: Tier;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    fake = await startFakeStripe();
    clock = new ManualClock('2026-03-02T10:00:00.000Z');
    h = await paymentsHarness({
      db: database.db,
      dialect,
      clock,
      mailer: noMail,
      stripeUrl: fake.url,
    });
    gold = (
      await json<{ tier: Tier }>(
        await h.admin('POST', '/api/admin/tiers', {
          name: 'Gold',
          currency: 'usd',
          monthly_amount: 800,
          yearly_amount: 8000,
          open: true,
        }),
      )
    ).tier;
    await h.admin('POST', '/api/admin/payments/open');
  });
  afterAll(async () => {
    await fake.close();
    await database.destroy();
  });

  const db = () => database.db;
  const viewerOf = (m: Member) =>
    ({
      kind: 'member',
      status: m.status,
      tierId: m.tier_id,
      compUntil: m.comp_until,
      accessUntil: m.access_until,
    }) as const;
  const levelNow = async (memberId: string) =>
    accessLevel(viewerOf((await readMember(db(), memberId)) as Member), clock.now());
  const countRows = async (table: 'stripe_events' | 'subscriptions') =>
    Number(
      (
        await db()
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** A member who has been through checkout (so has a Stripe customer) and their subscription. */
  async function subscriber(fields: Parameters<typeof insertMember>[2] = {}) {
    const member = await insertMember(db(), clock.now(), fields);
    const res = await h.member(member.id, 'POST', '/api/members/checkout', {
      tier_id: gold.id,
      interval: 'month',
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const customer = (await readMember(db(), member.id)).stripe_customer_id!;
    const periodEnd = seconds(clock.now()) + 30 * 86_400;
    const subscription = (overrides: Partial<Parameters<FakeStripe['setSubscription']>[0]> = {}) =>
      fake.setSubscription({
        id: `sub_${member.id.slice(0, 8)}`,
        customer,
        status: 'active',
        current_period_end: periodEnd,
        price: {
          id: gold.stripe_monthly_price_id!,
          product: gold.stripe_product_id!,
          unit_amount: 800,
          currency: 'usd',
          interval: 'month',
        },
        metadata: { member_id: member.id, tier_id: gold.id },
        ...overrides,
      });
    return { member, customer, periodEnd, subscription };
  }

  const invoice = (
    sub: { id: string; customer: unknown },
    extra: Record<string, unknown> = {},
  ) => ({
    id: `in_${Math.random().toString(36).slice(2)}`,
    object: 'invoice',
    customer: sub.customer,
    status: 'paid',
    amount_paid: 800,
    amount_due: 800,
    currency: 'usd',
    attempt_count: 1,
    parent: {
      type: 'subscription_details',
      subscription_details: { subscription: sub.id, metadata: {} },
    },
    ...extra,
  });

  const checkoutCompleted = (memberId: string, customer: string, subId: string) => ({
    id: `cs_test_${Math.random().toString(36).slice(2)}`,
    object: 'checkout.session',
    mode: 'subscription',
    status: 'complete',
    payment_status: 'paid',
    customer,
    subscription: subId,
    client_reference_id: memberId,
    metadata: { member_id: memberId, tier_id: gold.id },
  });

  it('applies a valid subscription event: the member becomes paid on the tier', async () => {
    const { member, subscription, periodEnd } = await subscriber();
    const sub = subscription();
    const res = await h.deliver(
      stripeEvent('customer.subscription.created', sub, seconds(clock.now())),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, outcome: 'processed' });

    expect(await readMember(db(), member.id)).toMatchObject({
      status: 'paid',
      tier_id: gold.id,
      access_until: null,
    });
    const row = await db()
      .selectFrom('subscriptions')
      .selectAll()
      .where('id', '=', sub.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      member_id: member.id,
      tier_id: gold.id,
      status: 'active',
      interval: 'month',
      amount: 800,
      currency: 'usd',
      current_period_end: new Date(periodEnd * 1000).toISOString(),
      cancel_at_period_end: 0,
      stripe_event_created: seconds(clock.now()),
    });
    expect(await levelNow(member.id)).toBe('paid');

    const billing = await json<{ billing: BillingSummary }>(
      await h.member(member.id, 'GET', '/api/members/billing'),
    );
    expect(billing.billing).toEqual({
      subscription_id: sub.id,
      status: 'active',
      tier_id: gold.id,
      plan: 'Gold',
      interval: 'month',
      amount: 800,
      currency: 'usd',
      current_period_end: new Date(periodEnd * 1000).toISOString(),
      renews_at: new Date(periodEnd * 1000).toISOString(),
      cancel_at_period_end: false,
      trial_end: null,
      portal_available: true,
      manage_path: '/members/billing-portal',
    });
    expect(await h.payments.billingSummary(member.id)).toEqual(billing.billing);
  });

  it('refuses a bad or missing signature with 400 and changes nothing', async () => {
    const { member, subscription } = await subscriber();
    const event = stripeEvent(
      'customer.subscription.created',
      subscription(),
      seconds(clock.now()),
    );
    const payload = JSON.stringify(event);
    const before = {
      events: await countRows('stripe_events'),
      subs: await countRows('subscriptions'),
    };
    const stale = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: WEBHOOK_SECRET,
      timestamp: seconds(clock.now()) - 10 * 60,
    });
    const tampered = Stripe.webhooks.generateTestHeaderString({
      payload: payload.replace('"active"', '"trialing"'),
      secret: WEBHOOK_SECRET,
      timestamp: seconds(clock.now()),
    });
    for (const res of [
      await h.deliver(event, { secret: 'whsec_someone_else' }),
      await h.deliver(event, { signature: null }),
      await h.deliver(event, { signature: 'garbage' }),
      await h.deliver(event, { signature: stale }),
      await h.deliver(event, { signature: tampered }),
    ]) {
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'invalid_signature' } });
    }
    expect(await countRows('stripe_events')).toBe(before.events);
    expect(await countRows('subscriptions')).toBe(before.subs);
    expect(await readMember(db(), member.id)).toMatchObject({ status: 'free', tier_id: null });
    expect(await memberEventTypes(db(), member.id)).toEqual([]);

    // The same event, correctly signed, is then applied: nothing was remembered of the bad ones.
    expect(await (await h.deliver(event)).json()).toMatchObject({ outcome: 'processed' });
    expect((await readMember(db(), member.id)).status).toBe('paid');
  });

  it('ignores a replayed event: no second effect', async () => {
    const { member, subscription } = await subscriber();
    const sub = subscription();
    const paid = stripeEvent('invoice.paid', invoice(sub), seconds(clock.now()));
    expect(await (await h.deliver(paid)).json()).toMatchObject({ outcome: 'processed' });
    clock.advance(60_000);
    const replay = await h.deliver(paid);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ outcome: 'duplicate' });
    expect(await memberEventTypes(db(), member.id)).toEqual(['paid']);
    expect((await readMember(db(), member.id)).status).toBe('paid');
  });

  it('applies one of two concurrent deliveries of the same event', async () => {
    const { member, subscription } = await subscriber();
    const sub = subscription();
    const paid = stripeEvent('invoice.paid', invoice(sub), seconds(clock.now()));
    const eventsBefore = await countRows('stripe_events');
    const [a, b] = await Promise.all([h.deliver(paid), h.deliver(paid)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const outcomes = [
      (await a.json()) as { outcome: string },
      (await b.json()) as { outcome: string },
    ]
      .map((o) => o.outcome)
      .sort();
    expect(outcomes).toEqual(['duplicate', 'processed']);
    expect(await memberEventTypes(db(), member.id)).toEqual(['paid']);
    expect(await countRows('stripe_events')).toBe(eventsBefore + 1);
  });

  it('ends cancelled when subscription.updated(canceled) arrives before subscription.created', async () => {
    const { member, subscription, periodEnd } = await subscriber();
    const created = subscription({ status: 'active' });
    const t0 = seconds(clock.now());
    const cancelled = subscription({
      status: 'canceled',
      ended_at: t0 + 60,
      canceled_at: t0 + 60,
      cancellation_reason: 'cancellation_requested',
    });
    const updated = stripeEvent('customer.subscription.updated', cancelled, t0 + 60);
    const earlier = stripeEvent('customer.subscription.created', created, t0);

    expect(await (await h.deliver(updated)).json()).toMatchObject({ outcome: 'processed' });
    expect(await (await h.deliver(earlier)).json()).toMatchObject({ outcome: 'processed' });

    const stored = await readMember(db(), member.id);
    expect(stored).toMatchObject({
      status: 'cancelled',
      tier_id: gold.id,
      access_until: new Date(periodEnd * 1000).toISOString(),
    });
    const row = await db()
      .selectFrom('subscriptions')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('canceled');
    expect(row.stripe_event_created).toBe(t0 + 60);
    expect(await memberEventTypes(db(), member.id)).toEqual(['cancelled']);
  });

  it('ends in the same state whether invoice.paid comes before or after checkout.session.completed', async () => {
    const results: unknown[] = [];
    for (const order of ['checkout first', 'invoice first'] as const) {
      const { member, customer, subscription } = await subscriber();
      await insertPledge(db(), clock.now(), {
        member_id: member.id,
        tier_id: gold.id,
        amount: 700,
      });
      const sub = subscription();
      const at = seconds(clock.now());
      const completed = stripeEvent(
        'checkout.session.completed',
        checkoutCompleted(member.id, customer, sub.id),
        at,
      );
      const paid = stripeEvent('invoice.paid', invoice(sub), at);
      for (const e of order === 'checkout first' ? [completed, paid] : [paid, completed])
        expect((await h.deliver(e)).status).toBe(200);
      const m = await readMember(db(), member.id);
      const pledge = await readPledge(db(), member.id);
      results.push({
        member: { status: m.status, tier_id: m.tier_id, access_until: m.access_until },
        pledge: { status: pledge.status, converted: pledge.converted_at !== null },
        events: (await memberEventTypes(db(), member.id)).sort(),
      });
    }
    expect(results[0]).toEqual({
      member: { status: 'paid', tier_id: gold.id, access_until: null },
      pledge: { status: 'converted', converted: true },
      events: ['paid', 'pledge_converted'],
    });
    expect(results[1]).toEqual(results[0]);
  });

  it('converts an active pledge when its member completes checkout', async () => {
    const { member, customer, subscription } = await subscriber();
    await insertPledge(db(), clock.now(), { member_id: member.id, tier_id: gold.id, amount: 600 });
    const sub = subscription({ status: 'trialing', trial_end: seconds(clock.now()) + 14 * 86_400 });
    const completed = stripeEvent(
      'checkout.session.completed',
      checkoutCompleted(member.id, customer, sub.id),
      seconds(clock.now()),
    );
    expect((await h.deliver(completed)).status).toBe(200);
    expect(fake.calls('GET', `/v1/subscriptions/${sub.id}`).length).toBeGreaterThan(0);
    expect(await readPledge(db(), member.id)).toMatchObject({
      status: 'converted',
      converted_at: clock.now().toISOString(),
    });
    expect(await readMember(db(), member.id)).toMatchObject({ status: 'paid', tier_id: gold.id });
    expect(await memberEventTypes(db(), member.id)).toEqual(['pledge_converted']);
    const summary = await json<{ summary: { pledgers: { converted: number } } }>(
      await h.admin('GET', '/api/admin/payments/summary'),
    );
    expect(summary.summary.pledgers.converted).toBeGreaterThanOrEqual(1);
  });

  it('marks a member past due when a renewal fails, keeping access while Stripe retries', async () => {
    const { member, subscription } = await subscriber();
    const sub = subscription();
    await h.deliver(stripeEvent('customer.subscription.created', sub, seconds(clock.now())));
    clock.advance(30 * DAY);
    const overdue = subscription({
      status: 'past_due',
      current_period_end: seconds(clock.now()) + 30 * 86_400,
    });
    const failed = stripeEvent(
      'invoice.payment_failed',
      invoice(overdue, { status: 'open', amount_paid: 0, attempt_count: 1 }),
      seconds(clock.now()),
    );
    expect((await h.deliver(failed)).status).toBe(200);
    expect(await readMember(db(), member.id)).toMatchObject({
      status: 'past_due',
      tier_id: gold.id,
    });
    expect(await memberEventTypes(db(), member.id)).toEqual(['payment_failed']);
    expect(await levelNow(member.id)).toBe('paid');

    // The card works on the retry: paid again.
    clock.advance(DAY);
    subscription({ status: 'active', current_period_end: seconds(clock.now()) + 29 * 86_400 });
    await h.deliver(stripeEvent('invoice.paid', invoice(overdue), seconds(clock.now())));
    expect((await readMember(db(), member.id)).status).toBe('paid');
    expect(await memberEventTypes(db(), member.id)).toEqual(['payment_failed', 'paid']);
  });

  it('keeps access after cancelling until the period ends, then the reader is a member again', async () => {
    const { member, subscription, periodEnd } = await subscriber();
    await h.deliver(
      stripeEvent('customer.subscription.created', subscription(), seconds(clock.now())),
    );

    clock.advance(5 * DAY);
    const cancelling = subscription({ cancel_at_period_end: true });
    await h.deliver(stripeEvent('customer.subscription.updated', cancelling, seconds(clock.now())));
    const periodEndIso = new Date(periodEnd * 1000).toISOString();
    expect(await readMember(db(), member.id)).toMatchObject({
      status: 'paid',
      access_until: periodEndIso,
    });
    expect(await memberEventTypes(db(), member.id)).toEqual(['cancelled']);
    const summary = await h.payments.billingSummary(member.id);
    expect(summary).toMatchObject({
      cancel_at_period_end: true,
      current_period_end: periodEndIso,
      renews_at: null,
    });

    clock.advance(25 * DAY + 60_000);
    const ended = subscription({
      status: 'canceled',
      cancel_at_period_end: true,
      ended_at: periodEnd,
      canceled_at: periodEnd - 25 * 86_400,
      cancellation_reason: 'cancellation_requested',
    });
    // Delivered late: the period has just ended as it arrives.
    await h.deliver(stripeEvent('customer.subscription.deleted', ended, periodEnd));
    expect(await readMember(db(), member.id)).toMatchObject({
      status: 'cancelled',
      tier_id: gold.id,
      access_until: periodEndIso,
    });
    // One cancellation, not a second one when the period ran out.
    expect(await memberEventTypes(db(), member.id)).toEqual(['cancelled']);
    expect(await levelNow(member.id)).toBe('member');
  });

  it('keeps paid access after an immediate cancellation until the paid period ends', async () => {
    const { member, subscription, periodEnd } = await subscriber();
    await h.deliver(
      stripeEvent('customer.subscription.created', subscription(), seconds(clock.now())),
    );
    clock.advance(DAY);
    const ended = subscription({
      status: 'canceled',
      ended_at: seconds(clock.now()),
      cancellation_reason: 'cancellation_requested',
    });
    await h.deliver(stripeEvent('customer.subscription.deleted', ended, seconds(clock.now())));
    expect((await readMember(db(), member.id)).status).toBe('cancelled');
    expect(await levelNow(member.id)).toBe('paid');
    clock.advance(periodEnd * 1000 - clock.now().getTime() + 1000);
    expect(await levelNow(member.id)).toBe('member');
  });

  it('lets a comp outlast an ended subscription', async () => {
    const compUntil = new Date(clock.now().getTime() + 365 * DAY).toISOString();
    const { member, subscription } = await subscriber({ status: 'comped', comp_until: compUntil });
    await h.deliver(
      stripeEvent('customer.subscription.created', subscription(), seconds(clock.now())),
    );
    expect((await readMember(db(), member.id)).status).toBe('paid');
    clock.advance(DAY);
    const ended = subscription({ status: 'canceled', ended_at: seconds(clock.now()) });
    await h.deliver(stripeEvent('customer.subscription.deleted', ended, seconds(clock.now())));
    expect(await readMember(db(), member.id)).toMatchObject({
      status: 'comped',
      comp_until: compUntil,
    });
  });

  it('acknowledges events it does not handle without recording them', async () => {
    const before = await countRows('stripe_events');
    const res = await h.deliver(
      stripeEvent('customer.updated', { id: 'cus_x', object: 'customer' }, seconds(clock.now())),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, outcome: 'ignored' });
    expect(await countRows('stripe_events')).toBe(before);
  });

  it('records and skips an event for a customer it does not know', async () => {
    const stranger = fake.setSubscription({
      customer: 'cus_unknown',
      current_period_end: seconds(clock.now()) + 86_400,
    });
    const event = stripeEvent('customer.subscription.created', stranger, seconds(clock.now()));
    expect(await (await h.deliver(event)).json()).toMatchObject({ outcome: 'ignored' });
    expect(await (await h.deliver(event)).json()).toMatchObject({ outcome: 'duplicate' });
    expect(
      await db()
        .selectFrom('subscriptions')
        .select('id')
        .where('id', '=', stranger.id)
        .executeTakeFirst(),
    ).toBeUndefined();
  });

  it('answers 502 when Stripe cannot be reached, so that Stripe retries later', async () => {
    const { member, subscription } = await subscriber();
    const sub = subscription();
    fake.fail('GET /v1/subscriptions/:id', 500);
    const paid = stripeEvent('invoice.paid', invoice(sub), seconds(clock.now()));
    expect((await h.deliver(paid)).status).toBe(502);
    expect((await readMember(db(), member.id)).status).toBe('free');
    fake.reset();
    expect(await (await h.deliver(paid)).json()).toMatchObject({ outcome: 'processed' });
    expect((await readMember(db(), member.id)).status).toBe('paid');
  });
});
