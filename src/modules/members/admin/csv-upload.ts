import { AppError } from '../../../platform/errors.js';
import { multipartBoundary, readMultipartUpload } from './multipart.js';

export interface CsvUpload {
  source: AsyncIterable<Uint8Array>;
  /** Form fields sent before the file (multipart only). */
  fields: Record<string, string>;
}

const CSV_TYPES = [
  'text/csv',
  'application/csv',
  'text/plain',
  // What Windows browsers call a .csv file.
  'application/vnd.ms-excel',
  'application/octet-stream',
];

/**
 * The CSV in a request, as a stream: the body itself (`text/csv`) or the `file` field of a
 * form. The size limit is enforced while streaming, because a chunked upload has no
 * Content-Length to check first.
 */
export async function readCsvUpload(request: Request, maxBytes: number): Promise<CsvUpload> {
  const length = Number(request.headers.get('content-length') ?? 0);
  if (length > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) throw noFile();
  const type = (request.headers.get('content-type') ?? '').toLowerCase();
  const mediaType = type.split(';', 1)[0]!.trim();
  const body = limitBytes(request.body, maxBytes);
  if (mediaType === 'multipart/form-data') {
    const boundary = multipartBoundary(type);
    if (!boundary)
      throw new AppError('malformed_multipart', 'The multipart/form-data boundary is missing', {
        status: 400,
      });
    const upload = await readMultipartUpload(body, boundary, 'file');
    return { source: upload.file, fields: upload.fields };
  }
  if (CSV_TYPES.includes(mediaType)) return { source: body, fields: {} };
  throw new AppError(
    'unsupported_media_type',
    'Send the CSV file as text/csv, or as multipart/form-data in a field named "file"',
    { status: 415 },
  );
}

/**
 * The same from a form already read into memory. The CSRF check reads the body when a
 * browser sends its token as a form field instead of the header; the file is then taken
 * from what it read.
 */
export function csvUploadFromForm(form: FormData, maxBytes: number): CsvUpload {
  const file = form.get('file');
  if (!(file instanceof Blob)) throw noFile();
  if (file.size > maxBytes) throw tooLarge(maxBytes);
  const fields: Record<string, string> = {};
  form.forEach((value, key) => {
    if (typeof value === 'string' && !(key in fields)) fields[key] = value;
  });
  return { source: limitBytes(file.stream(), maxBytes), fields };
}

async function* limitBytes(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let size = 0;
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      size += value.length;
      if (size > maxBytes) throw tooLarge(maxBytes);
      yield value;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
  }
}

const tooLarge = (maxBytes: number) =>
  new AppError(
    'payload_too_large',
    `The file is larger than the import limit of ${Math.round(maxBytes / 1024 / 1024)} MB`,
    { status: 413 },
  );

const noFile = () =>
  new AppError(
    'invalid_input',
    'Send the CSV file as the request body, or in a form field named "file"',
    { status: 400, field: 'file' },
  );
