import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { unauthorized } from '../../../platform/errors.js';

export const INBOUND_SECRET_HEADER = 'x-pressroom-inbound-secret';

/**
 * Requests from our own mail relay or from Postmark carry the shared inbound secret, either
 * in `X-Pressroom-Inbound-Secret` or as the password of HTTP Basic auth (how Postmark
 * authenticates webhook URLs). Without a configured secret the endpoints refuse everything.
 */
export function requireInboundSecret(secret: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    const given =
      c.req.header(INBOUND_SECRET_HEADER) ?? basicPassword(c.req.header('authorization'));
    if (
      secret === undefined ||
      secret === '' ||
      given === undefined ||
      !sameSecret(given, secret)
    ) {
      throw unauthorized('Missing or wrong inbound secret');
    }
    return next();
  };
}

function basicPassword(header: string | undefined): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

/** Compares digests, so neither the content nor the length of the secret leaks by timing. */
function sameSecret(given: string, secret: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(secret));
}
