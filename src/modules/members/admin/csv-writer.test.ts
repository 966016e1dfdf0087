import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from './csv-writer.js';

describe('csvCell', () => {
  it.each([
    [null, ''],
    [undefined, ''],
    [0, '0'],
    [1250, '1250'],
    ['plain', 'plain'],
    ['', ''],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rhere', '"cr\rhere"'],
    ['=1+2', "'=1+2"],
    ['+44 20', "'+44 20"],
    ['-5', "'-5"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['=HYPERLINK("x","y")', `"'=HYPERLINK(""x"",""y"")"`],
    ['a=b', 'a=b'],
    ['Zoë 😀', 'Zoë 😀'],
  ])('%j → %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});

describe('csvLine', () => {
  it('ends records with CRLF and reads back through a CSV parser', () => {
    const values = ['id-1', 'a@x.com', 'Smith, "Jo"\nJr', null, 700];
    const line = csvLine(values);
    expect(line.endsWith('\r\n')).toBe(true);
    expect(parse(line)).toEqual([['id-1', 'a@x.com', 'Smith, "Jo"\nJr', '', '700']]);
  });
});
