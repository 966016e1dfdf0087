import { badRequest } from '../../../platform/errors.js';

/** Who of a newsletter's subscribers a send goes to. */
export type Segment = 'all' | 'free' | 'paid' | `tier:${string}`;

const TIER = /^tier:[A-Za-z0-9_-]{1,64}$/;

/** `field` names the input in the 400 (`segment` in the sends API, `email_segment` on posts). */
export function parseSegment(value: string, field = 'segment'): Segment {
  if (value === 'all' || value === 'free' || value === 'paid') return value;
  if (TIER.test(value)) return value as Segment;
  throw badRequest(`${field} must be all, free, paid or tier:<tier id>`, field);
}

export const tierOf = (segment: Segment): string | null =>
  segment.startsWith('tier:') ? segment.slice('tier:'.length) : null;
