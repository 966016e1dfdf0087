import { describe, expect, it } from 'vitest';
import { countLineBreaks, guessDelimiter, readCsvRecords, type CsvRecord } from './csv-reader.js';

async function* chunked(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function records(text: string, size = 1 << 20): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const r of readCsvRecords(chunked(text, size))) out.push(r);
  return out;
}

describe('readCsvRecords', () => {
  const expected = (eol: string): CsvRecord[] => [
    { line: 1, fields: ['email', 'name'] },
    { line: 2, fields: ['a@x.com', 'A'] },
    { line: 4, fields: ['b@x.com', `multi${eol}line${eol}name`] },
    { line: 7, fields: ['d@x.com', 'D', 'extra'] },
    { line: 8, fields: ['e@x.com', 'Zoë 😀'] },
  ];
  const file = (eol: string) =>
    [
      'email,name',
      'a@x.com,A',
      '',
      `b@x.com,"multi${eol}line${eol}name"`,
      'd@x.com,D,extra',
      'e@x.com,Zoë 😀',
    ].join(eol);

  // Every chunk size from one byte up: a CRLF, a quote or a multi-byte character split across
  // chunks must not move a line number.
  for (const [label, eol] of [
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ] as const) {
    it(`numbers records by their first physical line (${label}), however the bytes arrive`, async () => {
      for (let size = 1; size <= 13; size++)
        expect(await records(file(eol), size), `chunks of ${size}`).toEqual(expected(eol));
      expect(await records(`${file(eol)}${eol}`)).toEqual(expected(eol));
    });
  }

  it('keeps stray quotes inside unquoted fields as text', async () => {
    expect(await records('email,name\na@x.com,Jo "JJ" Smith\nb@x.com,B\n')).toEqual([
      { line: 1, fields: ['email', 'name'] },
      { line: 2, fields: ['a@x.com', 'Jo "JJ" Smith'] },
      { line: 3, fields: ['b@x.com', 'B'] },
    ]);
  });

  it('hands out the records before an unclosed quote, then where reading stopped', async () => {
    for (let size = 1; size <= 7; size++) {
      expect(await records('email,name\na@x.com,A\n\nb@x.com,"open\nc@x.com,C\n', size)).toEqual([
        { line: 1, fields: ['email', 'name'] },
        { line: 2, fields: ['a@x.com', 'A'] },
        { line: 4, error: expect.stringMatching(/never closed/) },
      ]);
    }
  });

  it('stops at a runaway record instead of buffering the rest of the file', async () => {
    const out = await records(`email,name\na@x.com,"${'x'.repeat(300_000)}\nb@x.com,B\n`, 4096);
    expect(out).toEqual([
      { line: 1, fields: ['email', 'name'] },
      { line: 2, error: expect.stringMatching(/larger than 256 KB/) },
    ]);
  });

  it('strips a byte-order mark and accepts strings as well as bytes', async () => {
    async function* strings() {
      yield '\uFEFFemail\n';
      yield 'a@x.com\n';
    }
    const out: CsvRecord[] = [];
    for await (const r of readCsvRecords(strings())) out.push(r);
    expect(out).toEqual([
      { line: 1, fields: ['email'] },
      { line: 2, fields: ['a@x.com'] },
    ]);
  });

  it('yields nothing for an empty file', async () => {
    expect(await records('')).toEqual([]);
  });
});

describe('guessDelimiter', () => {
  it.each([
    ['email,name', ','],
    ['email;name;note', ';'],
    ['email\tname', '\t'],
    ['email', ','],
    ['"last, first";email;x', ';'],
    ['email,name\nx;y;z;w', ','],
  ])('%j → %j', (head, delimiter) => {
    expect(guessDelimiter(head)).toBe(delimiter);
  });
});

describe('countLineBreaks', () => {
  it.each([
    ['', 0],
    ['a\nb', 1],
    ['a\r\nb\r\n', 2],
    ['a\rb\r', 2],
    ['\r\n\n\r', 3],
  ])('%j → %i', (text, n) => {
    expect(countLineBreaks(text)).toBe(n);
  });
});
