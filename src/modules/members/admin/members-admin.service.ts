import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../platform/clock.js';
import type { Db } from '../../../platform/db/index.js';
import { badRequest, conflict, notFound } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import type { Actor } from '../../staff/index.js';
import { memberEvents, recordMemberEvent } from '../member-events.repository.js';
import type { MemberStatus } from '../members.types.js';
import type { CsvChunk } from './csv-reader.js';
import { csvLine } from './csv-writer.js';
import type {
  CompInput,
  MemberCreateInput,
  MemberExportQuery,
  MemberHistoryQuery,
  MemberListQuery,
  MemberPatchInput,
} from './members-admin.schema.js';
import * as repo from './members-admin.repository.js';
import {
  importMembers,
  resolveNewsletters,
  type ImportOptions,
  type ImportReport,
} from './members-import.js';
import { unsubscribeMember } from '../newsletters.repository.js';

export interface MembersAdminDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
}

export interface PledgeSummary {
  id: string;
  tier_id: string | null;
  amount: number;
  currency: string;
  interval: string;
  created_at: string;
}

/** A member as staff see them in lists. */
export interface MemberSummary {
  id: string;
  email: string;
  name: string | null;
  status: MemberStatus;
  tier: { id: string; slug: string | null; name: string | null } | null;
  comp_until: string | null;
  access_until: string | null;
  source: string;
  note: string | null;
  confirmed_at: string | null;
  last_seen_at: string | null;
  created_at: string;
  updated_at: string;
  newsletters: string[];
  pledge: PledgeSummary | null;
}

export interface MemberDetail {
  member: Omit<MemberSummary, 'newsletters' | 'pledge'> & { stripe_customer_id: string | null };
  newsletters: { id: string; slug: string; name: string }[];
  pledge: PledgeSummary | null;
  subscriptions: Awaited<ReturnType<typeof repo.subscriptionsOf>>;
  events: Awaited<ReturnType<typeof memberEvents>>;
}

/** One line of a member's history as staff see it. */
export interface MemberEvent {
  id: number;
  type: string;
  data: Record<string, unknown>;
  created_at: string;
}

/** A page of history; `next_before` asks for the page after it, null on the last. */
export interface MemberHistory {
  events: MemberEvent[];
  meta: { limit: number; next_before: number | null };
}

export interface MemberStats {
  total: number;
  by_status: Record<MemberStatus, number>;
  /** Members with an active pledge. */
  pledged: number;
}

export const EXPORT_COLUMNS = [
  'id',
  'email',
  'name',
  'status',
  'tier',
  'newsletters',
  'pledge_amount',
  'pledge_currency',
  'pledge_interval',
  'comp_until',
  'created_at',
] as const;
/** Rows fetched per query while exporting: memory stays flat however many members there are. */
const EXPORT_PAGE = 1000;

/** Subscriptions that still give (or are about to give) paid access. */
const LIVE_SUBSCRIPTIONS = new Set(['active', 'trialing', 'past_due', 'unpaid']);

/**
 * What a member's status becomes when staff end their comp: whatever their own billing
 * says, as if the comp had never been.
 */
export function statusWithoutComp(
  subscriptionStatuses: readonly string[],
  accessUntil: string | null,
  now: Date,
): MemberStatus {
  if (subscriptionStatuses.some((s) => s === 'active' || s === 'trialing')) return 'paid';
  if (subscriptionStatuses.some((s) => s === 'past_due' || s === 'unpaid')) return 'past_due';
  if (accessUntil !== null && Date.parse(accessUntil) > now.getTime()) return 'cancelled';
  return 'free';
}

const toFilter = (q: MemberExportQuery): repo.MemberFilter => ({
  search: q.search || undefined,
  status: q.status,
  tierId: q.tier,
  newsletterSlug: q.newsletter,
  signedUpAfter: q.signed_up_after,
  signedUpBefore: q.signed_up_before,
  pledged: q.pledged,
});

const toPledge = (p: repo.ActivePledge | undefined): PledgeSummary | null =>
  p
    ? {
        id: p.id,
        tier_id: p.tier_id,
        amount: Number(p.amount),
        currency: p.currency,
        interval: p.interval,
        created_at: p.created_at,
      }
    : null;

type MemberBase = Omit<MemberSummary, 'newsletters' | 'pledge'>;

const toBase = (r: repo.MemberListRow): MemberBase => ({
  id: r.id,
  email: r.email,
  name: r.name,
  status: r.status as MemberStatus,
  tier: r.tier_id ? { id: r.tier_id, slug: r.tier_slug, name: r.tier_name } : null,
  comp_until: r.comp_until,
  access_until: r.access_until,
  source: r.source,
  note: r.note,
  confirmed_at: r.confirmed_at,
  last_seen_at: r.last_seen_at,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

/** Staff's tools for members: find, inspect, edit, comp, erase, export and import. */
export class MembersAdminService {
  constructor(private readonly deps: MembersAdminDeps) {}

  private now() {
    return this.deps.clock.now().toISOString();
  }

  async list(q: MemberListQuery) {
    const { rows, total } = await repo.listMembers(this.deps.db, toFilter(q), {
      limit: q.limit,
      offset: (q.page - 1) * q.limit,
    });
    return {
      members: await this.summarize(this.deps.db, rows),
      meta: {
        page: q.page,
        limit: q.limit,
        pages: Math.max(1, Math.ceil(total / q.limit)),
        total,
      },
    };
  }

  private async summarize(db: Db, rows: readonly repo.MemberListRow[]): Promise<MemberSummary[]> {
    const ids = rows.map((r) => r.id);
    const [newsletters, pledges] = await Promise.all([
      repo.newsletterSlugsOf(db, ids),
      repo.activePledgesOf(db, ids),
    ]);
    return rows.map((r) => ({
      ...toBase(r),
      newsletters: newsletters.get(r.id) ?? [],
      pledge: toPledge(pledges.get(r.id)),
    }));
  }

  async stats(): Promise<MemberStats> {
    const [rows, pledged] = await Promise.all([
      repo.countByStatus(this.deps.db),
      repo.countPledged(this.deps.db),
    ]);
    const by_status: Record<MemberStatus, number> = {
      free: 0,
      paid: 0,
      comped: 0,
      past_due: 0,
      cancelled: 0,
    };
    let total = 0;
    for (const r of rows) {
      const n = Number(r.n);
      total += n;
      // A status another module invents later still counts in the total.
      if (r.status in by_status) by_status[r.status as MemberStatus] += n;
    }
    return { total, by_status, pledged };
  }

  async get(id: string, db: Db = this.deps.db): Promise<MemberDetail> {
    const m = await repo.findMember(db, id);
    if (!m) throw notFound('Member');
    const [newsletters, pledge, subscriptions, events] = await Promise.all([
      repo.newslettersOf(db, id),
      repo.activePledgeOf(db, id),
      repo.subscriptionsOf(db, id),
      memberEvents(db, id),
    ]);
    return {
      member: { ...toBase(m), stripe_customer_id: m.stripe_customer_id },
      newsletters,
      pledge: toPledge(pledge),
      subscriptions,
      events,
    };
  }

  /**
   * The whole history a page at a time: the detail carries only the newest events, and a
   * member who signs in every day buries their signup under them within months.
   */
  async history(id: string, q: MemberHistoryQuery): Promise<MemberHistory> {
    const { db } = this.deps;
    if (!(await repo.findMember(db, id))) throw notFound('Member');
    // One more than asked tells whether another page follows without counting them all.
    const rows = await repo.memberEventsPage(db, id, { before: q.before, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    return {
      events: page.map((r) => ({
        id: Number(r.id),
        type: r.type,
        data: JSON.parse(r.data) as Record<string, unknown>,
        created_at: r.created_at,
      })),
      meta: {
        limit: q.limit,
        next_before: rows.length > q.limit ? Number(page[page.length - 1]!.id) : null,
      },
    };
  }

  async create(actor: Actor, input: MemberCreateInput): Promise<MemberDetail> {
    const { db } = this.deps;
    if (await repo.findMemberIdByEmail(db, input.email))
      throw conflict(`A member with email ${input.email} already exists`, 'email');
    const newsletters =
      input.newsletters === undefined
        ? await repo.signupNewsletters(db)
        : await resolveNewsletters(db, input.newsletters);
    const comp = input.comp ?? null;
    this.assertFuture(comp, 'comp.until');
    const at = this.now();
    const id = randomUUID();
    try {
      await db.transaction().execute(async (trx) => {
        await repo.insertMember(trx, {
          id,
          email: input.email,
          name: input.name ?? null,
          status: comp ? 'comped' : 'free',
          tier_id: null,
          comp_until: comp?.until ?? null,
          access_until: null,
          stripe_customer_id: null,
          source: 'admin',
          note: input.note ?? null,
          // Staff vouch for the address; no confirmation email goes out.
          confirmed_at: at,
          last_seen_at: null,
          created_at: at,
          updated_at: at,
        });
        await repo.addMemberNewsletters(
          trx,
          newsletters.map((n) => ({ member_id: id, newsletter_id: n.id, created_at: at })),
        );
        await recordMemberEvent(trx, id, 'signed_up', { source: 'admin', staff_id: actor.id }, at);
        if (comp)
          await recordMemberEvent(trx, id, 'comped', { until: comp.until, staff_id: actor.id }, at);
      });
    } catch (error) {
      // The same address signing up at the same moment: the unique index decides.
      if (/unique|duplicate/i.test(String(error)))
        throw conflict(`A member with email ${input.email} already exists`, 'email');
      throw error;
    }
    this.deps.logger.info({ member: id, by: actor.id }, 'member added by staff');
    return this.get(id);
  }

  async update(actor: Actor, id: string, patch: MemberPatchInput): Promise<MemberDetail> {
    const { db } = this.deps;
    await db.transaction().execute(async (trx) => {
      const m = await repo.findMember(trx, id);
      if (!m) throw notFound('Member');
      const at = this.now();
      const fields: string[] = [];
      if (patch.name !== undefined && patch.name !== m.name) fields.push('name');
      if (patch.note !== undefined && patch.note !== m.note) fields.push('note');
      let subscribed: string[] = [];
      let unsubscribed: string[] = [];
      if (patch.newsletters !== undefined) {
        const current = await repo.newslettersOf(trx, id);
        const wanted = await resolveNewsletters(
          trx,
          patch.newsletters,
          current.map((n) => n.id),
        );
        const added = wanted.filter((n) => !current.some((c) => c.id === n.id));
        const removed = current.filter((c) => !wanted.some((n) => n.id === c.id));
        await unsubscribeMember(
          trx,
          id,
          removed.map((n) => n.id),
        );
        await repo.addMemberNewsletters(
          trx,
          added.map((n) => ({ member_id: id, newsletter_id: n.id, created_at: at })),
        );
        subscribed = added.map((n) => n.slug);
        unsubscribed = removed.map((n) => n.slug);
        if (added.length + removed.length > 0) fields.push('newsletters');
      }
      if (fields.length === 0) return;
      await repo.updateMember(trx, id, {
        ...(fields.includes('name') ? { name: patch.name } : {}),
        ...(fields.includes('note') ? { note: patch.note } : {}),
        updated_at: at,
      });
      // Which fields changed, never their values: the history outlives the member.
      await recordMemberEvent(
        trx,
        id,
        'edited',
        {
          staff_id: actor.id,
          fields,
          ...(fields.includes('newsletters') ? { subscribed, unsubscribed } : {}),
        },
        at,
      );
    });
    return this.get(id);
  }

  async comp(actor: Actor, id: string, input: CompInput): Promise<MemberDetail> {
    this.assertFuture(input, 'until');
    await this.deps.db.transaction().execute(async (trx) => {
      const m = await repo.findMember(trx, id);
      if (!m) throw notFound('Member');
      const at = this.now();
      await repo.updateMember(trx, id, {
        status: 'comped',
        comp_until: input.until,
        updated_at: at,
      });
      await recordMemberEvent(
        trx,
        id,
        'comped',
        { until: input.until, previous_status: m.status, staff_id: actor.id },
        at,
      );
    });
    return this.get(id);
  }

  async removeComp(actor: Actor, id: string): Promise<MemberDetail> {
    await this.deps.db.transaction().execute(async (trx) => {
      const m = await repo.findMember(trx, id);
      if (!m) throw notFound('Member');
      if (m.status !== 'comped') throw conflict('This member is not comped');
      const subscriptions = await repo.subscriptionsOf(trx, id);
      const status = statusWithoutComp(
        subscriptions.map((s) => s.status),
        m.access_until,
        this.deps.clock.now(),
      );
      const at = this.now();
      await repo.updateMember(trx, id, { status, comp_until: null, updated_at: at });
      await recordMemberEvent(trx, id, 'comp_removed', { status, staff_id: actor.id }, at);
    });
    return this.get(id);
  }

  /**
   * Erases the person: the row goes, and with it (by cascade) their newsletters, sign-in
   * links, sessions, pledges and subscription rows. Their history stays, detached
   * (member_id set null), so counts over time do not change.
   */
  async remove(actor: Actor, id: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const m = await repo.findMember(trx, id);
      if (!m) throw notFound('Member');
      const live = (await repo.subscriptionsOf(trx, id)).some((s) =>
        LIVE_SUBSCRIPTIONS.has(s.status),
      );
      // Stripe would keep charging a card whose owner we no longer know.
      if (live || m.status === 'paid' || m.status === 'past_due')
        throw conflict(
          'This member has a running subscription; cancel it in Stripe first, then delete the member',
        );
      await repo.deleteMember(trx, id);
      await recordMemberEvent(
        trx,
        null,
        'deleted',
        { by: 'staff', staff_id: actor.id, source: m.source, status: m.status },
        this.now(),
      );
    });
    this.deps.logger.info({ member: id, by: actor.id }, 'member deleted by staff');
  }

  /**
   * The filtered list as CSV, produced a page at a time as the client reads it: a list of a
   * million members never sits in memory, and a slow download holds no transaction open.
   */
  exportCsv(q: MemberExportQuery): ReadableStream<Uint8Array> {
    const { db } = this.deps;
    const filter = toFilter(q);
    const encoder = new TextEncoder();
    let cursor: repo.MemberCursor | null = null;
    let started = false;
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          if (!started) {
            started = true;
            controller.enqueue(encoder.encode(csvLine(EXPORT_COLUMNS)));
            return;
          }
          const rows = await repo.listMembersAfter(db, filter, cursor, EXPORT_PAGE);
          if (rows.length === 0) {
            controller.close();
            return;
          }
          const last = rows[rows.length - 1]!;
          cursor = { created_at: last.created_at, id: last.id };
          const members = await this.summarize(db, rows);
          controller.enqueue(encoder.encode(members.map(exportLine).join('')));
          if (rows.length < EXPORT_PAGE) controller.close();
        },
      },
      { highWaterMark: 1 },
    );
  }

  importCsv(source: AsyncIterable<CsvChunk>, options: ImportOptions = {}): Promise<ImportReport> {
    return importMembers(this.deps, source, options);
  }

  private assertFuture(comp: { until: string | null } | null, field: string) {
    if (comp?.until && Date.parse(comp.until) <= this.deps.clock.now().getTime())
      throw badRequest(`${field}: must be in the future`, field);
  }
}

const exportLine = (m: MemberSummary) =>
  csvLine([
    m.id,
    m.email,
    m.name,
    m.status,
    m.tier?.slug ?? m.tier?.id ?? null,
    m.newsletters.join(','),
    m.pledge?.amount,
    m.pledge?.currency,
    m.pledge?.interval,
    m.comp_until,
    m.created_at,
  ]);
