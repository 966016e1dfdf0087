import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse, type CsvError, type Options } from 'csv-parse';

export type CsvChunk = Buffer | Uint8Array | string;

/** A parsed record and the physical line of the file it starts on (line 1 is the header). */
export type CsvRecord =
  | { line: number; fields: string[] }
  /** A record the parser could not read (an unclosed quote, a runaway record). */
  | { line: number; error: string };

/** A member list has no business holding a record this large: it is an unclosed quote. */
const MAX_RECORD_BYTES = 256 * 1024;
/** How much of the file is looked at to guess the delimiter. */
const SNIFF_BYTES = 64 * 1024;

/**
 * Streams records out of a CSV file without holding it in memory. Line numbers are the
 * physical lines where each record starts, counting lines inside quoted fields, so a
 * staff member can find a reported row in a text editor.
 *
 * csv-parse's own `info.lines` counts a CRLF inside a quoted field as two lines, so the
 * lines are counted here from each record's raw text instead; `on_record` and `on_skip` run
 * synchronously in file order, which keeps that count in step. (csv-parse 7 leaves the LF
 * of a record's closing CRLF out of its raw text; the count is the same either way, and the
 * CRLF tests would catch a version that moved it to the next record.)
 */
export async function* readCsvRecords(source: AsyncIterable<CsvChunk>): AsyncGenerator<CsvRecord> {
  const { head, rest } = await peek(source);
  let nextLine = 1;
  // The parser runs ahead of this generator's consumer, so a record it gave up on waits
  // here until the records before it have been handed out.
  const unreadable: CsvRecord[] = [];
  // After an unclosed quote or an oversized record nothing further can be trusted: stop
  // reading the source, so the parser ends and hands out what it parsed before.
  let stopped = false;
  const options: Options<CsvRecord, { record: string[]; raw: string }> = {
    bom: true,
    delimiter: guessDelimiter(head),
    raw: true,
    // A stray quote inside a field (`Jo "JJ" Smith`) is kept as text: strict quoting would
    // make the parser read on to the next quote and swallow the rows in between.
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_BYTES,
    // Without this a parse error destroys the stream, and the records already parsed but
    // not yet read are lost with it.
    skip_records_with_error: true,
    on_skip: (error, raw) => {
      if (stopped) return undefined;
      if (error?.code === 'CSV_QUOTE_NOT_CLOSED' || error?.code === 'CSV_MAX_RECORD_SIZE')
        stopped = true;
      const text = raw ?? '';
      unreadable.push({
        line: nextLine + leadingLineBreaks(text),
        error: describeCsvError(error),
      });
      nextLine += countLineBreaks(text);
      return undefined;
    },
    on_record: (record, context) => {
      const raw = context.raw ?? '';
      const line = nextLine + leadingLineBreaks(raw);
      nextLine += countLineBreaks(raw);
      return { line, fields: record.record };
    },
  };
  // parse()'s untyped overload is the one for options without `columns`; the records it
  // yields are what on_record returns.
  const parser = parse(options as unknown as Options);
  async function* untilStopped(): AsyncGenerator<CsvChunk> {
    for await (const chunk of rest) {
      if (stopped) return;
      yield chunk;
    }
  }
  const feeding = pipeline(Readable.from(untilStopped()), parser);
  // Errors reach the caller through the iteration below; this only stops an unhandled rejection.
  feeding.catch(() => undefined);
  for await (const value of parser) {
    const record = value as CsvRecord;
    while (unreadable.length > 0 && unreadable[0]!.line < record.line) yield unreadable.shift()!;
    yield record;
  }
  yield* unreadable;
  await feeding;
}

function describeCsvError(error: CsvError | undefined): string {
  switch (error?.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed; the rest of the file was not read';
    case 'CSV_MAX_RECORD_SIZE':
      return `a record is larger than ${MAX_RECORD_BYTES / 1024} KB (an unclosed quote?); the rest of the file was not read`;
    default:
      return `this record cannot be read (${error?.message ?? 'malformed CSV'})`;
  }
}

const LINE_BREAK = /\r\n|\r|\n/g;

export function countLineBreaks(text: string): number {
  return text.match(LINE_BREAK)?.length ?? 0;
}

/** Empty lines the parser skipped reach us at the start of the next record's raw text. */
export function leadingLineBreaks(text: string): number {
  const lead = /^(?:\r\n|\r|\n)+/.exec(text)?.[0] ?? '';
  return countLineBreaks(lead);
}

/**
 * Spreadsheets in some locales save with semicolons or tabs. The header row decides: it
 * holds plain column names, so whichever candidate it contains most is the delimiter.
 */
export function guessDelimiter(head: string): string {
  const firstLine = head.split(/\r\n|\r|\n/, 1)[0] ?? '';
  let best = ',';
  let bestCount = count(firstLine, ',');
  for (const candidate of [';', '\t']) {
    const n = count(firstLine, candidate);
    if (n > bestCount) {
      best = candidate;
      bestCount = n;
    }
  }
  return best;
}

const count = (text: string, char: string) => text.split(char).length - 1;

/** Reads just enough of the stream to see the header line, then hands back all of it. */
async function peek(
  source: AsyncIterable<CsvChunk>,
): Promise<{ head: string; rest: AsyncIterable<CsvChunk> }> {
  const iterator = source[Symbol.asyncIterator]();
  const taken: CsvChunk[] = [];
  let size = 0;
  let text = '';
  let ended = false;
  while (size < SNIFF_BYTES && !/[\r\n]/.test(text)) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    taken.push(next.value);
    const piece =
      typeof next.value === 'string' ? next.value : Buffer.from(next.value).toString('utf8');
    size += piece.length;
    text += piece;
  }
  async function* rest(): AsyncGenerator<CsvChunk> {
    try {
      yield* taken;
      if (ended) return;
      for (;;) {
        const next = await iterator.next();
        if (next.done) {
          ended = true;
          return;
        }
        yield next.value;
      }
    } finally {
      // Stopping early (an error further on) must release the request body or file.
      if (!ended) await iterator.return?.();
    }
  }
  return { head: text, rest: rest() };
}
