import { randomUUID } from 'node:crypto';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import { badRequest, conflict, notFound } from '../../platform/errors.js';
import { slugify, uniqueSlug } from '../../platform/slug.js';
import * as repo from './newsletters.repository.js';

export const NEWSLETTER_STATUSES = ['active', 'archived'] as const;
export type NewsletterStatus = (typeof NEWSLETTER_STATUSES)[number];

export interface Newsletter {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  subscribe_on_signup: boolean;
  sort_order: number;
  status: NewsletterStatus;
  created_at: string;
  updated_at: string;
}

export interface NewsletterWithCount extends Newsletter {
  member_count: number;
}

export interface NewsletterInput {
  name: string;
  slug?: string;
  description?: string | null;
  subscribe_on_signup?: boolean;
  sort_order?: number;
}

export type NewsletterPatch = Partial<NewsletterInput> & { status?: NewsletterStatus };

export const toNewsletter = (r: repo.NewsletterRecord): Newsletter => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  description: r.description,
  subscribe_on_signup: Number(r.subscribe_on_signup) === 1,
  sort_order: Number(r.sort_order),
  status: r.status as NewsletterStatus,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

export interface NewslettersServiceDeps {
  db: Db;
  clock: Clock;
  /** The default newsletter is named after the publication. */
  publicationTitle: () => Promise<string>;
}

export class NewslettersService {
  /** Once a newsletter exists one always will (archiving keeps the row): check once per process. */
  private ensured = false;

  constructor(private readonly deps: NewslettersServiceDeps) {}

  private now() {
    return this.deps.clock.now().toISOString();
  }

  /**
   * A publication always has at least one newsletter, so signup has something to subscribe
   * to. Created on first use; archived ones count, so staff who archive them all are obeyed.
   */
  async ensureDefault(): Promise<void> {
    if (this.ensured) return;
    if ((await repo.countNewsletters(this.deps.db)) === 0) {
      const title = (await this.deps.publicationTitle()).trim() || 'Newsletter';
      const now = this.now();
      await repo.insertNewsletterIfSlugFree(this.deps.db, {
        id: randomUUID(),
        slug: slugify(title) || 'newsletter',
        name: title,
        description: null,
        subscribe_on_signup: 1,
        sort_order: 0,
        status: 'active',
        created_at: now,
        updated_at: now,
      });
    }
    this.ensured = true;
  }

  async list(status?: NewsletterStatus): Promise<NewsletterWithCount[]> {
    await this.ensureDefault();
    const rows = await repo.listNewslettersWithCounts(this.deps.db, status);
    return rows.map((r) => ({ ...toNewsletter(r), member_count: Number(r.member_count) }));
  }

  async listActive(): Promise<Newsletter[]> {
    await this.ensureDefault();
    return (await repo.listActiveNewsletters(this.deps.db)).map(toNewsletter);
  }

  async get(id: string): Promise<Newsletter> {
    const row = await repo.findNewsletterById(this.deps.db, id);
    if (!row) throw notFound('Newsletter');
    return toNewsletter(row);
  }

  /**
   * What a new member is subscribed to: the slugs they chose (each must be an active
   * newsletter), or, when they were not asked, the newsletters marked for signup.
   */
  async forSignup(chosenSlugs: readonly string[] | undefined): Promise<Newsletter[]> {
    const active = await this.listActive();
    if (chosenSlugs === undefined) return active.filter((n) => n.subscribe_on_signup);
    return pickBySlugs(active, chosenSlugs);
  }

  async create(input: NewsletterInput): Promise<Newsletter> {
    await this.ensureDefault();
    const slug = input.slug ?? (await this.freeSlug(input.name));
    if (input.slug && (await repo.slugTaken(this.deps.db, input.slug)))
      throw conflict(`A newsletter with slug ${input.slug} already exists`, 'slug');
    const now = this.now();
    const row = await repo.insertNewsletterIfSlugFree(this.deps.db, {
      id: randomUUID(),
      slug,
      name: input.name,
      description: input.description ?? null,
      subscribe_on_signup: input.subscribe_on_signup === false ? 0 : 1,
      sort_order: input.sort_order ?? 0,
      status: 'active',
      created_at: now,
      updated_at: now,
    });
    if (!row) throw conflict(`A newsletter with slug ${slug} already exists`, 'slug');
    return toNewsletter(row);
  }

  async update(id: string, patch: NewsletterPatch): Promise<Newsletter> {
    await this.get(id);
    if (patch.slug !== undefined && (await repo.slugTaken(this.deps.db, patch.slug, id)))
      throw conflict(`A newsletter with slug ${patch.slug} already exists`, 'slug');
    const row = await repo.updateNewsletter(this.deps.db, id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.slug !== undefined ? { slug: patch.slug } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.subscribe_on_signup !== undefined
        ? { subscribe_on_signup: patch.subscribe_on_signup ? 1 : 0 }
        : {}),
      ...(patch.sort_order !== undefined ? { sort_order: patch.sort_order } : {}),
      ...(patch.status !== undefined ? { status: patch.status } : {}),
      updated_at: this.now(),
    });
    if (!row) throw notFound('Newsletter');
    return toNewsletter(row);
  }

  /**
   * Archiving, not deleting: subscriptions and past sends keep pointing at it, and it can
   * be brought back. It no longer appears on forms or takes new subscribers.
   */
  async archive(id: string): Promise<Newsletter> {
    return this.update(id, { status: 'archived' });
  }

  private freeSlug(name: string): Promise<string> {
    return uniqueSlug(slugify(name) || 'newsletter', (s) => repo.slugTaken(this.deps.db, s));
  }
}

/** The newsletters named by slug, in the publication's order; an unknown slug is a 400. */
export function pickBySlugs(
  available: readonly Newsletter[],
  slugs: readonly string[],
): Newsletter[] {
  const wanted = new Set(slugs);
  for (const slug of wanted) {
    if (!available.some((n) => n.slug === slug))
      throw badRequest(`newsletters: there is no newsletter ${slug}`, 'newsletters');
  }
  return available.filter((n) => wanted.has(n.slug));
}
