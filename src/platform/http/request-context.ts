import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import type { Logger } from '../logger.js';
import type { BaseEnv } from './env.js';

/** The client's address; X-Forwarded-For is believed only behind a trusted proxy. */
function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // app.request() in tests has no socket.
    return c.req.header('x-test-client-ip') ?? '127.0.0.1';
  }
}

/** A caller's own request id when it is sane (a proxy's, say); a new one otherwise. */
export function requestIdFrom(incoming: string | undefined): string {
  return incoming && /^[\w.-]{1,100}$/.test(incoming) ? incoming : randomUUID();
}

/**
 * Gives every request an id (echoed as X-Request-Id) and one access-log line. The logger is
 * the shared one, not a per-request child: building a child on every request cost more than
 * a cached page's whole response. Log lines about a request carry `reqId` explicitly.
 */
export function requestContext(logger: Logger, trustProxy: boolean): MiddlewareHandler<BaseEnv> {
  return async (c, next) => {
    const requestId = requestIdFrom(c.req.header('x-request-id'));
    c.set('requestId', requestId);
    c.set('logger', logger);
    c.set('clientIp', clientIp(c, trustProxy));
    // On Node, set the header on the outgoing message: Node merges it into whatever response
    // is written, and the response's own headers never have to be built as a Headers object
    // (after next(), c.header() even makes Hono rebuild the response around a stream). Both
    // cost more than answering a cached page.
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    outgoing?.setHeader('X-Request-Id', requestId);
    const start = performance.now();
    await next();
    if (outgoing === undefined) c.res.headers.set('X-Request-Id', requestId);
    // Every request that does work is logged at info; answers from the page cache (thousands
    // a second on a busy post, each costing less than its own log line) at debug. A reverse
    // proxy in front keeps the full access log anyway; LOG_LEVEL=debug shows them here too.
    const level = c.get('servedFromCache') && c.res.status < 400 ? 'debug' : 'info';
    if (logger.isLevelEnabled(level)) {
      logger[level](
        {
          reqId: requestId,
          method: c.req.method,
          path: c.req.path,
          status: c.res.status,
          ms: Math.round((performance.now() - start) * 10) / 10,
        },
        'request',
      );
    }
  };
}
