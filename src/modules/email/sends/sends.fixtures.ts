import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { Clock } from '../../../platform/clock.js';
import type { Db, Dialect } from '../../../platform/db/index.js';
import { JobQueue, JobWorker } from '../../../platform/jobs/index.js';
import { RateLimiter } from '../../../platform/security/rate-limit.js';
import type { PostDocument } from '../../posts/document/index.js';
import { PostsService } from '../../posts/index.js';
import { SettingsService } from '../../settings/index.js';
import { StaffService } from '../../staff/index.js';
import { TagsService } from '../../tags/index.js';
import {
  fixedTransport,
  type EmailTransport,
  type OutgoingBulkMessage,
  type SendResult,
} from '../transport/index.js';
import { registerEmailSendJobs, SendsService, type SendsConfig } from './index.js';

/** Rows written straight into the tables a send reads, so tests control every column. */

export const logger = pino({ level: 'silent' });
const at = '2026-01-01T00:00:00.000Z';

export const testConfig: SendsConfig = {
  publicUrl: 'https://ledger.example',
  bounceDomain: 'bounces.ledger.example',
  secret: 'test secret for sends',
  from: 'The Ledger <news@ledger.example>',
  batchSize: 500,
};

export async function insertNewsletter(db: Db, slug = `weekly-${randomUUID().slice(0, 6)}`) {
  const id = randomUUID();
  await db
    .insertInto('newsletters')
    .values({
      id,
      slug,
      name: 'The Weekly',
      description: null,
      subscribe_on_signup: 1,
      sort_order: 0,
      status: 'active',
      created_at: at,
      updated_at: at,
    })
    .execute();
  return { id, slug };
}

export async function insertTier(db: Db, slug: string): Promise<string> {
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
      created_at: at,
      updated_at: at,
    })
    .execute();
  return id;
}

export interface MemberSpec {
  email: string;
  name?: string | null;
  status?: 'free' | 'paid' | 'comped' | 'past_due' | 'cancelled';
  tierId?: string | null;
  compUntil?: string | null;
  accessUntil?: string | null;
  /** Newsletters the member receives; none means not subscribed. */
  newsletters: string[];
}

/** Inserts members (in chunks, so 1,200 of them stay under the parameter limits). */
export async function insertMembers(db: Db, specs: MemberSpec[]): Promise<string[]> {
  const ids = specs.map(() => randomUUID());
  for (let i = 0; i < specs.length; i += 200) {
    const slice = specs.slice(i, i + 200);
    await db
      .insertInto('members')
      .values(
        slice.map((m, j) => ({
          id: ids[i + j]!,
          email: m.email,
          name: m.name === undefined ? null : m.name,
          status: m.status ?? 'free',
          tier_id: m.tierId ?? null,
          comp_until: m.compUntil ?? null,
          access_until: m.accessUntil ?? null,
          stripe_customer_id: null,
          source: 'import',
          note: null,
          confirmed_at: at,
          last_seen_at: null,
          created_at: at,
          updated_at: at,
        })),
      )
      .execute();
    const links = slice.flatMap((m, j) =>
      m.newsletters.map((n) => ({ member_id: ids[i + j]!, newsletter_id: n, created_at: at })),
    );
    if (links.length > 0) await db.insertInto('member_newsletters').values(links).execute();
  }
  return ids;
}

export async function insertPost(
  db: Db,
  post: { title: string; body: PostDocument; visibility?: 'public' | 'members' | 'paid' },
): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('posts')
    .values({
      id,
      title: post.title,
      slug: `post-${id.slice(0, 8)}`,
      status: 'published',
      visibility: post.visibility ?? 'public',
      body: JSON.stringify(post.body),
      html: '',
      plaintext: '',
      word_count: 0,
      custom_excerpt: null,
      feature_image: null,
      feature_image_alt: null,
      meta_title: null,
      meta_description: null,
      og_title: null,
      og_description: null,
      og_image: null,
      twitter_title: null,
      twitter_description: null,
      twitter_image: null,
      is_demo: 0,
      published_at: at,
      created_by: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  return id;
}

export async function suppress(db: Db, email: string): Promise<void> {
  await db
    .insertInto('email_suppressions')
    .values({ email, reason: 'manual', detail: null, send_id: null, created_at: at })
    .execute();
}

export const recipientsOf = (db: Db, sendId: string) =>
  db
    .selectFrom('email_send_recipients')
    .selectAll()
    .where('send_id', '=', sendId)
    .orderBy('email')
    .execute();

/** A send service on a test database, with real posts and settings services behind it. */
export function sendsHarness(
  db: Db,
  dialect: Dialect,
  clock: Clock,
  transport: EmailTransport,
  config: Partial<SendsConfig> = {},
) {
  const onChange = () => Promise.resolve();
  const jobs = new JobQueue({ db, clock });
  const staff = new StaffService({
    db,
    clock,
    logger,
    rateLimiter: new RateLimiter({ db, clock }),
  });
  const tags = new TagsService({ db, clock, onChange });
  const posts = new PostsService({ db, clock, logger, jobs, tags, staff, onChange });
  const settings = new SettingsService({ db, logger, onChange });
  const sends = new SendsService({
    db,
    clock,
    logger,
    jobs,
    posts,
    settings,
    transports: fixedTransport(transport),
    config: { ...testConfig, ...config },
  });
  /** A worker running the send jobs, with this harness's service or another one's. */
  const worker = (opts: { leaseMs?: number; sends?: SendsService } = {}) => {
    const w = new JobWorker({
      db,
      dialect,
      clock,
      logger,
      concurrency: 1,
      retry: { baseDelayMs: 1000, maxDelayMs: 1000 },
      ...(opts.leaseMs === undefined ? {} : { leaseMs: opts.leaseMs }),
    });
    registerEmailSendJobs(w, opts.sends ?? sends);
    return w;
  };
  return { jobs, posts, settings, sends, worker };
}

/**
 * Keeps every message it is given. `outcome` decides each result (ok by default); `hangOnCall`
 * makes that `send` call take the messages (they count as delivered) and never answer, as a
 * worker killed mid-flight; `onCall` runs before a call, e.g. to pause the send.
 */
export class RecordingTransport implements EmailTransport {
  readonly name = 'recording';
  readonly concurrency = 1;
  readonly delivered: OutgoingBulkMessage[] = [];
  calls = 0;

  constructor(
    readonly maxBatch: number,
    private readonly opts: {
      outcome?: (m: OutgoingBulkMessage) => SendResult;
      hangOnCall?: number;
      onCall?: (call: number) => Promise<void>;
    } = {},
  ) {}

  async send(messages: OutgoingBulkMessage[]): Promise<SendResult[]> {
    this.calls++;
    await this.opts.onCall?.(this.calls);
    const results = messages.map((m) => this.opts.outcome?.(m) ?? { ok: true as const });
    messages.forEach((m, i) => {
      if (results[i]!.ok) this.delivered.push(m);
    });
    if (this.calls === this.opts.hangOnCall) return new Promise<SendResult[]>(() => undefined);
    return results;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Polls until `check` holds (or fails after 5 s). */
export async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((r) => setTimeout(r, 10));
  }
}
