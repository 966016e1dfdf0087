/**
 * Member import benchmark: a 100,000-row member list streamed from a file into a fresh
 * SQLite database through the same `importCsv` the admin API uses.
 *
 *   npm run bench:import [-- --rows=100000 --batch=5000 --keep]
 *
 * Measures wall time of the import alone (the file is written first) and peak RSS of the
 * process while importing, both sampled every 50 ms and read from the kernel's high-water
 * mark (VmHWM, reset just before the import). Targets: under 10 s, under 300 MB.
 *
 * The last line printed is machine-readable:
 *   RESULT rows=… seconds=… rows_per_s=… peak_rss_mb=…
 */
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { MembersAdminService } from '../src/modules/members/admin/index.js';
import { systemClock } from '../src/platform/clock.js';
import { migrate, migrations, openDatabase } from '../src/platform/db/index.js';
import { writeMembersCsv } from './members-csv.js';
import { highWaterMark, option, resetHighWaterMark } from './support.js';

const ROWS = option('rows', 100_000);
const BATCH = option('batch', 5000);
const KEEP = process.argv.includes('--keep');
const MB = 1024 * 1024;

const dir = mkdtempSync(path.join(tmpdir(), 'pressroom-bench-import-'));
try {
  const csv = path.join(dir, 'members.csv');
  const genStart = performance.now();
  const expected = await writeMembersCsv(csv, ROWS);
  const genSeconds = (performance.now() - genStart) / 1000;

  const database = await openDatabase({ dialect: 'sqlite', file: path.join(dir, 'pressroom.db') });
  const { db } = database;
  await migrate(db as never, 'sqlite', migrations);
  // One newsletter new readers get, so the import writes subscriptions as it would in use.
  const at = new Date().toISOString();
  await db
    .insertInto('newsletters')
    .values({
      id: 'bench-weekly',
      slug: 'weekly',
      name: 'Weekly',
      description: null,
      subscribe_on_signup: 1,
      sort_order: 0,
      status: 'active',
      created_at: at,
      updated_at: at,
    })
    .execute();
  const service = new MembersAdminService({
    db,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
  });

  resetHighWaterMark();
  const baseline = process.memoryUsage().rss;
  let peakSampled = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakSampled = Math.max(peakSampled, process.memoryUsage().rss);
  }, 50);
  const start = performance.now();
  const report = await service.importCsv(createReadStream(csv, { highWaterMark: 64 * 1024 }), {
    batchSize: BATCH,
  });
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  const peak = Math.max(peakSampled, process.memoryUsage().rss, highWaterMark() ?? 0);

  const count = await db
    .selectFrom('members')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const subscribed = await db
    .selectFrom('member_newsletters')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  await database.destroy();

  const rows: [string, string][] = [
    [
      'file',
      `${ROWS} rows, ${(statSync(csv).size / MB).toFixed(1)} MB (written in ${genSeconds.toFixed(2)} s)`,
    ],
    ['batch size', String(BATCH)],
    ['format', report.format],
    ['imported', `${report.imported} (expected ${expected.unique})`],
    ['duplicates', `${report.duplicates} (expected ${expected.duplicates})`],
    ['bad rows', `${report.bad_count} (expected ${expected.bad})`],
    ['members in db', String(Number(count.n))],
    ['newsletter rows', String(Number(subscribed.n))],
    ['wall time', `${seconds.toFixed(2)} s`],
    ['rows/s', String(Math.round(ROWS / seconds))],
    [
      'peak RSS',
      `${(peak / MB).toFixed(1)} MB (${(baseline / MB).toFixed(1)} MB before the import)`,
    ],
  ];
  for (const [k, v] of rows) console.log(`${k.padEnd(16)} ${v}`);

  const problems: string[] = [];
  if (Number(count.n) !== expected.unique)
    problems.push(`members in db ${count.n} != ${expected.unique}`);
  if (report.imported !== expected.unique)
    problems.push(`imported ${report.imported} != ${expected.unique}`);
  if (report.duplicates !== expected.duplicates)
    problems.push(`duplicates ${report.duplicates} != ${expected.duplicates}`);
  if (report.bad_count !== expected.bad)
    problems.push(`bad ${report.bad_count} != ${expected.bad}`);
  if (Number(subscribed.n) !== expected.unique)
    problems.push(`newsletter rows ${subscribed.n} != ${expected.unique}`);
  if (seconds >= 10) problems.push(`slower than the 10 s target`);
  if (peak >= 300 * MB) problems.push(`more memory than the 300 MB target`);
  for (const p of problems) console.log(`PROBLEM ${p}`);
  if (problems.length > 0) process.exitCode = 1;

  console.log(
    `RESULT rows=${ROWS} seconds=${seconds.toFixed(2)} rows_per_s=${Math.round(ROWS / seconds)} peak_rss_mb=${Math.round(peak / MB)}`,
  );
} finally {
  if (KEEP) console.error(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
