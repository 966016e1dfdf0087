import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError } from '../errors.js';
import type { BaseEnv } from './env.js';

export type HtmlErrorRenderer = (
  c: Context,
  status: number,
  message: string,
) => string | Promise<string>;

/** JSON for API clients, the site's own error page for browsers. */
export function wantsJson(c: Context): boolean {
  return (
    c.req.path.startsWith('/api/') ||
    (c.req.header('accept')?.includes('application/json') ?? false) ||
    c.req.header('content-type')?.includes('application/json') === true
  );
}

/**
 * The one place errors become responses. An AppError carries its status and code; anything
 * else is a bug, logged with its stack and answered with a plain 500 that reveals nothing.
 */
export function errorHandler(renderHtml: HtmlErrorRenderer): ErrorHandler<BaseEnv> {
  return async (err, c) => {
    let error: AppError;
    if (err instanceof AppError) {
      error = err;
    } else if (err instanceof HTTPException) {
      error = new AppError(
        err.status === 413 ? 'payload_too_large' : 'http_error',
        err.message || 'Request failed',
        {
          status: err.status as AppError['status'],
        },
      );
    } else {
      c.get('logger')?.error({ err, reqId: c.get('requestId') }, 'unhandled error');
      error = new AppError('internal', 'Something went wrong on our side.', { status: 500 });
    }
    if (error.status >= 500 && err instanceof AppError)
      c.get('logger')?.error({ err, reqId: c.get('requestId') }, error.message);
    if (error.status === 429) c.header('Retry-After', '60');
    if (wantsJson(c)) return c.json(error.toJSON(), error.status);
    return c.html(await renderHtml(c, error.status, error.message), error.status);
  };
}
