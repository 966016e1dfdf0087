import { randomUUID } from 'node:crypto';
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

/** Gives every request an id (echoed as X-Request-Id), a child logger and one access-log line. */
export function requestContext(logger: Logger, trustProxy: boolean): MiddlewareHandler<BaseEnv> {
  return async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && /^[\w.-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    const log = logger.child({ reqId: requestId });
    c.set('requestId', requestId);
    c.set('logger', log);
    c.set('clientIp', clientIp(c, trustProxy));
    const start = performance.now();
    await next();
    // Set on the finished response directly: c.header() after next() makes Hono rebuild
    // the response around a stream, which triples the CPU cost of a cached page.
    c.res.headers.set('X-Request-Id', requestId);
    if (log.isLevelEnabled('info')) {
      log.info(
        {
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
