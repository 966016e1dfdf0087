import { z } from 'zod';
import { SLUG_PATTERN } from '../../../platform/slug.js';
import { emailSchema } from '../../staff/index.js';
import { MEMBER_STATUSES } from '../members.types.js';

/** `2026-03-01` (midnight UTC) or a full ISO date-time, stored form: ISO UTC. */
const isoDateOrTime = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], {
    message: 'must be an ISO 8601 date or date-time',
  })
  .transform((v) => new Date(v.length === 10 ? `${v}T00:00:00Z` : v).toISOString());

const isoTime = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time' })
  .transform((v) => new Date(v).toISOString());

const newsletterSlug = z
  .string()
  .trim()
  .toLowerCase()
  .max(100)
  .regex(SLUG_PATTERN, 'must be a newsletter slug');
const newsletterSlugs = z.array(newsletterSlug).max(50);

const memberFilterFields = {
  search: z.string().trim().max(200).optional(),
  status: z.enum(MEMBER_STATUSES).optional(),
  tier: z.string().trim().min(1).max(100).optional(),
  newsletter: z.string().trim().toLowerCase().min(1).max(100).optional(),
  /** Inclusive. */
  signed_up_after: isoDateOrTime.optional(),
  /** Exclusive: `signed_up_before=2026-04-01` is everything up to the end of March. */
  signed_up_before: isoDateOrTime.optional(),
  pledged: z
    .enum(['true', 'false'], { message: 'must be true or false' })
    .transform((v) => v === 'true')
    .optional(),
};

export const memberExportQuerySchema = z.object(memberFilterFields);
export const memberListQuerySchema = z.object({
  ...memberFilterFields,
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type MemberListQuery = z.output<typeof memberListQuerySchema>;
export type MemberExportQuery = z.output<typeof memberExportQuerySchema>;

/** A page of a member's history: the events older than `before` (an event id). */
export const memberHistoryQuerySchema = z.object({
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type MemberHistoryQuery = z.output<typeof memberHistoryQuerySchema>;

const memberName = z
  .string()
  .trim()
  .max(120)
  .nullable()
  .transform((v) => (v === '' ? null : v));
const memberNote = z
  .string()
  .trim()
  .max(2000)
  .nullable()
  .transform((v) => (v === '' ? null : v));

/** Open-ended when `until` is null or left out. */
export const compSchema = z.object({ until: isoTime.nullable().default(null) }).strict();
export type CompInput = z.output<typeof compSchema>;

export const memberCreateSchema = z
  .object({
    email: emailSchema,
    name: memberName.optional(),
    note: memberNote.optional(),
    /** Slugs; left out: the newsletters new readers get on signup. */
    newsletters: newsletterSlugs.optional(),
    comp: compSchema.nullable().optional(),
  })
  .strict();
export type MemberCreateInput = z.output<typeof memberCreateSchema>;

export const memberPatchSchema = z
  .object({ name: memberName, note: memberNote, newsletters: newsletterSlugs })
  .partial()
  .strict();
export type MemberPatchInput = z.output<typeof memberPatchSchema>;

/**
 * Import options travel in the query string (or as form fields before the file):
 * `newsletters=weekly,daily` (empty: none; absent: the signup newsletters) and
 * `comp=true` (open-ended) or `comp=<ISO date or date-time>` (until then).
 */
export const importOptionsSchema = z.object({
  newsletters: z
    .string()
    .max(2000)
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter((s) => s !== ''),
    )
    .pipe(newsletterSlugs)
    .optional(),
  comp: z
    .union([z.literal('true'), z.literal('false'), isoDateOrTime], {
      message: 'must be true, false or an ISO 8601 date or date-time',
    })
    .transform((v) =>
      v === 'false' ? undefined : { until: v === 'true' ? null : (v as string | null) },
    )
    .optional(),
});
export type ImportOptionsInput = z.output<typeof importOptionsSchema>;
