import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * The one error type. Services throw it; the HTTP layer turns it into
 * `{"error":{"code","message","field"}}` with `status`, and the CLI prints `message`.
 * Anything that is not an AppError is a bug: it is logged and answered with a bare 500.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: ContentfulStatusCode;
  readonly field: string | undefined;

  constructor(
    code: string,
    message: string,
    options: { status?: ContentfulStatusCode; field?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = options.status ?? 400;
    this.field = options.field;
  }

  toJSON(): { error: { code: string; message: string; field?: string } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.field === undefined ? {} : { field: this.field }),
      },
    };
  }
}

export const badRequest = (message: string, field?: string) =>
  new AppError('invalid_input', message, { status: 400, field });

export const notFound = (what: string) =>
  new AppError('not_found', `${what} not found`, { status: 404 });

export const conflict = (message: string, field?: string) =>
  new AppError('conflict', message, { status: 409, field });

export const unauthorized = (message = 'Sign in first') =>
  new AppError('unauthorized', message, { status: 401 });

export const forbidden = (message = 'You are not allowed to do that') =>
  new AppError('forbidden', message, { status: 403 });
