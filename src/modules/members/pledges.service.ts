import { randomUUID } from 'node:crypto';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import { AppError, notFound } from '../../platform/errors.js';
import { recordMemberEvent } from './member-events.repository.js';
import * as repo from './pledges.repository.js';

export const PLEDGE_INTERVALS = ['month', 'year'] as const;
export type PledgeInterval = (typeof PLEDGE_INTERVALS)[number];
export type PledgeStatus = 'active' | 'withdrawn' | 'converted';

/** Largest pledge accepted, in the currency's major unit: a typo guard, not a policy. */
export const MAX_PLEDGE_MAJOR = 100_000;

export interface Pledge {
  id: string;
  member_id: string;
  tier_id: string | null;
  /** Minor units (cents), like every amount of money stored. */
  amount: number;
  currency: string;
  interval: PledgeInterval;
  status: PledgeStatus;
  invited_at: string | null;
  converted_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface PledgeWithMember extends Pledge {
  email: string;
  name: string | null;
}

export interface PledgeSummary {
  /** Active pledges. */
  count: number;
  /** What the active pledges come to per month, in minor units; yearly ones count 1/12. */
  monthly_total_by_currency: Record<string, number>;
}

const toPledge = (r: repo.PledgeRecord): Pledge => ({
  id: r.id,
  member_id: r.member_id,
  tier_id: r.tier_id,
  amount: Number(r.amount),
  currency: r.currency,
  interval: r.interval as PledgeInterval,
  status: r.status as PledgeStatus,
  invited_at: r.invited_at,
  converted_at: r.converted_at,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

// ISO 4217 currencies Stripe treats as having no minor unit: 5 JPY is stored as 5.
const ZERO_DECIMAL = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'JPY',
  'KMF',
  'KRW',
  'MGA',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);

export function minorUnitsPerMajor(currency: string): number {
  return ZERO_DECIMAL.has(currency.toUpperCase()) ? 1 : 100;
}

/** Readers pledge whole amounts ("5" dollars); storage is in minor units (500 cents). */
export function toMinorUnits(amountMajor: number, currency: string): number {
  return amountMajor * minorUnitsPerMajor(currency);
}

export function formatMoney(minor: number, currency: string, locale = 'en'): string {
  const major = minor / minorUnitsPerMajor(currency);
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(major);
  } catch {
    return `${major.toFixed(minorUnitsPerMajor(currency) === 1 ? 0 : 2)} ${currency}`;
  }
}

/** Rounded once per currency, after adding, so twelve yearly pledges lose no cents. */
export function summarizePledges(
  totals: readonly { currency: string; interval: string; count: number; total: number }[],
): PledgeSummary {
  let count = 0;
  const exact = new Map<string, number>();
  for (const t of totals) {
    count += Number(t.count);
    const monthly = t.interval === 'year' ? Number(t.total) / 12 : Number(t.total);
    exact.set(t.currency, (exact.get(t.currency) ?? 0) + monthly);
  }
  const byCurrency: Record<string, number> = {};
  for (const [currency, total] of [...exact].sort(([a], [b]) => a.localeCompare(b)))
    byCurrency[currency] = Math.round(total);
  return { count, monthly_total_by_currency: byCurrency };
}

const pledgesClosed = () =>
  new AppError('pledges_closed', 'Pledges are not being taken at the moment.', { status: 409 });

export interface PledgesServiceDeps {
  db: Db;
  clock: Clock;
  /** ISO code new pledges are made in. */
  currency: () => Promise<string>;
  /** The publication's switch for pledges, kept with its other settings. */
  switch: {
    get(): Promise<boolean>;
    set(enabled: boolean): Promise<void>;
  };
}

/**
 * A pledge is a member's promise to pay once paid subscriptions open. Members make, change
 * and withdraw their own; the payments module invites the active ones and marks them
 * converted when a subscription starts.
 */
export class PledgesService {
  constructor(private readonly deps: PledgesServiceDeps) {}

  private now() {
    return this.deps.clock.now().toISOString();
  }

  async currency(): Promise<string> {
    return (await this.deps.currency()).toUpperCase();
  }

  /**
   * Whether readers may make or change a pledge. On until staff turn it off; turning it off
   * keeps the pledges made so far (they are still invited when paid subscriptions open, and
   * their makers can still withdraw them).
   */
  async enabled(): Promise<boolean> {
    return this.deps.switch.get();
  }

  async setEnabled(enabled: boolean): Promise<boolean> {
    await this.deps.switch.set(enabled);
    return enabled;
  }

  async forMember(memberId: string): Promise<Pledge | undefined> {
    const row = await repo.findActivePledge(this.deps.db, memberId);
    return row && toPledge(row);
  }

  /** Makes the member's pledge, or changes the one they have: one active pledge each. */
  async pledge(
    memberId: string,
    input: { amount: number; interval: PledgeInterval },
  ): Promise<{ pledge: Pledge; created: boolean }> {
    if (!(await this.enabled())) throw pledgesClosed();
    const currency = await this.currency();
    const amount = toMinorUnits(input.amount, currency);
    const now = this.now();
    return this.deps.db.transaction().execute(async (trx) => {
      await repo.lockMember(trx, memberId, now);
      const existing = await repo.findActivePledge(trx, memberId);
      if (
        existing &&
        Number(existing.amount) === amount &&
        existing.currency === currency &&
        existing.interval === input.interval
      ) {
        return { pledge: toPledge(existing), created: false };
      }
      const row = existing
        ? await repo.updatePledge(trx, existing.id, {
            amount,
            currency,
            interval: input.interval,
            updated_at: now,
          })
        : await repo.insertPledge(trx, {
            id: randomUUID(),
            member_id: memberId,
            tier_id: null,
            amount,
            currency,
            interval: input.interval,
            status: 'active',
            invited_at: null,
            converted_at: null,
            created_at: now,
            updated_at: now,
          });
      await recordMemberEvent(
        trx,
        memberId,
        'pledged',
        {
          amount,
          currency,
          interval: input.interval,
          tier: row.tier_id,
          ...(existing ? { changed_from: { amount: Number(existing.amount) } } : {}),
        },
        now,
      );
      return { pledge: toPledge(row), created: !existing };
    });
  }

  async withdraw(memberId: string): Promise<void> {
    const now = this.now();
    await this.deps.db.transaction().execute(async (trx) => {
      await repo.lockMember(trx, memberId, now);
      const existing = await repo.findActivePledge(trx, memberId);
      if (!existing) throw notFound('Pledge');
      await repo.updatePledge(trx, existing.id, { status: 'withdrawn', updated_at: now });
      await recordMemberEvent(
        trx,
        memberId,
        'pledge_withdrawn',
        { amount: Number(existing.amount), currency: existing.currency },
        now,
      );
    });
  }

  /** Who to invite when paid subscriptions open. */
  async activePledges(): Promise<PledgeWithMember[]> {
    return this.list('active');
  }

  async list(status?: PledgeStatus): Promise<PledgeWithMember[]> {
    const rows = await repo.listPledgesWithMembers(this.deps.db, status);
    return rows.map((r) => ({ ...toPledge(r), email: r.email, name: r.name }));
  }

  /** Records that the member was invited to turn the pledge into a subscription. */
  async markInvited(memberId: string): Promise<boolean> {
    return this.transition(memberId, 'pledge_invited', (now) => ({ invited_at: now }));
  }

  /**
   * The member's subscription started: their pledge is kept, as converted. Records the
   * `pledge_converted` event, so callers need not. False when there was no active pledge.
   */
  async markConverted(memberId: string): Promise<boolean> {
    return this.transition(memberId, 'pledge_converted', (now) => ({
      status: 'converted',
      converted_at: now,
    }));
  }

  async pledgeSummary(): Promise<PledgeSummary> {
    return summarizePledges(await repo.activePledgeTotals(this.deps.db));
  }

  private async transition(
    memberId: string,
    event: 'pledge_invited' | 'pledge_converted',
    patch: (now: string) => Parameters<typeof repo.updatePledge>[2],
  ): Promise<boolean> {
    const now = this.now();
    return this.deps.db.transaction().execute(async (trx) => {
      await repo.lockMember(trx, memberId, now);
      const existing = await repo.findActivePledge(trx, memberId);
      if (!existing) return false;
      await repo.updatePledge(trx, existing.id, { ...patch(now), updated_at: now });
      await recordMemberEvent(
        trx,
        memberId,
        event,
        {
          amount: Number(existing.amount),
          currency: existing.currency,
          interval: existing.interval,
        },
        now,
      );
      return true;
    });
  }
}
