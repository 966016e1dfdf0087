import {
  formatDate,
  formatMoney,
  intervalLabel,
  STATUS_LABELS,
  type MemberEvent,
  type MemberStatus,
} from './members-api.js';

export interface HistoryNames {
  staff: ReadonlyMap<string, string>;
  newsletters: ReadonlyMap<string, string>;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const list = (v: unknown) =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

const FORMATS: Record<string, string> = {
  generic: 'a CSV file',
  substack: 'a Substack export',
  ghost: 'a Ghost export',
};

const SOURCES: Record<string, string> = {
  signup: 'through the signup form',
  admin: 'by staff',
  import: 'by import',
};

/**
 * One line of history in words. Events hold ids and slugs, never personal data (they outlive
 * the member), so names of staff and newsletters come from `names` when still known.
 */
export function describeEvent(event: MemberEvent, names: HistoryNames): string {
  const d = event.data;
  const newsletters = (slugs: string[]) =>
    slugs.map((s) => names.newsletters.get(s) ?? s).join(', ');
  const money = () => formatMoney(num(d.amount), str(d.currency));
  const text = ((): string => {
    switch (event.type) {
      case 'signed_up':
        return `Signed up ${SOURCES[str(d.source) ?? ''] ?? ''}`.trim();
      case 'confirmed':
        return 'Confirmed their email address';
      case 'signed_in':
        return 'Signed in';
      case 'email_changed':
        return 'Changed their email address';
      case 'newsletters_changed': {
        const parts = [];
        const on = list(d.subscribed);
        const off = list(d.unsubscribed);
        if (on.length) parts.push(`Subscribed to ${newsletters(on)}`);
        if (off.length)
          parts.push(`${on.length ? 'unsubscribed' : 'Unsubscribed'} from ${newsletters(off)}`);
        const text = parts.join('; ') || 'Changed newsletters';
        return d.via === 'link' ? `${text} with the link in an email` : text;
      }
      case 'pledged': {
        const from = d.changed_from as { amount?: unknown } | undefined;
        const changed = from ? ` (was ${formatMoney(num(from.amount), str(d.currency))})` : '';
        return `Pledged ${money()} ${intervalLabel(str(d.interval))}${changed}`;
      }
      case 'pledge_withdrawn':
        return `Withdrew their pledge of ${money()}`;
      case 'pledge_invited':
        return 'Invited to turn their pledge into a subscription';
      case 'pledge_converted':
        return 'Turned their pledge into a subscription';
      case 'paid':
        return `Paid ${money()}${d.interval ? ` (${intervalLabel(str(d.interval))})` : ''}`;
      case 'payment_failed': {
        const attempt = num(d.attempt);
        return `A payment${d.amount != null ? ` of ${money()}` : ''} failed${attempt ? ` (attempt ${attempt})` : ''}`;
      }
      case 'cancelled':
        return `Cancelled their subscription; access until ${formatDate(str(d.access_until) ?? null)}`;
      case 'comped': {
        const until = str(d.until);
        return until ? `Comped until ${formatDate(until)}` : 'Comped with no end date';
      }
      case 'comp_removed': {
        const status = str(d.status) as MemberStatus | undefined;
        return `Comp removed${status ? `; now ${STATUS_LABELS[status] ?? status}` : ''}`;
      }
      case 'imported': {
        const comp = 'comp_until' in d ? str(d.comp_until) : undefined;
        const comped =
          'comp_until' in d ? (comp ? `, comped until ${formatDate(comp)}` : ', comped') : '';
        return `Imported from ${FORMATS[str(d.format) ?? ''] ?? 'a file'}${comped}`;
      }
      case 'email_bounced':
        return d.kind === 'hard'
          ? 'A newsletter bounced: the address does not take mail, so no more is sent to it'
          : 'A newsletter bounced for now (the mail server will be tried again)';
      case 'email_complained':
        return 'Marked a newsletter as spam: no more mail is sent to them';
      case 'edited':
        return `Details edited: ${list(d.fields).join(', ') || 'nothing'}`;
      default:
        return event.type.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
    }
  })();
  const by = str(d.staff_id);
  return by ? `${text} by ${names.staff.get(by) ?? 'a staff member'}` : text;
}
