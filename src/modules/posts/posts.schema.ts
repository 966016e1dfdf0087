import { z } from 'zod';
import { SLUG_PATTERN } from '../../platform/slug.js';
import { postDocumentSchema } from './document/index.js';
import { POST_STATUSES, PREVIEW_READERS, VISIBILITIES } from './posts.types.js';

const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();
const imageUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((v) => /^(https?:\/\/|\/)/.test(v), 'must be an http(s) URL or a path starting with /')
  .nullable()
  .optional();

export const postSlugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(200)
  .regex(SLUG_PATTERN, 'must be lowercase letters, digits and hyphens');

const fields = {
  title: z.string().trim().min(1, 'is required').max(300),
  slug: postSlugSchema.optional(),
  body: postDocumentSchema.optional(),
  /** Alternative to `body`: Markdown converted into the document. */
  markdown: z.string().max(5_000_000).optional(),
  status: z.enum(POST_STATUSES).optional(),
  visibility: z.enum(VISIBILITIES).optional(),
  published_at: z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 date-time' })
    .nullable()
    .optional(),
  custom_excerpt: optionalText(500),
  feature_image: imageUrl,
  feature_image_alt: optionalText(300),
  meta_title: optionalText(300),
  meta_description: optionalText(500),
  og_title: optionalText(300),
  og_description: optionalText(500),
  og_image: imageUrl,
  twitter_title: optionalText(300),
  twitter_description: optionalText(500),
  twitter_image: imageUrl,
  /** Tag names or slugs; unknown ones are created. */
  tags: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
  /** Tier ids a paid post is limited to; empty or absent: every paid tier. */
  tiers: z.array(z.string().min(1).max(100)).max(50).optional(),
  /** Newsletter to email the post to on publishing; null to publish to the web only. */
  email_newsletter_id: z.string().trim().min(1).max(100).nullable().optional(),
  /** all | free | paid | tier:<tier id>. */
  email_segment: z.string().trim().min(1).max(120).optional(),
  email_subject: optionalText(300),
  /** Staff ids, in byline order. */
  authors: z.array(z.string().min(1)).min(1, 'needs at least one author').max(20).optional(),
};

export const postCreateSchema = z
  .object(fields)
  .strict()
  .refine((v) => !(v.body && v.markdown !== undefined), {
    message: 'send body or markdown, not both',
    path: ['markdown'],
  });

export const postPatchSchema = z
  .object({ ...fields, title: fields.title.optional() })
  .strict()
  .refine((v) => !(v.body && v.markdown !== undefined), {
    message: 'send body or markdown, not both',
    path: ['markdown'],
  });

export type PostCreateInput = z.output<typeof postCreateSchema>;
export type PostPatchInput = z.output<typeof postPatchSchema>;

export const postListQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  status: z.enum(POST_STATUSES).optional(),
  tag: z.string().max(100).optional(),
  author: z.string().max(100).optional(),
  search: z.string().max(200).optional(),
  order: z.enum(['published_desc', 'updated_desc', 'created_desc']).default('updated_desc'),
});

/** Whose view of the post the preview shows; a paying reader's (the whole post) by default. */
export const postPreviewQuerySchema = z.object({
  as: z.enum(PREVIEW_READERS).default('paid'),
});
