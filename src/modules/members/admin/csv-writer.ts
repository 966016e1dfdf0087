export type CsvValue = string | number | null | undefined;

/**
 * Spreadsheets run a cell that starts with one of these as a formula (`=HYPERLINK(…)`,
 * `@SUM(…)`, `+cmd|…`); tab and carriage return can hide such a start. A member chooses
 * their own name, so every text cell gets OWASP's remedy: a leading apostrophe, which the
 * spreadsheet shows as text and does not display.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record with RFC 4180's CRLF line ending, which every spreadsheet reads. */
export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
