import { describe, expect, it } from 'vitest';
import {
  deriveBilling,
  monthlyRecurringRevenue,
  startsCancellation,
  supersedes,
  type DerivedBilling,
  type MemberBillingFacts,
  type SubscriptionState,
  type Version,
} from './billing-status.js';
import { readInvoice, readSubscription } from './stripe-objects.js';

const now = new Date('2026-06-01T12:00:00Z');
const later = '2026-07-01T00:00:00.000Z';
const earlier = '2026-05-01T00:00:00.000Z';

describe('supersedes: which version of a subscription wins', () => {
  const v = (status: string, eventCreated: number): Version => ({ status, eventCreated });
  const cases: [string, Version | undefined, Version, boolean][] = [
    ['nothing stored yet', undefined, v('active', 100), true],
    ['a newer event', v('active', 100), v('past_due', 101), true],
    ['an older event arriving late', v('past_due', 101), v('active', 100), false],
    [
      'same second, later stage (incomplete → active)',
      v('incomplete', 100),
      v('active', 100),
      true,
    ],
    [
      'same second, earlier stage (active → incomplete)',
      v('active', 100),
      v('incomplete', 100),
      false,
    ],
    ['same second, same stage', v('active', 100), v('active', 100), true],
    ['same second, ended after running', v('active', 100), v('canceled', 100), true],
    [
      'an ended subscription is never revived, even by a newer event',
      v('canceled', 100),
      v('active', 200),
      false,
    ],
    [
      'ended stays ended, updated by a newer ended version',
      v('canceled', 100),
      v('canceled', 200),
      true,
    ],
    ['an expired checkout is over too', v('incomplete_expired', 100), v('active', 200), false],
  ];
  it.each(cases)('%s', (_name, stored, incoming, expected) => {
    expect(supersedes(stored, incoming)).toBe(expected);
  });
});

describe('deriveBilling: member status from subscriptions and comp', () => {
  const member = (status: MemberBillingFacts['status'], comp_until: string | null = null) => ({
    status,
    comp_until,
  });
  const sub = (status: string, extra: Partial<SubscriptionState> = {}): SubscriptionState => ({
    id: `sub_${status}`,
    tier_id: 'tier-gold',
    status,
    interval: 'month',
    amount: 500,
    currency: 'usd',
    current_period_end: later,
    cancel_at_period_end: 0,
    ...extra,
  });
  const cases: [string, MemberBillingFacts, SubscriptionState[], DerivedBilling][] = [
    ['no subscriptions', member('free'), [], { status: 'free', tier_id: null, access_until: null }],
    [
      'active',
      member('free'),
      [sub('active')],
      { status: 'paid', tier_id: 'tier-gold', access_until: null },
    ],
    [
      'trialing',
      member('free'),
      [sub('trialing')],
      { status: 'paid', tier_id: 'tier-gold', access_until: null },
    ],
    [
      'cancelled at period end: still paid, noting when it stops',
      member('paid'),
      [sub('active', { cancel_at_period_end: 1 })],
      { status: 'paid', tier_id: 'tier-gold', access_until: later },
    ],
    [
      'card being retried',
      member('paid'),
      [sub('past_due')],
      { status: 'past_due', tier_id: 'tier-gold', access_until: null },
    ],
    [
      'ended: access to the end of the period paid for',
      member('paid'),
      [sub('canceled')],
      { status: 'cancelled', tier_id: 'tier-gold', access_until: later },
    ],
    [
      'gave up collecting (unpaid) counts as ended',
      member('past_due'),
      [sub('unpaid', { current_period_end: earlier })],
      { status: 'cancelled', tier_id: 'tier-gold', access_until: earlier },
    ],
    [
      'an abandoned checkout is nothing',
      member('free'),
      [sub('incomplete_expired')],
      { status: 'free', tier_id: null, access_until: null },
    ],
    [
      'a new subscription after an ended one',
      member('cancelled'),
      [
        sub('canceled', { id: 'old', current_period_end: earlier }),
        sub('active', { id: 'new', tier_id: 'tier-silver' }),
      ],
      { status: 'paid', tier_id: 'tier-silver', access_until: null },
    ],
    [
      'comp until later beats ended',
      member('comped', later),
      [sub('canceled')],
      { status: 'comped', access_until: null },
    ],
    [
      'open-ended comp beats free',
      member('comped', null),
      [],
      { status: 'comped', access_until: null },
    ],
    [
      'comp until later, while free',
      member('free', later),
      [],
      { status: 'comped', access_until: null },
    ],
    [
      'expired comp is free',
      member('comped', earlier),
      [],
      { status: 'free', tier_id: null, access_until: null },
    ],
    [
      'paying beats a comp',
      member('comped', later),
      [sub('active')],
      { status: 'paid', tier_id: 'tier-gold', access_until: null },
    ],
  ];
  it.each(cases)('%s', (_name, m, subs, expected) => {
    expect(deriveBilling(m, subs, now)).toEqual(expected);
  });
});

describe('startsCancellation', () => {
  const s = (status: string, cancel_at_period_end = 0) => ({ status, cancel_at_period_end });
  const cases: [string, ReturnType<typeof s> | undefined, ReturnType<typeof s>, boolean][] = [
    ['first seen active', undefined, s('active'), false],
    ['first seen already cancelled (events out of order)', undefined, s('canceled'), true],
    ['cancel at period end requested', s('active'), s('active', 1), true],
    ['period end reached after cancelling', s('active', 1), s('canceled', 1), false],
    ['ended outright', s('past_due'), s('canceled'), true],
    ['resumed before the period ended', s('active', 1), s('active', 0), false],
  ];
  it.each(cases)('%s', (_name, before, after, expected) => {
    expect(startsCancellation(before, after)).toBe(expected);
  });
});

describe('monthlyRecurringRevenue', () => {
  const s = (status: string, interval: string, amount: number, currency = 'usd') => ({
    id: 'x',
    tier_id: null,
    status,
    interval,
    amount,
    currency,
    current_period_end: null,
    cancel_at_period_end: 0,
  });
  it('sums monthly, twelfths of yearly, per currency; leaves out trials and the ended', () => {
    expect(
      monthlyRecurringRevenue([
        s('active', 'month', 500),
        s('active', 'year', 6000),
        s('past_due', 'month', 700),
        s('trialing', 'month', 900),
        s('canceled', 'month', 900),
        s('active', 'month', 400, 'eur'),
        s('active', 'year', 1000, 'eur'),
      ]),
    ).toEqual([
      { currency: 'eur', amount: 483 },
      { currency: 'usd', amount: 1700 },
    ]);
  });
});

describe('reading Stripe objects from either API version', () => {
  const price = {
    id: 'price_1',
    product: 'prod_1',
    unit_amount: 500,
    currency: 'usd',
    recurring: { interval: 'month', interval_count: 1 },
  };
  const base = {
    id: 'sub_1',
    status: 'active',
    customer: 'cus_1',
    metadata: { member_id: 'm1', tier_id: 't1' },
    cancel_at_period_end: false,
    trial_end: null,
  };

  it('takes the billing period from the items (2025-03-31 and later)', () => {
    const facts = readSubscription({
      ...base,
      items: {
        data: [
          {
            current_period_start: 1_700_000_000,
            current_period_end: 1_702_592_000,
            quantity: 1,
            price,
          },
        ],
      },
    });
    expect(facts).toMatchObject({
      id: 'sub_1',
      customerId: 'cus_1',
      memberId: 'm1',
      tierId: 't1',
      priceId: 'price_1',
      productId: 'prod_1',
      interval: 'month',
      amount: 500,
      currency: 'usd',
      currentPeriodEnd: new Date(1_702_592_000_000).toISOString(),
      cancelAtPeriodEnd: false,
    });
  });

  it('takes it from the subscription in older payloads', () => {
    const facts = readSubscription({
      ...base,
      customer: { id: 'cus_1', object: 'customer' },
      current_period_end: 1_702_592_000,
      items: { data: [{ quantity: 2, price: { ...price, product: { id: 'prod_1' } } }] },
    });
    expect(facts.currentPeriodEnd).toBe(new Date(1_702_592_000_000).toISOString());
    expect(facts.customerId).toBe('cus_1');
    expect(facts.productId).toBe('prod_1');
    expect(facts.amount).toBe(1000);
  });

  it('ends access when a subscription ended for non-payment, not at the unpaid period end', () => {
    const facts = readSubscription({
      ...base,
      status: 'canceled',
      ended_at: 1_701_000_000,
      cancellation_details: { reason: 'payment_failed' },
      items: {
        data: [{ current_period_start: 1_700_000_000, current_period_end: 1_702_592_000, price }],
      },
    });
    expect(facts.currentPeriodEnd).toBe(new Date(1_701_000_000_000).toISOString());
  });

  it('finds an invoice’s subscription under parent (new) or at the top (old)', () => {
    expect(
      readInvoice({
        id: 'in_1',
        customer: 'cus_1',
        parent: { subscription_details: { subscription: 'sub_new' } },
      }).subscriptionId,
    ).toBe('sub_new');
    expect(
      readInvoice({ id: 'in_2', customer: 'cus_1', subscription: 'sub_old' }).subscriptionId,
    ).toBe('sub_old');
    expect(readInvoice({ id: 'in_3', customer: 'cus_1', parent: null }).subscriptionId).toBeNull();
  });
});
