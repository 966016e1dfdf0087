import { AppError, badRequest } from '../../../platform/errors.js';

/**
 * A streaming reader for multipart/form-data with one file in it. Hono's `parseBody` (like
 * `Request.formData`) holds the whole upload in memory before returning; this hands the
 * file's bytes on as they arrive, so a large member list flows straight into the CSV parser.
 */
export interface MultipartUpload {
  /** The text fields sent before the file. */
  fields: Record<string, string>;
  filename: string | null;
  file: AsyncIterable<Buffer>;
}

type MultipartEvent =
  { type: 'part'; name: string; filename: string | null } | { type: 'data'; chunk: Buffer };

const HEADER_MAX = 16 * 1024;
const FIELD_MAX = 64 * 1024;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

export function multipartBoundary(contentType: string): string | undefined {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/**
 * Fields are read until the part named `fileField` starts; the caller then reads the file.
 * Browsers send a FormData's entries in the order they were appended, so fields meant to
 * steer the import must come before the file; fields after it are not read.
 */
export async function readMultipartUpload(
  body: AsyncIterable<Uint8Array>,
  boundary: string,
  fileField: string,
): Promise<MultipartUpload> {
  const events = multipartEvents(body, boundary)[Symbol.asyncIterator]();
  const fields: Record<string, string> = {};
  let field: { name: string; chunks: Buffer[]; size: number } | undefined;
  const finishField = () => {
    if (field && !(field.name in fields))
      fields[field.name] = Buffer.concat(field.chunks).toString('utf8');
    field = undefined;
  };
  for (;;) {
    const next = await events.next();
    if (next.done) {
      finishField();
      throw badRequest(`Send the CSV file in a form field named "${fileField}"`, fileField);
    }
    const event = next.value;
    if (event.type === 'part') {
      finishField();
      if (event.name === fileField) {
        return { fields, filename: event.filename, file: fileBytes(events) };
      }
      field = { name: event.name, chunks: [], size: 0 };
    } else if (field) {
      field.size += event.chunk.length;
      if (field.size > FIELD_MAX) throw badRequest(`The form field ${field.name} is too long`);
      field.chunks.push(event.chunk);
    }
  }
}

async function* fileBytes(events: AsyncIterator<MultipartEvent>): AsyncGenerator<Buffer> {
  try {
    for (;;) {
      const next = await events.next();
      if (next.done || next.value.type === 'part') return;
      yield next.value.chunk;
    }
  } finally {
    await events.return?.();
  }
}

/** The body as a flat sequence of "a part starts" and "bytes of the current part". */
export async function* multipartEvents(
  body: AsyncIterable<Uint8Array>,
  boundary: string,
): AsyncGenerator<MultipartEvent> {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // Every delimiter but the first is preceded by CRLF; pretending the first one is too lets
  // one search find them all.
  let buf: Buffer = Buffer.from(CRLF);
  let state: 'preamble' | 'delimiter' | 'headers' | 'body' | 'done' = 'preamble';

  const step = function* (final: boolean): Generator<MultipartEvent, boolean> {
    for (;;) {
      switch (state) {
        case 'preamble': {
          const at = buf.indexOf(delimiter);
          if (at < 0) {
            buf = buf.subarray(Math.max(0, buf.length - delimiter.length + 1));
            return false;
          }
          buf = buf.subarray(at + delimiter.length);
          state = 'delimiter';
          break;
        }
        case 'delimiter': {
          if (buf.length < 2) return false;
          if (buf[0] === 0x2d && buf[1] === 0x2d) {
            state = 'done';
            return true;
          }
          // RFC 2046 allows whitespace after a delimiter before its line break.
          const eol = buf.indexOf(CRLF);
          if (eol < 0) {
            if (buf.length > HEADER_MAX) throw malformed();
            return false;
          }
          if (buf.subarray(0, eol).toString('latin1').trim() !== '') throw malformed();
          buf = buf.subarray(eol + 2);
          state = 'headers';
          break;
        }
        case 'headers': {
          const end = buf.indexOf(HEADER_END);
          if (end < 0) {
            if (buf.length > HEADER_MAX) throw malformed();
            return false;
          }
          yield partStart(buf.subarray(0, end).toString('utf8'));
          buf = buf.subarray(end + HEADER_END.length);
          state = 'body';
          break;
        }
        case 'body': {
          const at = buf.indexOf(delimiter);
          if (at < 0) {
            // The end of the buffer may be the start of a delimiter: hold that much back.
            const safe = final ? buf.length : buf.length - delimiter.length + 1;
            if (safe > 0) {
              yield { type: 'data', chunk: Buffer.from(buf.subarray(0, safe)) };
              buf = buf.subarray(safe);
            }
            return false;
          }
          if (at > 0) yield { type: 'data', chunk: Buffer.from(buf.subarray(0, at)) };
          buf = buf.subarray(at + delimiter.length);
          state = 'delimiter';
          break;
        }
        case 'done':
          return true;
      }
    }
  };

  for await (const chunk of body) {
    buf = buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([buf, chunk]);
    if (yield* step(false)) return;
  }
  if (!(yield* step(true))) throw malformed();
}

function partStart(headers: string): MultipartEvent {
  const disposition = headers
    .split('\r\n')
    .find((h) => /^content-disposition\s*:/i.test(h))
    ?.replace(/^[^:]*:/, '');
  const param = (name: string) => {
    const m = new RegExp(`;\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i').exec(
      disposition ?? '',
    );
    const value = m?.[1] ?? m?.[2];
    return value === undefined ? null : value.replace(/\\(.)/g, '$1');
  };
  const name = param('name');
  if (!disposition || name === null) throw malformed();
  return { type: 'part', name, filename: param('filename') };
}

const malformed = () =>
  new AppError('malformed_multipart', 'The multipart/form-data body is malformed or incomplete', {
    status: 400,
  });
