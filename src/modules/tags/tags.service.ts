import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import { badRequest, conflict, notFound } from '../../platform/errors.js';
import { SLUG_PATTERN, slugify } from '../../platform/slug.js';
import * as repo from './tags.repository.js';

export const tagSlugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(100)
  .regex(SLUG_PATTERN, 'must be lowercase letters, digits and hyphens');

export const tagInputSchema = z.object({
  name: z.string().trim().min(1, 'is required').max(100),
  slug: tagSlugSchema.optional(),
  description: z.string().trim().max(500).nullable().optional(),
});
export const tagPatchSchema = tagInputSchema.partial().strict();

export interface Tag {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  created_at: string;
  updated_at: string;
  post_count?: number;
}

export class TagsService {
  constructor(private readonly deps: { db: Db; clock: Clock; onChange: () => Promise<void> }) {}

  async list(page: number, limit: number) {
    const { tags, total } = await repo.listTags(this.deps.db, {
      limit,
      offset: (page - 1) * limit,
    });
    return { tags: tags.map((t) => ({ ...t, post_count: Number(t.post_count ?? 0) })), total };
  }

  async get(id: string): Promise<Tag> {
    const tag = await repo.findTagById(this.deps.db, id);
    if (!tag) throw notFound('Tag');
    return tag;
  }

  findBySlug(slug: string) {
    return repo.findTagBySlug(this.deps.db, slug);
  }

  async create(input: z.output<typeof tagInputSchema>, db: Db = this.deps.db): Promise<Tag> {
    const slug = input.slug ?? slugify(input.name);
    if (!slug) throw badRequest('The name gives no usable slug; set one', 'slug');
    if (await repo.findTagBySlug(db, slug))
      throw conflict(`A tag with slug "${slug}" already exists`, 'slug');
    const now = this.deps.clock.now().toISOString();
    const tag = await repo.insertTag(db, {
      id: randomUUID(),
      slug,
      name: input.name,
      description: input.description ?? null,
      created_at: now,
      updated_at: now,
    });
    return tag;
  }

  /**
   * Tags named on a post: existing ones by slug, new ones created on the spot (inside the
   * caller's transaction), in the order given.
   */
  async resolveNames(db: Db, names: readonly string[]): Promise<Tag[]> {
    const wanted = new Map<string, string>();
    for (const name of names) {
      const slug = slugify(name);
      if (slug && !wanted.has(slug)) wanted.set(slug, name.trim());
    }
    const existing = new Map(
      (await repo.findTagsBySlugs(db, [...wanted.keys()])).map((t) => [t.slug, t]),
    );
    const result: Tag[] = [];
    for (const [slug, name] of wanted) {
      result.push(existing.get(slug) ?? (await this.create({ name, slug }, db)));
    }
    return result;
  }

  async update(id: string, patch: z.output<typeof tagPatchSchema>): Promise<Tag> {
    await this.get(id);
    if (patch.slug !== undefined) {
      const other = await repo.findTagBySlug(this.deps.db, patch.slug);
      if (other && other.id !== id)
        throw conflict(`A tag with slug "${patch.slug}" already exists`, 'slug');
    }
    const tag = await repo.updateTag(this.deps.db, id, {
      ...patch,
      updated_at: this.deps.clock.now().toISOString(),
    });
    await this.deps.onChange();
    return tag!;
  }

  async remove(id: string): Promise<void> {
    const result = await repo.deleteTag(this.deps.db, id);
    if (Number(result.numDeletedRows) === 0) throw notFound('Tag');
    await this.deps.onChange();
  }
}
