import type { Insertable } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import type { Db } from '../../../platform/db/index.js';
import type { MemberEventRow, MemberRow } from '../../../platform/db/schema.js';
import { AppError, badRequest } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import type { MemberStatus } from '../members.types.js';
import { readCsvRecords, type CsvChunk } from './csv-reader.js';
import { orderedUuid } from './ordered-id.js';
import {
  detectLayout,
  expectedHeadersMessage,
  mapRow,
  type ImportedMember,
  type ImportFormat,
  type ImportLayout,
} from './import-formats.js';
import * as repo from './members-admin.repository.js';

export interface ImportOptions {
  /** Newsletter slugs every subscribed member joins; left out: the signup newsletters. */
  newsletters?: readonly string[];
  /** Comp every imported member, open-ended (until null) or until then. */
  comp?: { until: string | null };
  /** Staff member running the import, for the history. */
  actorId?: string;
  /** Rows per transaction. */
  batchSize?: number;
}

export interface BadRow {
  /** Physical line in the file where the record starts; the header is line 1. */
  line: number;
  email: string | null;
  reason: string;
}

/**
 * What happened to every data row: `total_rows` = `imported` + `duplicates` + `skipped` +
 * `bad_count`. Blank lines are not rows.
 */
export interface ImportReport {
  format: ImportFormat;
  total_rows: number;
  imported: number;
  /** Already a member, or earlier in the same file: left as they are. */
  duplicates: number;
  /** Marked deleted at the source (Ghost's `deleted_at`). */
  skipped: number;
  bad: BadRow[];
  /** All bad rows; `bad` lists the first BAD_ROWS_LISTED of them. */
  bad_count: number;
  /** false when the file stopped being readable part-way (see the last bad row). */
  complete: boolean;
  newsletters: string[];
}

export const BAD_ROWS_LISTED = 1000;
/**
 * Rows per transaction. Every commit rewrites each index page the batch touched, and new
 * addresses land all over the email index, so fewer, larger batches are much cheaper
 * (1,000 rows: ~10 s for 100,000 on SQLite; 5,000: ~4 s). Still small enough that a batch
 * holds SQLite's write lock for a fraction of a second, so signups are not held up.
 */
const DEFAULT_BATCH = 5000;

interface PendingRow {
  line: number;
  member: ImportedMember;
}

interface Deps {
  db: Db;
  clock: Clock;
  logger: Logger;
}

/**
 * Reads a member list as it streams in and writes it in batches. Each batch is its own
 * transaction, so a file that breaks off half-way keeps what came before it, and importing
 * the same file again only adds what is missing: existing members are never changed.
 */
export async function importMembers(
  deps: Deps,
  source: AsyncIterable<CsvChunk>,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const { db, clock, logger } = deps;
  const started = performance.now();
  const now = clock.now();
  const at = now.toISOString();
  const newsletters =
    options.newsletters === undefined
      ? await repo.signupNewsletters(db)
      : await resolveNewsletters(db, options.newsletters);
  const comp = options.comp;
  if (comp?.until && Date.parse(comp.until) <= now.getTime())
    throw badRequest('comp: must be in the future', 'comp');
  const batchSize = options.batchSize ?? DEFAULT_BATCH;

  let layout: ImportLayout | undefined;
  const report: ImportReport = {
    format: 'generic',
    total_rows: 0,
    imported: 0,
    duplicates: 0,
    skipped: 0,
    bad: [],
    bad_count: 0,
    complete: true,
    newsletters: newsletters.map((n) => n.slug),
  };
  const addBad = (bad: BadRow) => {
    report.bad_count++;
    if (report.bad.length < BAD_ROWS_LISTED) report.bad.push(bad);
  };
  // Addresses seen so far: one short string per row is the memory an import keeps.
  const seenEmails = new Set<string>();
  const seenCustomers = new Set<string>();
  let batch: PendingRow[] = [];

  const flush = async () => {
    const rows = batch;
    batch = [];
    if (rows.length === 0) return;
    await db.transaction().execute(async (trx) => {
      const existing = await repo.existingEmails(
        trx,
        rows.map((r) => r.member.email),
      );
      const customerIds = rows.flatMap((r) => r.member.stripeCustomerId ?? []);
      const takenCustomers = await repo.existingStripeCustomers(trx, customerIds);
      const members: Insertable<MemberRow>[] = [];
      const subscribed = new Set<string>();
      for (const { line, member } of rows) {
        if (existing.has(member.email)) {
          report.duplicates++;
          continue;
        }
        if (member.stripeCustomerId && takenCustomers.has(member.stripeCustomerId)) {
          addBad({
            line,
            email: member.email,
            reason: `stripe_customer_id ${member.stripeCustomerId} belongs to another member`,
          });
          continue;
        }
        const memberComp = comp ?? (member.comped ? { until: null } : undefined);
        const status: MemberStatus = memberComp ? 'comped' : 'free';
        const id = orderedUuid();
        if (member.subscribed) subscribed.add(id);
        members.push({
          id,
          email: member.email,
          name: member.name,
          status,
          tier_id: null,
          comp_until: memberComp?.until ?? null,
          access_until: null,
          stripe_customer_id: member.stripeCustomerId,
          source: 'import',
          note: member.note,
          // They opted in where they came from; asking again would lose most of them.
          confirmed_at: at,
          last_seen_at: null,
          created_at: member.createdAt ?? at,
          updated_at: at,
        });
      }
      const inserted = await repo.insertMembersSkippingConflicts(trx, members);
      // Whatever the unique indexes turned away arrived between our check and the insert.
      report.duplicates += members.length - inserted.length;
      report.imported += inserted.length;
      const insertedIds = new Set(inserted.map((m) => m.id));
      await repo.addMemberNewsletters(
        trx,
        [...subscribed]
          .filter((id) => insertedIds.has(id))
          .flatMap((member_id) =>
            newsletters.map((n) => ({ member_id, newsletter_id: n.id, created_at: at })),
          ),
      );
      const events: Insertable<MemberEventRow>[] = [];
      for (const m of members) {
        if (!insertedIds.has(m.id)) continue;
        const data = {
          format: report.format,
          ...(options.actorId ? { staff_id: options.actorId } : {}),
          ...(m.status === 'comped' ? { comp_until: m.comp_until } : {}),
        };
        events.push({
          member_id: m.id,
          type: 'imported',
          data: JSON.stringify(data),
          created_at: at,
        });
      }
      await repo.insertMemberEvents(trx, events);
    });
  };

  for await (const record of readCsvRecords(source)) {
    if ('error' in record) {
      if (!layout) throw badRequest(`Line ${record.line}: ${record.error}`, 'file');
      report.total_rows++;
      report.complete = false;
      addBad({ line: record.line, email: null, reason: record.error });
      continue;
    }
    if (!layout) {
      layout = detectLayout(record.fields);
      if (!layout)
        throw new AppError('unknown_csv_format', expectedHeadersMessage(), {
          status: 400,
          field: 'file',
        });
      report.format = layout.format;
      continue;
    }
    // Spreadsheets save rows of empty cells below the data; they are not members.
    if (record.fields.every((f) => f.trim() === '')) continue;
    report.total_rows++;
    const mapped = mapRow(layout, record.fields, now);
    if (mapped.kind === 'skipped') {
      report.skipped++;
      continue;
    }
    if (mapped.kind === 'bad') {
      addBad({ line: record.line, email: mapped.email, reason: mapped.reason });
      continue;
    }
    const { member } = mapped;
    if (seenEmails.has(member.email)) {
      report.duplicates++;
      continue;
    }
    seenEmails.add(member.email);
    if (member.stripeCustomerId) {
      if (seenCustomers.has(member.stripeCustomerId)) {
        addBad({
          line: record.line,
          email: member.email,
          reason: `stripe_customer_id ${member.stripeCustomerId} is on an earlier row too`,
        });
        continue;
      }
      seenCustomers.add(member.stripeCustomerId);
    }
    batch.push({ line: record.line, member });
    if (batch.length >= batchSize) await flush();
  }
  if (!layout)
    throw new AppError('empty_file', `The file is empty. ${expectedHeadersMessage()}`, {
      status: 400,
      field: 'file',
    });
  await flush();

  report.bad.sort((a, b) => a.line - b.line);
  logger.info(
    {
      format: report.format,
      total_rows: report.total_rows,
      imported: report.imported,
      duplicates: report.duplicates,
      skipped: report.skipped,
      bad: report.bad_count,
      complete: report.complete,
      ms: Math.round(performance.now() - started),
    },
    'members imported',
  );
  return report;
}

/**
 * Newsletters by slug, all of them or a 400 naming the unknown ones. Archived newsletters
 * take no new subscribers; `keep` lists the ids a member already has, which may stay.
 */
export async function resolveNewsletters(
  db: Db,
  slugs: readonly string[],
  keep: readonly string[] = [],
) {
  const unique = [...new Set(slugs)];
  const found = await repo.findNewslettersBySlugs(db, unique);
  const missing = unique.filter((s) => !found.some((n) => n.slug === s));
  if (missing.length > 0)
    throw badRequest(`No newsletter with the slug ${missing.join(', ')}`, 'newsletters');
  const archived = found.filter((n) => n.status !== 'active' && !keep.includes(n.id));
  if (archived.length > 0)
    throw badRequest(
      `The newsletter ${archived.map((n) => n.slug).join(', ')} is archived and takes no new subscribers`,
      'newsletters',
    );
  return found;
}
