/**
 * Test-only wiring for the feedback tests: the module's routes on a bare app composed the way
 * app.ts composes the real one (request context, CSRF with the exemptions, error handler),
 * and rows inserted straight into the tables. It imports nothing from test/ so the type
 * check of the build still covers it.
 */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { pino } from 'pino';
import type { Clock } from '../../../platform/clock.js';
import type { Db } from '../../../platform/db/index.js';
import {
  csrfProtection,
  errorHandler,
  escapeHtml,
  requestContext,
  type BaseEnv,
} from '../../../platform/http/index.js';
import { loadSiteAssets } from '../../../site/site-assets.js';
import { SettingsService } from '../../settings/index.js';
import { createFeedbackModule } from './index.js';

export const PUBLIC_URL = 'https://news.example.com';
export const SECRET = 'feedback-test-secret-0123456789';
export const INBOUND_SECRET = 'inbound-test-secret-abcdef';
export const BOUNCE_DOMAIN = 'bounces.example.com';

export function feedbackHarness(db: Db, clock: Clock) {
  const logger = pino({ level: 'silent' });
  const feedback = createFeedbackModule({
    db,
    clock,
    logger,
    secret: SECRET,
    inboundSecret: INBOUND_SECRET,
    bounceDomain: BOUNCE_DOMAIN,
    settings: new SettingsService({ db, logger, onChange: async () => undefined }),
    assets: loadSiteAssets(),
    publicUrl: PUBLIC_URL,
  });
  const app = new Hono<BaseEnv>();
  app.use('*', requestContext(logger, false));
  app.use('*', csrfProtection({ publicOrigin: PUBLIC_URL, exemptPaths: feedback.csrfExemptPaths }));
  app.onError(
    errorHandler((_c, status, message) => `<h1>Error ${status}</h1><p>${escapeHtml(message)}</p>`),
  );
  app.route('/', feedback.routes.site);
  app.route('/', feedback.routes.api);
  return { app, feedback };
}

export interface Scenario {
  memberId: string;
  email: string;
  newsletterId: string;
  sendId: string;
}

/** A member subscribed to a newsletter, and a send of it whose copy went to them at `at`. */
export async function insertScenario(db: Db, at: Date, email?: string): Promise<Scenario> {
  const now = at.toISOString();
  const memberId = randomUUID();
  const newsletterId = randomUUID();
  const sendId = randomUUID();
  const address = email ?? `reader-${memberId.slice(0, 8)}@example.net`;
  await db
    .insertInto('members')
    .values({
      id: memberId,
      email: address,
      name: 'Jane Reader',
      status: 'free',
      tier_id: null,
      comp_until: null,
      access_until: null,
      stripe_customer_id: null,
      source: 'signup',
      note: null,
      confirmed_at: now,
      last_seen_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db
    .insertInto('newsletters')
    .values({
      id: newsletterId,
      slug: `weekly-${newsletterId.slice(0, 8)}`,
      name: 'The Weekly Brief',
      description: null,
      subscribe_on_signup: 1,
      sort_order: 0,
      status: 'active',
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db
    .insertInto('member_newsletters')
    .values({ member_id: memberId, newsletter_id: newsletterId, created_at: now })
    .execute();
  await db
    .insertInto('email_sends')
    .values({
      id: sendId,
      post_id: null,
      newsletter_id: newsletterId,
      segment: 'all',
      status: 'sent',
      subject: 'Issue 42',
      frozen: null,
      scheduled_at: null,
      started_at: now,
      finished_at: now,
      total: 1,
      sent: 1,
      failed: 0,
      suppressed: 0,
      resent: 0,
      bounced: 0,
      complained: 0,
      unsubscribed: 0,
      last_error: null,
      created_by: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db
    .insertInto('email_send_recipients')
    .values({
      send_id: sendId,
      member_id: memberId,
      email: address,
      name: 'Jane Reader',
      reader_level: 'member',
      batch: 0,
      state: 'sent',
      attempts: 1,
      last_error: null,
      provider_id: `pm-${sendId}`,
      sent_at: now,
    })
    .execute();
  return { memberId, email: address, newsletterId, sendId };
}

export const readSend = (db: Db, id: string) =>
  db.selectFrom('email_sends').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

export const sendEvents = async (db: Db, sendId: string) =>
  (
    await db
      .selectFrom('email_send_events')
      .select(['type', 'email', 'data'])
      .where('send_id', '=', sendId)
      .orderBy('id')
      .execute()
  ).map((e) => ({ ...e, data: JSON.parse(e.data) as Record<string, unknown> }));

export const memberEventTypes = async (db: Db, memberId: string) =>
  (
    await db
      .selectFrom('member_events')
      .select(['type', 'data'])
      .where('member_id', '=', memberId)
      .orderBy('id')
      .execute()
  ).map((e) => ({ type: e.type, data: JSON.parse(e.data) as Record<string, unknown> }));

export const subscribedTo = async (db: Db, memberId: string) =>
  (
    await db
      .selectFrom('member_newsletters')
      .select('newsletter_id')
      .where('member_id', '=', memberId)
      .execute()
  ).map((r) => r.newsletter_id);

export const suppression = (db: Db, email: string) =>
  db.selectFrom('email_suppressions').selectAll().where('email', '=', email).executeTakeFirst();

/** An RFC 3464 report from a receiving MTA, addressed to `to` (our VERP Return-Path). */
export function dsn(options: { to: string; recipient: string; status: string; action?: string }) {
  return [
    'Return-Path: <>',
    'From: MAILER-DAEMON@mx.example.org (Mail Delivery System)',
    `To: ${options.to}`,
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="R"',
    '',
    '--R',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'Your message could not be delivered.',
    '',
    '--R',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.org',
    '',
    `Final-Recipient: rfc822; ${options.recipient}`,
    `Action: ${options.action ?? 'failed'}`,
    `Status: ${options.status}`,
    `Diagnostic-Code: smtp; 550 ${options.status} <${options.recipient}>: mailbox problem`,
    '',
    '--R--',
    '',
  ].join('\r\n');
}
