import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import { AppError } from '../errors.js';

/** 413 for bodies over the configured size, checked while streaming, before parsing. */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new AppError(
        'payload_too_large',
        `Request body is larger than the limit of ${Math.round(maxBytes / 1024)} KB`,
        { status: 413 },
      );
    },
  });
}

/** Turns the first zod issue into a 400 that names the field, e.g. `tags.2.slug`. */
export function validationError(error: z.ZodError): AppError {
  const issue = error.issues[0];
  // An unknown key is reported on its parent; name the key itself.
  const path =
    issue?.code === 'unrecognized_keys'
      ? [...issue.path, ...issue.keys.slice(0, 1)]
      : (issue?.path ?? []);
  const field = path.length > 0 ? path.join('.') : undefined;
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : undefined;
  const message = issue ? (where ? `${where}: ${issue.message}` : issue.message) : 'Invalid input';
  return new AppError('invalid_input', message, { status: 400, field });
}

export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(result.error);
  return result.data;
}

/** Reads a JSON body and validates it; malformed JSON is a 400, never a 500. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const type = c.req.header('content-type') ?? '';
  if (!type.includes('application/json')) {
    throw new AppError('unsupported_media_type', 'Send the body as application/json', {
      status: 415,
    });
  }
  const text = await c.req.text();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new AppError('malformed_json', `Malformed JSON: ${(error as Error).message}`, {
      status: 400,
    });
  }
  return parseWith(schema, data);
}

/** Query string → validated object (for list filters and pagination). */
export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return parseWith(schema, c.req.query());
}
