import { describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/errors.js';
import { multipartBoundary, readMultipartUpload } from './multipart.js';

const BOUNDARY = '----pressroomBoundary7MA4YWxk';

function body(parts: { name: string; filename?: string; value: string }[]): string {
  let out = 'preamble to ignore\r\n';
  for (const p of parts) {
    out += `--${BOUNDARY}\r\n`;
    out += `Content-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n`;
    if (p.filename) out += 'Content-Type: text/csv\r\n';
    out += `\r\n${p.value}\r\n`;
  }
  return `${out}--${BOUNDARY}--\r\n`;
}

async function* chunked(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function read(text: string, size: number) {
  const upload = await readMultipartUpload(chunked(text, size), BOUNDARY, 'file');
  const chunks: Buffer[] = [];
  for await (const c of upload.file) chunks.push(c);
  return {
    fields: upload.fields,
    filename: upload.filename,
    file: Buffer.concat(chunks).toString(),
  };
}

describe('readMultipartUpload', () => {
  // The file's bytes include a CRLF and a near-miss of the boundary, so a parser that
  // looked for the boundary without its leading CRLF, or lost bytes between chunks, fails.
  const file = `email,name\r\na@x.com,"Zoë\r\n--${BOUNDARY.slice(0, 10)}"\r\nb@x.com,B\r\n`;
  const text = body([
    { name: 'newsletters', value: 'weekly,daily' },
    { name: 'comp', value: 'true' },
    { name: 'file', filename: 'members.csv', value: file },
    { name: 'after', value: 'ignored' },
  ]);

  it('reads the fields before the file and streams the file, however the bytes arrive', async () => {
    for (const size of [1, 2, 3, 5, 7, 11, 16, 31, 64, 1000, 100_000]) {
      expect(await read(text, size), `chunks of ${size}`).toEqual({
        fields: { newsletters: 'weekly,daily', comp: 'true' },
        filename: 'members.csv',
        file,
      });
    }
  });

  it('takes an empty file and a file that is the last part', async () => {
    const only = body([{ name: 'file', filename: 'x.csv', value: '' }]);
    expect(await read(only, 4)).toEqual({ fields: {}, filename: 'x.csv', file: '' });
  });

  it('answers 400 when there is no file field', async () => {
    const none = body([{ name: 'newsletters', value: 'weekly' }]);
    await expect(read(none, 8)).rejects.toMatchObject({ status: 400, field: 'file' });
  });

  it('answers 400 to a body cut off in the middle', async () => {
    const cut = text.slice(0, text.indexOf('b@x.com'));
    await expect(read(cut, 16)).rejects.toBeInstanceOf(AppError);
    await expect(read(cut, 16)).rejects.toMatchObject({ code: 'malformed_multipart' });
  });
});

describe('multipartBoundary', () => {
  it.each([
    ['multipart/form-data; boundary=abc123', 'abc123'],
    ['multipart/form-data; charset=utf-8; boundary="quoted boundary"', 'quoted boundary'],
    ['multipart/form-data', undefined],
  ])('%j → %j', (type, boundary) => {
    expect(multipartBoundary(type)).toBe(boundary);
  });
});
