import { simpleParser, type ParsedMail } from 'mailparser';

/**
 * Reading bounces. A standard bounce is an RFC 3464 delivery-status notification: a
 * `multipart/report` whose `message/delivery-status` part holds one block of per-message
 * fields, then one block per recipient (blocks separated by blank lines). mailparser folds that
 * part into `text` unless told `keepDeliveryStatus`, with which it becomes an attachment.
 *
 * Classification (shared with `classifySmtpReply`, for rejections during the SMTP session):
 * - delivered, relayed, expanded → `none`
 * - delayed, or failed with a 4.x.x status (the sender gave up retrying) → `soft`
 * - failed with 5.x.x → `hard`, except failures that say nothing bad about the address, which
 *   are `soft`: X.2.2 mailbox full, X.2.3 / X.3.4 message too big, X.6.x content the receiver
 *   could not handle, X.7.x policy (spam filter, blocklisted IP, DMARC/SPF/DKIM failure). The
 *   last one matters most: when our authentication breaks, every recipient "fails" with 5.7.x,
 *   and treating that as hard would suppress the whole list. Repeated soft bounces are for the
 *   caller to count.
 */

export type DeliveryAction = 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';
export type BounceKind = 'hard' | 'soft' | 'none';

export interface DsnRecipient {
  /** Lower-cased, without the `rfc822;` type. */
  finalRecipient: string;
  originalRecipient?: string;
  action: DeliveryAction;
  /**
   * The enhanced status code, `5.1.1`. When Status is only the generic `X.0.0` and the
   * Diagnostic-Code carries a more precise code of the same class, that one.
   */
  status: string;
  /** Unfolded, without the `smtp;` type. */
  diagnosticCode?: string;
  remoteMta?: string;
  kind: BounceKind;
}

export interface DsnReport {
  /** `rfc3464` for a real delivery-status part; `plain-text` for a bounce read from its text. */
  format: 'rfc3464' | 'plain-text';
  reportingMta?: string;
  originalEnvelopeId?: string;
  recipients: DsnRecipient[];
  /** Message-ID of the bounced message, angle brackets included (as nodemailer reports it). */
  originalMessageId?: string;
  /**
   * The address the bounce was delivered to, which is the Return-Path we sent with: the first
   * of X-Original-To, Delivered-To, To (and the returned headers' Return-Path) that has a
   * `+` tag. Check it with `parseVerp`.
   */
  verp?: string;
}

const ACTIONS: ReadonlySet<string> = new Set([
  'failed',
  'delayed',
  'delivered',
  'relayed',
  'expanded',
]);
const DELIVERY_STATUS_TYPES = new Set([
  'message/delivery-status',
  'message/global-delivery-status',
]);
const RETURNED_HEADERS_TYPES = new Set([
  'message/rfc822',
  'text/rfc822-headers',
  'message/global',
  'message/global-headers',
]);
/** An enhanced status code, but not the middle of an IP address such as 10.4.4.1. */
const STATUS = /(?<![\d.])[245]\.\d{1,3}\.\d{1,3}(?!\.?\d)/;
const ADDRESS = /[^\s<>()[\],;:"']+@[^\s<>()[\],;:"']+\.[a-z0-9-]+/gi;

/** A bounce report, or null when the message is not one we can read. */
export async function parseDsn(raw: Buffer | string): Promise<DsnReport | null> {
  let mail: ParsedMail;
  try {
    mail = await simpleParser(raw, {
      keepDeliveryStatus: true,
      skipTextToHtml: true,
      skipImageLinks: true,
      skipTextLinks: true,
    });
  } catch {
    // Bounces come from anyone; one that is not even MIME is simply not a bounce we can use.
    return null;
  }
  const headerBlock = (types: Set<string>): Fields | undefined => {
    const part = mail.attachments.find((a) => types.has(a.contentType.toLowerCase()));
    return part === undefined ? undefined : parseFieldBlocks(part.content.toString('utf8'))[0];
  };
  const returned = headerBlock(RETURNED_HEADERS_TYPES);
  const verp = findVerp(mail, returned);
  const statusPart = mail.attachments.find((a) =>
    DELIVERY_STATUS_TYPES.has(a.contentType.toLowerCase()),
  );

  if (statusPart === undefined) {
    const recipient = plainTextBounce(mail, verp);
    if (recipient === null) return null;
    return withoutUndefined<DsnReport>({ format: 'plain-text', recipients: [recipient], verp });
  }

  const blocks = parseFieldBlocks(statusPart.content.toString('utf8'));
  const isRecipientBlock = (b: Fields) => b.has('final-recipient') || b.has('original-recipient');
  const perMessage = blocks[0] !== undefined && !isRecipientBlock(blocks[0]) ? blocks[0] : null;
  const recipients = blocks
    .filter(isRecipientBlock)
    .map(readRecipient)
    .filter((r) => r !== null);
  if (recipients.length === 0) return null;

  return withoutUndefined<DsnReport>({
    format: 'rfc3464',
    reportingMta: typedValue(perMessage?.get('reporting-mta')),
    originalEnvelopeId: perMessage?.get('original-envelope-id'),
    recipients,
    originalMessageId: returned?.get('message-id') ?? perMessage?.get('x-original-message-id'),
    verp,
  });
}

/** How to treat a delivery reported with this action and enhanced status code. */
export function classifyDeliveryStatus(action: DeliveryAction, status: string): BounceKind {
  switch (action) {
    case 'delivered':
    case 'relayed':
    case 'expanded':
      return 'none';
    case 'delayed':
      return 'soft';
    case 'failed':
      return status.startsWith('4.') ? 'soft' : permanentKind(status);
  }
}

/**
 * How to treat a recipient the server refused while we were sending: 4xx is temporary (soft),
 * 5xx permanent (hard) with the exceptions above. `enhanced` is the RFC 3463 code after the
 * reply code (`550 5.2.2 …` → `'5.2.2'`); without one, 552 (storage exceeded) is still soft.
 */
export function classifySmtpReply(code: number, enhanced?: string): 'hard' | 'soft' {
  if (!Number.isInteger(code) || code < 400 || code > 599) {
    throw new RangeError(`SMTP reply ${code} is not a rejection (4xx or 5xx)`);
  }
  if (code < 500) return 'soft';
  const status = enhanced?.trim().match(STATUS)?.[0];
  if (status !== undefined) return permanentKind(status);
  return code === 552 ? 'soft' : 'hard';
}

function permanentKind(status: string): 'hard' | 'soft' {
  const [, subject, detail] = status.split('.');
  if (subject === '2' && (detail === '2' || detail === '3')) return 'soft';
  if (subject === '3' && detail === '4') return 'soft';
  if (subject === '6' || subject === '7') return 'soft';
  return 'hard';
}

/** Header-style fields, names lower-cased; the first occurrence of a name wins. */
type Fields = Map<string, string>;

/** Blank-line separated blocks of `Name: value` lines, folded lines joined with a space. */
function parseFieldBlocks(text: string): Fields[] {
  const blocks: Fields[] = [];
  let current: Fields = new Map();
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      if (current.size > 0) blocks.push(current);
      current = new Map();
      last = undefined;
    } else if (/^[ \t]/.test(line)) {
      if (last !== undefined) current.set(last, `${current.get(last)} ${line.trim()}`.trim());
    } else {
      const colon = line.indexOf(':');
      if (colon <= 0) {
        last = undefined;
        continue;
      }
      const name = line.slice(0, colon).trim().toLowerCase();
      if (current.has(name)) {
        last = undefined; // a repeated field: keep the first, and do not fold into it
        continue;
      }
      current.set(name, line.slice(colon + 1).trim());
      last = name;
    }
  }
  if (current.size > 0) blocks.push(current);
  return blocks;
}

function readRecipient(fields: Fields): DsnRecipient | null {
  const finalRecipient = address(fields.get('final-recipient') ?? fields.get('original-recipient'));
  if (finalRecipient === undefined) return null;
  const diagnosticCode = typedValue(fields.get('diagnostic-code'));
  const statusField = fields.get('status')?.match(STATUS)?.[0];
  const word = fields
    .get('action')
    ?.toLowerCase()
    .match(/^[a-z]+/)?.[0];
  const statedAction = word !== undefined && ACTIONS.has(word) ? (word as DeliveryAction) : null;

  const status = refineStatus(statusField, diagnosticCode, statedAction);
  if (status === null) return null;
  const action = statedAction ?? actionOf(status);
  return withoutUndefined<DsnRecipient>({
    finalRecipient,
    originalRecipient: address(fields.get('original-recipient')),
    action,
    status,
    diagnosticCode,
    remoteMta: typedValue(fields.get('remote-mta')),
    kind: classifyDeliveryStatus(action, status),
  });
}

function refineStatus(
  stated: string | undefined,
  diagnostic: string | undefined,
  action: DeliveryAction | null,
): string | null {
  const fromDiagnostic = diagnostic?.match(STATUS)?.[0] ?? null;
  if (stated !== undefined) {
    const generic = stated.endsWith('.0.0');
    return generic && fromDiagnostic?.[0] === stated[0] ? fromDiagnostic : stated;
  }
  if (fromDiagnostic !== null) return fromDiagnostic;
  const replyClass = diagnostic?.match(/\b([245])\d\d\b/)?.[1];
  if (replyClass !== undefined) return `${replyClass}.0.0`;
  if (action === null) return null;
  return action === 'failed' ? '5.0.0' : action === 'delayed' ? '4.0.0' : '2.0.0';
}

function actionOf(status: string): DeliveryAction {
  return status.startsWith('5.') ? 'failed' : status.startsWith('4.') ? 'delayed' : 'delivered';
}

/**
 * A bounce without a delivery-status part (qmail, old Exim, hand-rolled relays): only when the
 * message looks like a bounce and its text holds an SMTP reply with an enhanced code, such as
 * `550 5.1.1 user unknown`. The recipient is the last address before that reply, which is
 * where qmail, Exim and Postfix's text all put it.
 */
function plainTextBounce(mail: ParsedMail, verp: string | undefined): DsnRecipient | null {
  if (!looksLikeBounce(mail)) return null;
  const text = mail.text ?? '';
  const reply = /(?:^|[\s:(])([45])\d\d[ -]#?([45]\.\d{1,3}\.\d{1,3})\b/m.exec(text);
  if (reply === null) return null;
  const ours = new Set([verp, ...headerAddresses(mail, ['from', 'to', 'delivered-to'])]);
  const candidates = [...text.slice(0, reply.index).matchAll(ADDRESS)]
    .map((m) => m[0].toLowerCase())
    .filter((a) => !ours.has(a) && !/^(mailer-daemon|postmaster)@/.test(a));
  const finalRecipient = candidates.at(-1);
  if (finalRecipient === undefined) return null;
  const status = `${reply[1]}${reply[2]!.slice(1)}`;
  const action = actionOf(status);
  const line = text.slice(reply.index).trim().split(/\r?\n/)[0]!;
  return {
    finalRecipient,
    action,
    status,
    diagnosticCode: line,
    kind: classifyDeliveryStatus(action, status),
  };
}

function looksLikeBounce(mail: ParsedMail): boolean {
  const from = headerAddresses(mail, ['from']);
  if (from.some((a) => /^(mailer-daemon|postmaster)@/.test(a))) return true;
  const returnPath = mail.headerLines.find((h) => h.key === 'return-path');
  if (returnPath !== undefined && /:\s*<>\s*$/.test(returnPath.line)) return true;
  return /undeliver|delivery (status notification|failure)|failure notice|returned mail|mail delivery failed/i.test(
    mail.subject ?? '',
  );
}

function findVerp(mail: ParsedMail, returned: Fields | undefined): string | undefined {
  const candidates = [
    ...headerAddresses(mail, ['x-original-to']),
    ...headerAddresses(mail, ['delivered-to']),
    ...headerAddresses(mail, ['to']),
    ...(returned?.get('return-path')?.match(ADDRESS) ?? []).map((a) => a.toLowerCase()),
  ];
  return candidates.find((a) => a.slice(0, a.lastIndexOf('@')).includes('+'));
}

/** Addresses in these headers, from the raw lines so no address parser can reinterpret them. */
function headerAddresses(mail: ParsedMail, keys: string[]): string[] {
  return mail.headerLines
    .filter((h) => keys.includes(h.key))
    .flatMap((h) => h.line.slice(h.line.indexOf(':') + 1).match(ADDRESS) ?? [])
    .map((a) => a.toLowerCase());
}

/** `rfc822; <Jane@Example.net>` → `jane@example.net`. */
function address(value: string | undefined): string | undefined {
  const bare = typedValue(value)
    ?.replace(/^<(.*)>$/, '$1')
    .trim()
    .toLowerCase();
  return bare === '' ? undefined : bare;
}

/**
 * `dns; mx.example.org. (1.2.3.4)` → `mx.example.org`: drops the type before the `;`, and for
 * host names a trailing comment and root dot. Diagnostic text keeps its parentheses.
 */
function typedValue(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*([a-z0-9-]+)\s*;\s*(.*)$/is.exec(value);
  let rest = (match === null ? value : match[2]!).replace(/\s+/g, ' ').trim();
  if (match !== null && match[1]!.toLowerCase() === 'dns') {
    rest = rest
      .replace(/\s*\(.*\)\s*$/, '')
      .replace(/\.$/, '')
      .toLowerCase();
  }
  return rest === '' ? undefined : rest;
}

/** Drops `key: undefined`, so a report reads (and compares) as the fields it really has. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
