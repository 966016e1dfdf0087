/**
 * Test-only wiring for the payments tests: a members-side PledgePort over the database, a
 * member factory, and a small Hono app composed the way app.ts composes the real one.
 * It imports nothing from test/ so that the build (rootDir src) still compiles.
 */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { pino } from 'pino';
import Stripe from 'stripe';
import type { Clock } from '../../platform/clock.js';
import type { Db, Dialect } from '../../platform/db/index.js';
import {
  csrfProtection,
  errorHandler,
  requestContext,
  type BaseEnv,
} from '../../platform/http/index.js';
import { JobQueue, JobWorker } from '../../platform/jobs/index.js';
import type { Mailer } from '../../platform/mailer/index.js';
import { RateLimiter } from '../../platform/security/rate-limit.js';
import { recordMemberEvent } from '../members/member-events.repository.js';
import { findMemberById } from '../members/members-billing.repository.js';
import type { Member, MemberStatus } from '../members/members.types.js';
import { StaffService } from '../staff/index.js';
import { createPaymentsModule, registerPaymentJobs, type PledgePort } from './index.js';

export const PUBLIC_URL = 'http://pressroom.test';
export const WEBHOOK_SECRET = 'whsec_test_pressroom';
export const SECRET_KEY = 'sk_test_pressroom';
const CSRF = 'test-csrf-token-0123456789abcdefghijklmnopq';

/** The members module's pledges, as the lead will wire them, straight over the tables. */
export function dbPledgePort(db: Db): PledgePort {
  return {
    activePledges: () =>
      db
        .selectFrom('pledges')
        .innerJoin('members', 'members.id', 'pledges.member_id')
        .select([
          'pledges.member_id',
          'members.email',
          'members.name',
          'pledges.amount',
          'pledges.currency',
          'pledges.interval',
          'pledges.tier_id',
        ])
        .where('pledges.status', '=', 'active')
        .orderBy('pledges.created_at')
        .execute(),
    // Like the members implementation: the pledge changes and its history event is recorded
    // once, only when there was an active pledge to change.
    async markConverted(memberId, at) {
      const result = await db
        .updateTable('pledges')
        .set({ status: 'converted', converted_at: at, updated_at: at })
        .where('member_id', '=', memberId)
        .where('status', '=', 'active')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) > 0)
        await recordMemberEvent(db, memberId, 'pledge_converted', {}, at);
    },
    async markInvited(memberIds, at) {
      for (const memberId of memberIds) {
        const result = await db
          .updateTable('pledges')
          .set({ invited_at: at, updated_at: at })
          .where('member_id', '=', memberId)
          .where('status', '=', 'active')
          .where('invited_at', 'is', null)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) > 0)
          await recordMemberEvent(db, memberId, 'pledge_invited', {}, at);
      }
    },
  };
}

let memberCounter = 0;

export async function insertMember(
  db: Db,
  at: Date,
  fields: Partial<Pick<Member, 'email' | 'name' | 'comp_until' | 'stripe_customer_id'>> & {
    status?: MemberStatus;
  } = {},
): Promise<Member> {
  memberCounter++;
  const now = at.toISOString();
  const id = randomUUID();
  await db
    .insertInto('members')
    .values({
      id,
      email: fields.email ?? `reader-${memberCounter}-${id.slice(0, 6)}@example.com`,
      name: fields.name === undefined ? `Reader ${memberCounter}` : fields.name,
      status: fields.status ?? 'free',
      tier_id: null,
      comp_until: fields.comp_until ?? null,
      access_until: null,
      stripe_customer_id: fields.stripe_customer_id ?? null,
      source: 'signup',
      note: null,
      confirmed_at: now,
      last_seen_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return (await findMemberById(db, id))!;
}

export async function insertPledge(
  db: Db,
  at: Date,
  p: {
    member_id: string;
    tier_id: string | null;
    amount: number;
    currency?: string;
    interval?: string;
  },
): Promise<void> {
  const now = at.toISOString();
  await db
    .insertInto('pledges')
    .values({
      id: randomUUID(),
      member_id: p.member_id,
      tier_id: p.tier_id,
      amount: p.amount,
      currency: p.currency ?? 'usd',
      interval: p.interval ?? 'month',
      status: 'active',
      invited_at: null,
      converted_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
}

export const readMember = (db: Db, id: string) =>
  db.selectFrom('members').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

export const readPledge = (db: Db, memberId: string) =>
  db.selectFrom('pledges').selectAll().where('member_id', '=', memberId).executeTakeFirstOrThrow();

export const memberEventTypes = async (db: Db, memberId: string) =>
  (
    await db
      .selectFrom('member_events')
      .select('type')
      .where('member_id', '=', memberId)
      .orderBy('id')
      .execute()
  ).map((r) => r.type);

let eventCounter = 0;

/** A Stripe event envelope around `object`, as Stripe would post it. */
export function stripeEvent(type: string, object: unknown, created: number, id?: string) {
  eventCounter++;
  return {
    id: id ?? `evt_test_${eventCounter}_${randomUUID().slice(0, 8)}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created,
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}

export interface HarnessOptions {
  db: Db;
  dialect: Dialect;
  clock: Clock;
  mailer: Mailer;
  /** Payment variables; by default keys for the fake at `stripeUrl`. */
  env?: Record<string, string | undefined>;
  stripeUrl?: string;
}

/**
 * The payments module mounted on a bare app with the platform's request context, CSRF
 * protection (the webhook exempt) and error handler; staff, jobs and a worker beside it.
 */
export async function paymentsHarness(opts: HarnessOptions) {
  const { db, dialect, clock, mailer } = opts;
  const logger = pino({ level: 'silent' });
  const staff = new StaffService({
    db,
    clock,
    logger,
    rateLimiter: new RateLimiter({ db, clock }),
  });
  const owner = await staff.createOwner({
    email: 'owner@example.com',
    name: 'Olga Owner',
    password: 'correct horse battery',
  });
  const actor = { id: owner.id, role: 'owner' as const };
  const editor = await staff.create(actor, {
    email: 'editor@example.com',
    name: 'Eddie Editor',
    role: 'editor',
  });
  const adminToken = (await staff.createApiToken({ name: 'tests', staffId: owner.id })).token;
  const editorToken = (await staff.createApiToken({ name: 'tests', staffId: editor.id })).token;

  const jobs = new JobQueue({ db, clock });
  const env = opts.env ?? {
    STRIPE_SECRET_KEY: SECRET_KEY,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_BASE: opts.stripeUrl,
  };
  const payments = createPaymentsModule({
    db,
    clock,
    logger,
    mailer,
    jobs,
    config: { publicUrl: PUBLIC_URL },
    env,
    pledges: dbPledgePort(db),
    staff,
    siteTitle: () => Promise.resolve('The Dispatch'),
    // Members core will set c.var.member from its session cookie; tests name the member.
    getMember: async (c) => {
      const id = c.req.header('x-test-member');
      return id ? findMemberById(db, id) : undefined;
    },
  });

  const app = new Hono<BaseEnv>();
  app.use('*', requestContext(logger, false));
  app.use(
    '*',
    csrfProtection({
      publicOrigin: PUBLIC_URL,
      exemptPaths: (path) => path === payments.webhookPath,
    }),
  );
  app.onError(errorHandler((_c, status, message) => `<h1>${status}</h1><p>${message}</p>`));
  app.route('/', payments.routes.site);
  app.route('/api/members', payments.routes.api);
  app.route('/api/admin', payments.routes.admin);

  const worker = new JobWorker({ db, dialect, clock, logger, queue: jobs, concurrency: 1 });
  registerPaymentJobs(worker, payments);

  const request = (method: string, path: string, body: unknown, headers: Record<string, string>) =>
    app.request(`${PUBLIC_URL}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  return {
    app,
    payments,
    jobs,
    worker,
    staff,
    /** As an admin, with an API token (no cookies, so no CSRF token needed). */
    admin: (method: string, path: string, body?: unknown) =>
      request(method, path, body, { authorization: `Bearer ${adminToken}` }),
    editor: (method: string, path: string, body?: unknown) =>
      request(method, path, body, { authorization: `Bearer ${editorToken}` }),
    /** As a signed-in member in a browser: cookie-borne CSRF token sent back in the header. */
    member: (memberId: string | undefined, method: string, path: string, body?: unknown) =>
      request(method, path, body, {
        ...(memberId ? { 'x-test-member': memberId } : {}),
        cookie: `pr_csrf=${CSRF}`,
        'x-csrf-token': CSRF,
      }),
    /** A browser form post from the member's account page. */
    memberForm: (memberId: string, path: string, fields: Record<string, string>) =>
      app.request(`${PUBLIC_URL}${path}`, {
        method: 'POST',
        headers: {
          'x-test-member': memberId,
          cookie: `pr_csrf=${CSRF}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ ...fields, _csrf: CSRF }).toString(),
      }),
    /** Posts an event the way Stripe does: raw JSON, signed with the webhook secret. */
    deliver(event: unknown, options: { secret?: string; signature?: string | null } = {}) {
      const payload = JSON.stringify(event);
      const signature =
        options.signature === undefined
          ? Stripe.webhooks.generateTestHeaderString({
              payload,
              secret: options.secret ?? WEBHOOK_SECRET,
              timestamp: Math.floor(clock.now().getTime() / 1000),
            })
          : options.signature;
      return app.request(`${PUBLIC_URL}${payments.webhookPath}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          ...(signature === null ? {} : { 'stripe-signature': signature }),
        },
        body: payload,
      });
    },
  };
}

export type PaymentsHarness = Awaited<ReturnType<typeof paymentsHarness>>;
