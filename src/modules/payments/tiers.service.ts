import { randomUUID } from 'node:crypto';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import { badRequest, conflict, notFound } from '../../platform/errors.js';
import { slugify, uniqueSlug } from '../../platform/slug.js';
import type { PaymentSettings } from './payment-settings.js';
import type { TierCreateInput, TierPatchInput } from './payments.schema.js';
import type { Interval, PublicTier, Tier } from './payments.types.js';
import type { StripeGateway } from './stripe-gateway.js';
import * as repo from './tiers.repository.js';

export const toTier = (r: repo.TierRecord): Tier => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  description: r.description,
  currency: r.currency,
  monthly_amount: r.monthly_amount,
  yearly_amount: r.yearly_amount,
  founding_min_amount: r.founding_min_amount,
  trial_days: r.trial_days,
  open: r.open === 1,
  active: r.active === 1,
  sort_order: r.sort_order,
  stripe_product_id: r.stripe_product_id,
  stripe_monthly_price_id: r.stripe_monthly_price_id,
  stripe_yearly_price_id: r.stripe_yearly_price_id,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

export const toPublicTier = (t: Tier): PublicTier => ({
  id: t.id,
  slug: t.slug,
  name: t.name,
  description: t.description,
  currency: t.currency,
  monthly_amount: t.monthly_amount,
  yearly_amount: t.yearly_amount,
  founding_min_amount: t.founding_min_amount,
  trial_days: t.trial_days,
  open: t.open,
});

/** The fields that decide a tier's Stripe Product and Prices. */
type CatalogShape = Pick<
  Tier,
  'name' | 'description' | 'currency' | 'monthly_amount' | 'yearly_amount' | 'founding_min_amount'
>;
type CatalogIds = Pick<
  Tier,
  'stripe_product_id' | 'stripe_monthly_price_id' | 'stripe_yearly_price_id'
>;

/**
 * A founding tier asks readers for a yearly amount of their choosing, so it has a minimum and
 * no fixed prices; every other paid tier has both a monthly and a yearly price.
 */
function checkShape(t: CatalogShape): void {
  if (t.founding_min_amount !== null) {
    if (t.monthly_amount !== null)
      throw badRequest('monthly_amount: a founding tier has no fixed prices', 'monthly_amount');
    if (t.yearly_amount !== null)
      throw badRequest('yearly_amount: a founding tier has no fixed prices', 'yearly_amount');
    return;
  }
  if (t.monthly_amount === null) throw badRequest('monthly_amount: is required', 'monthly_amount');
  if (t.yearly_amount === null) throw badRequest('yearly_amount: is required', 'yearly_amount');
}

export class TiersService {
  constructor(private readonly deps: { db: Db; clock: Clock; settings: PaymentSettings }) {}

  async list(opts: { activeOnly: boolean }): Promise<Tier[]> {
    return (await repo.listTiers(this.deps.db, opts)).map(toTier);
  }

  async get(id: string): Promise<Tier> {
    const row = await repo.findTierById(this.deps.db, id);
    if (!row) throw notFound('Tier');
    return toTier(row);
  }

  async create(input: TierCreateInput): Promise<Tier> {
    const shape: CatalogShape = {
      name: input.name,
      description: input.description ?? null,
      currency: input.currency,
      monthly_amount: input.monthly_amount ?? null,
      yearly_amount: input.yearly_amount ?? null,
      founding_min_amount: input.founding_min_amount ?? null,
    };
    checkShape(shape);
    const slug = await this.slugFor(input.slug, input.name);
    const id = randomUUID();
    // Stripe first: if it refuses, nothing is saved and staff see why.
    const ids = await this.syncCatalog(id, shape, undefined);
    const now = this.deps.clock.now().toISOString();
    const row = await repo
      .insertTier(this.deps.db, {
        id,
        slug,
        ...shape,
        trial_days: input.trial_days,
        open: input.open ? 1 : 0,
        active: 1,
        sort_order: input.sort_order,
        stripe_product_id: ids?.stripe_product_id ?? null,
        stripe_monthly_price_id: ids?.stripe_monthly_price_id ?? null,
        stripe_yearly_price_id: ids?.stripe_yearly_price_id ?? null,
        created_at: now,
        updated_at: now,
      })
      .catch(uniqueSlugConflict(slug));
    return toTier(row);
  }

  async update(id: string, patch: TierPatchInput): Promise<Tier> {
    const current = await this.get(id);
    const next: CatalogShape = {
      name: patch.name ?? current.name,
      description: patch.description !== undefined ? patch.description : current.description,
      currency: patch.currency ?? current.currency,
      monthly_amount:
        patch.monthly_amount !== undefined ? patch.monthly_amount : current.monthly_amount,
      yearly_amount:
        patch.yearly_amount !== undefined ? patch.yearly_amount : current.yearly_amount,
      founding_min_amount:
        patch.founding_min_amount !== undefined
          ? patch.founding_min_amount
          : current.founding_min_amount,
    };
    checkShape(next);
    if (patch.slug !== undefined && patch.slug !== current.slug) {
      if (await repo.slugTaken(this.deps.db, patch.slug))
        throw conflict(`The slug ${patch.slug} is taken`, 'slug');
    }
    const ids = await this.syncCatalog(id, next, current);
    const row = await repo
      .updateTier(this.deps.db, id, {
        ...next,
        ...(patch.slug !== undefined ? { slug: patch.slug } : {}),
        ...(patch.trial_days !== undefined ? { trial_days: patch.trial_days } : {}),
        ...(patch.open !== undefined ? { open: patch.open ? 1 : 0 } : {}),
        ...(patch.sort_order !== undefined ? { sort_order: patch.sort_order } : {}),
        ...(ids ?? {}),
        updated_at: this.deps.clock.now().toISOString(),
      })
      .catch(uniqueSlugConflict(patch.slug ?? current.slug));
    if (!row) throw notFound('Tier');
    return toTier(row);
  }

  /** Archived tiers leave the pricing page and checkout; their subscribers keep paying. */
  async setActive(id: string, active: boolean): Promise<Tier> {
    const row = await repo.updateTier(this.deps.db, id, {
      active: active ? 1 : 0,
      updated_at: this.deps.clock.now().toISOString(),
    });
    if (!row) throw notFound('Tier');
    return toTier(row);
  }

  /**
   * The tier with its Stripe Product and Prices in place, created now if the tier was made
   * before Stripe was configured.
   */
  async withStripeCatalog(tier: Tier): Promise<Tier> {
    const ids = await this.syncCatalog(tier.id, tier, tier);
    if (
      !ids ||
      (ids.stripe_product_id === tier.stripe_product_id &&
        ids.stripe_monthly_price_id === tier.stripe_monthly_price_id &&
        ids.stripe_yearly_price_id === tier.stripe_yearly_price_id)
    )
      return tier;
    const row = await repo.updateTier(this.deps.db, tier.id, {
      ...ids,
      updated_at: this.deps.clock.now().toISOString(),
    });
    return row ? toTier(row) : tier;
  }

  findByStripeIds(ids: { priceId: string | null; productId: string | null }) {
    return ids.priceId || ids.productId
      ? repo.findTierByStripeIds(this.deps.db, ids)
      : Promise.resolve(undefined);
  }

  /**
   * Brings Stripe's catalogue in line with the tier. Stripe prices are immutable: a changed
   * amount or currency gets a new Price, whose id replaces the old one for new checkouts
   * (existing subscribers stay on the price they signed up at). Undefined without Stripe.
   */
  private async syncCatalog(
    tierId: string,
    next: CatalogShape,
    current: (CatalogShape & CatalogIds) | undefined,
  ): Promise<CatalogIds | undefined> {
    const stripe = await this.deps.settings.gateway();
    if (!stripe) return undefined;
    let productId = current?.stripe_product_id ?? null;
    if (!productId) {
      productId = (
        await stripe.createProduct({ name: next.name, description: next.description, tierId })
      ).id;
    } else if (
      current &&
      (current.name !== next.name || current.description !== next.description)
    ) {
      await stripe.updateProduct(productId, { name: next.name, description: next.description });
    }
    const price = (interval: Interval) =>
      this.priceFor(stripe, tierId, productId, interval, next, current);
    return {
      stripe_product_id: productId,
      stripe_monthly_price_id: await price('month'),
      stripe_yearly_price_id: await price('year'),
    };
  }

  private async priceFor(
    stripe: StripeGateway,
    tierId: string,
    productId: string,
    interval: Interval,
    next: CatalogShape,
    current: (CatalogShape & CatalogIds) | undefined,
  ): Promise<string | null> {
    const field = interval === 'month' ? 'monthly_amount' : 'yearly_amount';
    const amount = next[field];
    if (amount === null) return null;
    const existing =
      interval === 'month' ? current?.stripe_monthly_price_id : current?.stripe_yearly_price_id;
    if (existing && current?.[field] === amount && current.currency === next.currency)
      return existing;
    return (
      await stripe.createPrice({ productId, currency: next.currency, amount, interval, tierId })
    ).id;
  }

  private async slugFor(requested: string | undefined, name: string): Promise<string> {
    if (requested) {
      if (await repo.slugTaken(this.deps.db, requested))
        throw conflict(`The slug ${requested} is taken`, 'slug');
      return requested;
    }
    return uniqueSlug(slugify(name) || 'tier', (s) => repo.slugTaken(this.deps.db, s));
  }
}

/** Two tiers saved at once with one slug: the unique index decides, the loser hears why. */
const uniqueSlugConflict = (slug: string) => (error: unknown) => {
  if (/unique|duplicate/i.test(String(error))) throw conflict(`The slug ${slug} is taken`, 'slug');
  throw error;
};
