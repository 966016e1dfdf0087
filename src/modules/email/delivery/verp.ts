import { createHmac } from 'node:crypto';
import { safeEqual } from '../../../platform/security/tokens.js';

/**
 * VERP (variable envelope return path): each recipient's copy of a send gets its own
 * Return-Path, `bounces+<send>.<recipient>.<mac>@domain`, so a bounce names the delivery it is
 * about whatever the bouncing server writes in its body. The MAC stops anyone from mailing
 * made-up bounce addresses to get members suppressed.
 *
 * Everything in the local part is lower-case base36 (`0-9a-z`), because some MTAs lower-case
 * local parts on the way back. A UUID is packed into 25 base36 characters; a short id is kept
 * as it is, so it must already be lower-case and at most 24 characters (25 is the length that
 * means "packed UUID").
 *
 * RFC 5321 caps a local part at 64 characters. Two UUIDs with the 8-character MAC and three
 * separators take 61 of them, which leaves 3 for the fixed part: `bnc` fits, `bounces` does not
 * (`verpAddress` throws rather than emit an address some servers refuse). With short ids, or a
 * recipient row id whose send is implied, a longer fixed part fits.
 */

export const MAX_LOCAL_PART_LENGTH = 64;

/** Characters of the packed UUID form: ceil(128 / log2(36)). */
const PACKED_UUID_LENGTH = 25;
/** 36^8 ≈ 2^41.4: plenty, since a forger learns nothing from a guess that fails silently. */
const MAC_LENGTH = 8;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SHORT_ID = /^[a-z0-9][a-z0-9_-]{0,23}$/;
const BASE36 = /^[0-9a-z]+$/;
const FIXED_LOCAL_PART = /^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/;
const DOMAIN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

export type VerpSecret = string | Buffer;

export interface VerpOptions {
  /** The fixed part before the `+`, e.g. `bnc`. */
  localPart: string;
  domain: string;
  secret: VerpSecret;
}

export interface VerpIds {
  sendId: string;
  recipientId: string;
}

export function verpAddress(options: VerpOptions & VerpIds): string {
  const { localPart, domain } = checkedOptions(options);
  const sendId = canonicalId(options.sendId, 'sendId');
  const recipientId = canonicalId(options.recipientId, 'recipientId');
  const local = [
    `${localPart}+${packId(sendId)}`,
    packId(recipientId),
    mac(options.secret, sendId, recipientId),
  ].join('.');
  if (local.length > MAX_LOCAL_PART_LENGTH) {
    throw new RangeError(
      `VERP local part "${local}" is ${local.length} characters, over the ${MAX_LOCAL_PART_LENGTH} ` +
        `RFC 5321 allows; use a shorter fixed part than "${localPart}" or shorter ids`,
    );
  }
  return `${local}@${domain}`;
}

/**
 * The ids a VERP address carries, or null when it is not one of ours: another local part or
 * domain, a malformed tail, or a MAC that does not match. Case does not matter. Accepts the
 * address bare or in angle brackets, as Return-Path and Delivered-To write it.
 */
export function parseVerp(address: string, options: VerpOptions): VerpIds | null {
  const { localPart, domain } = checkedOptions(options);
  const bare = address
    .trim()
    .replace(/^<(.*)>$/, '$1')
    .toLowerCase();
  const at = bare.lastIndexOf('@');
  if (at < 0 || bare.slice(at + 1) !== domain) return null;
  const prefix = `${localPart}+`;
  const local = bare.slice(0, at);
  if (!local.startsWith(prefix) || local.length > MAX_LOCAL_PART_LENGTH) return null;
  const parts = local.slice(prefix.length).split('.');
  if (parts.length !== 3) return null;
  const [packedSend, packedRecipient, givenMac] = parts as [string, string, string];
  const sendId = unpackId(packedSend);
  const recipientId = unpackId(packedRecipient);
  if (sendId === null || recipientId === null) return null;
  return safeEqual(givenMac, mac(options.secret, sendId, recipientId))
    ? { sendId, recipientId }
    : null;
}

function checkedOptions(options: VerpOptions): { localPart: string; domain: string } {
  const localPart = options.localPart.toLowerCase();
  const domain = options.domain.toLowerCase();
  if (!FIXED_LOCAL_PART.test(localPart)) {
    throw new RangeError(`VERP localPart "${options.localPart}" must be letters, digits, . _ -`);
  }
  if (!DOMAIN.test(domain)) throw new RangeError(`VERP domain "${options.domain}" is not a domain`);
  if (options.secret.length === 0) throw new RangeError('VERP secret is empty');
  return { localPart, domain };
}

/** UUIDs are compared and MACed in their lower-case form, which is what `randomUUID` makes. */
function canonicalId(id: string, name: string): string {
  if (UUID.test(id)) return id.toLowerCase();
  if (SHORT_ID.test(id)) return id;
  throw new RangeError(
    `VERP ${name} "${id}" must be a UUID or 1–24 lower-case letters, digits, _ or -`,
  );
}

function packId(id: string): string {
  if (!UUID.test(id)) return id;
  return BigInt(`0x${id.replaceAll('-', '')}`)
    .toString(36)
    .padStart(PACKED_UUID_LENGTH, '0');
}

function unpackId(packed: string): string | null {
  if (packed.length !== PACKED_UUID_LENGTH) return SHORT_ID.test(packed) ? packed : null;
  if (!BASE36.test(packed)) return null;
  let value = 0n;
  for (const char of packed) value = value * 36n + BigInt(parseInt(char, 36));
  const hex = value.toString(16);
  if (hex.length > 32) return null; // 36^25 > 2^128: the top of the range is no UUID
  const h = hex.padStart(32, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function mac(secret: VerpSecret, sendId: string, recipientId: string): string {
  const digest = createHmac('sha256', secret)
    .update(`pressroom-verp-v1\0${sendId}\0${recipientId}`)
    .digest();
  // 64 bits reduced mod 36^8: the bias is below 2^-22, irrelevant for a MAC this short.
  return (digest.readBigUInt64BE(0) % 36n ** BigInt(MAC_LENGTH))
    .toString(36)
    .padStart(MAC_LENGTH, '0');
}

/**
 * The envelope of a one-off test message: a VERP address that names no real send or member
 * (so a bounce of it changes nothing) and a fresh Message-ID on the site's host.
 */
export function testEnvelope(options: { bounceDomain: string; secret: string; host: string }): {
  envelopeFrom: string;
  messageId: string;
} {
  return {
    envelopeFrom: verpAddress({
      localPart: 'bnc',
      domain: options.bounceDomain,
      secret: options.secret,
      sendId: 'test',
      recipientId: 'test',
    }),
    messageId: `<test.${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}@${options.host}>`,
  };
}
