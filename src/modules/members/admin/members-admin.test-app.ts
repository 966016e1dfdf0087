import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { pino } from 'pino';
import { createTestDatabase } from '../../../../test/support/database.js';
import { ManualClock } from '../../../../test/support/fixtures.js';
import type { Dialect } from '../../../platform/db/index.js';
import { notFound } from '../../../platform/errors.js';
import {
  csrfProtection,
  errorHandler,
  requestContext,
  type BaseEnv,
} from '../../../platform/http/index.js';
import { RateLimiter } from '../../../platform/security/rate-limit.js';
import { StaffService, type Role } from '../../staff/index.js';
import { recordMemberEvent } from '../member-events.repository.js';
import type { MemberStatus } from '../members.types.js';
import { createMembersAdmin } from './index.js';

export const BASE = 'http://pressroom.test/api/admin/members';

/**
 * The staff member tools composed as app.ts will compose them (request context, the one
 * error handler, Bearer-token staff authentication) on a real database of either engine.
 * Until app.ts mounts them, their HTTP tests run here.
 */
export async function createMembersAdminTestApp(
  dialect: Dialect,
  options: { importLimitBytes?: number; csrf?: boolean } = {},
) {
  const database = await createTestDatabase(dialect);
  const { db } = database;
  const clock = new ManualClock('2026-03-02T10:00:00.000Z');
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
  const tokens = new Map<Role, string>();
  tokens.set('owner', (await staff.createApiToken({ name: 'tests', staffId: owner.id })).token);
  for (const role of ['admin', 'editor', 'author'] as const) {
    const s = await staff.create(
      { id: owner.id, role: 'owner' },
      { email: `${role}@example.com`, name: `${role} person`, role },
    );
    tokens.set(role, (await staff.createApiToken({ name: 'tests', staffId: s.id })).token);
  }

  const admin = createMembersAdmin({
    db,
    clock,
    logger,
    staff,
    ...(options.importLimitBytes ? { importLimitBytes: options.importLimitBytes } : {}),
  });
  const app = new Hono<BaseEnv>();
  app.use('*', requestContext(logger, false));
  if (options.csrf) app.use('*', csrfProtection({ publicOrigin: 'http://pressroom.test' }));
  app.onError(errorHandler(() => '<p>error</p>'));
  app.notFound(() => {
    throw notFound('Page');
  });
  app.route('/api/admin/members', admin.routes);

  /** A request as `role` (null: nobody signed in) to a path under /api/admin/members. */
  const request = (
    role: Role | null,
    method: string,
    path: string,
    init: { json?: unknown; body?: RequestInit['body']; headers?: Record<string, string> } = {},
  ) => {
    const headers: Record<string, string> = { ...init.headers };
    if (role) headers.authorization = `Bearer ${tokens.get(role)}`;
    let body = init.body;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    // The list lives at /api/admin/members itself, without a trailing slash.
    const url =
      path === '/' || path.startsWith('/?') ? `${BASE}${path.slice(1)}` : `${BASE}${path}`;
    return app.request(url, {
      method,
      headers,
      body,
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);
  };

  const at = () => clock.now().toISOString();

  const factories = {
    async newsletter(slug: string, subscribeOnSignup = true, status = 'active') {
      const id = randomUUID();
      await db
        .insertInto('newsletters')
        .values({
          id,
          slug,
          name: slug[0]!.toUpperCase() + slug.slice(1),
          description: null,
          subscribe_on_signup: subscribeOnSignup ? 1 : 0,
          sort_order: 0,
          status,
          created_at: at(),
          updated_at: at(),
        })
        .execute();
      return id;
    },
    async tier(slug: string) {
      const id = randomUUID();
      await db
        .insertInto('tiers')
        .values({
          id,
          slug,
          name: slug,
          description: null,
          currency: 'USD',
          monthly_amount: 500,
          yearly_amount: 5000,
          founding_min_amount: null,
          trial_days: 0,
          open: 1,
          active: 1,
          sort_order: 0,
          stripe_product_id: null,
          stripe_monthly_price_id: null,
          stripe_yearly_price_id: null,
          created_at: at(),
          updated_at: at(),
        })
        .execute();
      return id;
    },
    async member(input: {
      email: string;
      name?: string | null;
      status?: MemberStatus;
      tierId?: string | null;
      createdAt?: string;
      newsletterIds?: string[];
      accessUntil?: string | null;
      compUntil?: string | null;
    }) {
      const id = randomUUID();
      const created = input.createdAt ?? at();
      await db
        .insertInto('members')
        .values({
          id,
          email: input.email,
          name: input.name ?? null,
          status: input.status ?? 'free',
          tier_id: input.tierId ?? null,
          comp_until: input.compUntil ?? null,
          access_until: input.accessUntil ?? null,
          stripe_customer_id: null,
          source: 'signup',
          note: null,
          confirmed_at: created,
          last_seen_at: null,
          created_at: created,
          updated_at: created,
        })
        .execute();
      for (const newsletterId of input.newsletterIds ?? []) {
        await db
          .insertInto('member_newsletters')
          .values({ member_id: id, newsletter_id: newsletterId, created_at: created })
          .execute();
      }
      await recordMemberEvent(db, id, 'signed_up', { source: 'signup' }, created);
      return id;
    },
    async pledge(memberId: string, status = 'active', amount = 700) {
      await db
        .insertInto('pledges')
        .values({
          id: randomUUID(),
          member_id: memberId,
          tier_id: null,
          amount,
          currency: 'USD',
          interval: 'month',
          status,
          invited_at: null,
          converted_at: null,
          created_at: at(),
          updated_at: at(),
        })
        .execute();
    },
    async subscription(memberId: string, status: string, tierId: string | null = null) {
      await db
        .insertInto('subscriptions')
        .values({
          id: `sub_${randomUUID().slice(0, 8)}`,
          member_id: memberId,
          tier_id: tierId,
          status,
          interval: 'month',
          amount: 500,
          currency: 'USD',
          current_period_end: '2026-04-01T00:00:00.000Z',
          cancel_at_period_end: 0,
          trial_end: null,
          stripe_event_created: 0,
          created_at: at(),
          updated_at: at(),
        })
        .execute();
    },
  };

  /** A browser's session cookie for the owner, as after signing in. */
  const ownerSessionToken = (await staff.createSession(owner.id, '127.0.0.1')).token;

  return {
    db,
    clock,
    ownerSessionToken,
    service: admin.service,
    request,
    factories,
    close: () => database.destroy(),
  };
}

export type MembersAdminTestApp = Awaited<ReturnType<typeof createMembersAdminTestApp>>;
