import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * One-click unsubscribe tokens: who leaves which newsletter (and from which send, for stats),
 * signed so the link works without a session and without a lookup table. They do not expire:
 * an unsubscribe link in a years-old email must still work (CAN-SPAM, RFC 8058).
 *
 * Layout, base64url without padding:
 *   version (1 byte, = 1) · memberId · newsletterId · [sendId] · HMAC-SHA256 (first 16 bytes)
 * Each id is either a 0 byte and 16 bytes (a lower-case UUID, packed) or its UTF-8 length
 * (1–255) and the bytes. The MAC covers a purpose label and everything before it, so a token
 * signed for something else with the same secret is no unsubscribe token.
 */

export interface UnsubscribePayload {
  memberId: string;
  newsletterId: string;
  sendId?: string;
}

export type UnsubscribeSecret = string | Buffer;

const VERSION = 1;
const MAC_BYTES = 16;
const PACKED_UUID = 0;
const LOWER_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function signUnsubscribe(payload: UnsubscribePayload, secret: UnsubscribeSecret): string {
  checkSecret(secret);
  const ids = [payload.memberId, payload.newsletterId];
  if (payload.sendId !== undefined) ids.push(payload.sendId);
  const body = Buffer.concat([Buffer.from([VERSION]), ...ids.map(encodeId)]);
  return Buffer.concat([body, mac(body, secret)]).toString('base64url');
}

/** The payload, or null for anything this secret did not sign exactly so. */
export function verifyUnsubscribe(
  token: string,
  secret: UnsubscribeSecret,
): UnsubscribePayload | null {
  checkSecret(secret);
  if (!BASE64URL.test(token)) return null;
  const bytes = Buffer.from(token, 'base64url');
  // Buffer decoding forgives stray trailing bits; only the canonical spelling of a token counts.
  if (bytes.toString('base64url') !== token || bytes.length < 1 + MAC_BYTES) return null;
  if (bytes[0] !== VERSION) return null;
  const body = bytes.subarray(0, bytes.length - MAC_BYTES);
  if (!timingSafeEqual(bytes.subarray(body.length), mac(body, secret))) return null;
  // Signed by us from here on, so a malformed body would be a bug in the signer; null is still
  // the right answer for a link that cannot be honoured.
  const ids = decodeIds(body.subarray(1));
  if (ids === null || ids.length < 2 || ids.length > 3) return null;
  const [memberId, newsletterId, sendId] = ids as [string, string, string | undefined];
  return sendId === undefined ? { memberId, newsletterId } : { memberId, newsletterId, sendId };
}

function encodeId(id: string): Buffer {
  if (LOWER_UUID.test(id)) {
    return Buffer.concat([Buffer.from([PACKED_UUID]), Buffer.from(id.replaceAll('-', ''), 'hex')]);
  }
  const bytes = Buffer.from(id, 'utf8');
  if (bytes.length < 1 || bytes.length > 255) {
    throw new RangeError(`unsubscribe token ids must be 1–255 bytes, got "${id}"`);
  }
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

function decodeIds(bytes: Buffer): string[] | null {
  const ids: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    const length = bytes[at]!;
    const size = length === PACKED_UUID ? 16 : length;
    const start = at + 1;
    at = start + size;
    if (at > bytes.length) return null;
    const raw = bytes.subarray(start, at);
    if (length === PACKED_UUID) {
      const h = raw.toString('hex');
      ids.push(
        `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`,
      );
    } else {
      try {
        ids.push(utf8.decode(raw));
      } catch {
        return null;
      }
    }
  }
  return ids;
}

function mac(body: Buffer, secret: UnsubscribeSecret): Buffer {
  return createHmac('sha256', secret)
    .update('pressroom-unsubscribe\0')
    .update(body)
    .digest()
    .subarray(0, MAC_BYTES);
}

function checkSecret(secret: UnsubscribeSecret): void {
  if (secret.length === 0) throw new RangeError('unsubscribe secret is empty');
}

export interface ListUnsubscribeOptions {
  /** The site's public URL; the link is `<publicUrl>/unsubscribe?token=…`. */
  publicUrl: string;
  token: string;
  /** Address for mail clients that unsubscribe by email (RFC 2369); leave out if none. */
  mailto?: string;
}

export interface ListUnsubscribeHeaders {
  'List-Unsubscribe': string;
  'List-Unsubscribe-Post'?: string;
}

const MAILTO = /^[a-z0-9._+-]+@[a-z0-9.-]+$/i;
const SUBJECT_PREFIX = 'unsubscribe-';

/**
 * RFC 2369 `List-Unsubscribe` with the HTTPS link first, and RFC 8058's
 * `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, which tells Gmail, Yahoo and Apple Mail
 * they may POST to that link with no further confirmation. RFC 8058 only allows one-click over
 * HTTPS, so a plain-http site (development) gets the link without the Post header.
 */
export function listUnsubscribeHeaders(options: ListUnsubscribeOptions): ListUnsubscribeHeaders {
  if (!BASE64URL.test(options.token)) throw new RangeError('unsubscribe token is not base64url');
  const base = new URL(options.publicUrl);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new RangeError(`publicUrl "${options.publicUrl}" is not an http(s) URL`);
  }
  base.search = '';
  base.hash = '';
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const link = new URL('unsubscribe', base);
  link.searchParams.set('token', options.token);

  const targets = [`<${link.href}>`];
  if (options.mailto !== undefined) {
    if (!MAILTO.test(options.mailto)) {
      throw new RangeError(`unsubscribe mailto "${options.mailto}" is not a plain address`);
    }
    targets.push(`<mailto:${options.mailto}?subject=${SUBJECT_PREFIX}${options.token}>`);
  }
  const headers: ListUnsubscribeHeaders = { 'List-Unsubscribe': targets.join(', ') };
  if (link.protocol === 'https:') headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  return headers;
}

/**
 * The token in the Subject of a mail sent through the `mailto` target, or null. Only whitespace
 * around it is forgiven: mail clients send exactly the subject the mailto names, so "Re:" or
 * other words around it mean a person wrote the mail, and they are better told that nothing
 * changed than have us guess. Whether the token is genuine is `verifyUnsubscribe`'s to say.
 */
export function unsubscribeTokenFromSubject(subject: string | undefined): string | null {
  const trimmed = subject?.trim() ?? '';
  if (!trimmed.startsWith(SUBJECT_PREFIX)) return null;
  const token = trimmed.slice(SUBJECT_PREFIX.length);
  return BASE64URL.test(token) ? token : null;
}
