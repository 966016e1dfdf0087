import { z } from 'zod';

/**
 * Postmark's bounce and spam-complaint webhooks, reduced to what we act on. Postmark's
 * `Type` names many things that are not failures of the address (auto-replies, challenge
 * mails, its own inbox-placement tests); those are ignored.
 */

export const postmarkRecordSchema = z.looseObject({
  RecordType: z.string(),
  Type: z.string().optional(),
  Email: z.string().optional(),
  MessageID: z.string().optional(),
  Details: z.string().optional(),
  Description: z.string().optional(),
  TypeCode: z.number().optional(),
});

export type PostmarkRecord = z.infer<typeof postmarkRecordSchema>;

export type PostmarkFeedback =
  | {
      action: 'bounce';
      kind: 'hard' | 'soft';
      email: string;
      providerId?: string;
      status: string | null;
      diagnostic: string | null;
    }
  | { action: 'complaint'; email: string; providerId?: string }
  | { action: 'ignore'; reason: string };

const HARD = new Set(['HardBounce', 'BadEmailAddress']);
// Worth retrying or about us rather than the address (DNS trouble, blocks, content filters).
const SOFT = new Set(['SoftBounce', 'Transient', 'DnsError', 'Blocked', 'DMARCPolicy']);
const COMPLAINT = new Set(['SpamComplaint']);

export function postmarkFeedback(record: PostmarkRecord): PostmarkFeedback {
  const email = record.Email?.trim().toLowerCase();
  if (email === undefined || !email.includes('@')) {
    return { action: 'ignore', reason: 'no recipient address' };
  }
  const providerId = record.MessageID ? { providerId: record.MessageID } : {};
  if (record.RecordType === 'SpamComplaint' || COMPLAINT.has(record.Type ?? '')) {
    return { action: 'complaint', email, ...providerId };
  }
  if (record.RecordType !== 'Bounce') {
    return { action: 'ignore', reason: `record type ${record.RecordType}` };
  }
  const type = record.Type ?? '';
  const kind = HARD.has(type) ? 'hard' : SOFT.has(type) ? 'soft' : null;
  if (kind === null) return { action: 'ignore', reason: `bounce type ${type || 'missing'}` };
  return {
    action: 'bounce',
    kind,
    email,
    ...providerId,
    status: type,
    diagnostic: record.Details ?? record.Description ?? null,
  };
}
