import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../../platform/clock.js';
import type { Db } from '../../../platform/db/index.js';
import { AppError, badRequest, conflict, notFound } from '../../../platform/errors.js';
import type { JobQueue, JobWorker } from '../../../platform/jobs/index.js';
import type { Logger } from '../../../platform/logger.js';
import type { ReaderLevel } from '../../members/access.js';
import type { Post } from '../../posts/index.js';
import type { SiteSettings } from '../../settings/index.js';
import { listUnsubscribeHeaders, signUnsubscribe, verpAddress } from '../delivery/index.js';
import { personalize, renderPostEmail, type FrozenEmail } from '../render/index.js';
import {
  TransportError,
  type OutgoingBulkMessage,
  type SendResult,
  type TransportSource,
} from '../transport/index.js';
import * as repo from './sends.repository.js';
import { buildProgress, type SendProgress } from './sends.progress.js';
import { parseSegment, tierOf, type Segment } from './sends.segment.js';
import { SendPace } from './send-pace.js';

export const START_SEND_JOB = 'email.start-send';
export const SEND_BATCH_JOB = 'email.send-batch';
export const SEND_POST_JOB = 'email.send-published-post';
const startKey = (sendId: string) => `email-start:${sendId}`;
const postKey = (postId: string) => `email-post:${postId}`;
const batchKey = (sendId: string, batch: number) => `email-batch:${sendId}:${batch}`;

/** What a send needs of a post: `PostsService.get` returns more, and fits. */
export type EmailPostSource = Pick<
  Post,
  | 'title'
  | 'slug'
  | 'excerpt'
  | 'feature_image'
  | 'feature_image_alt'
  | 'published_at'
  | 'authors'
  | 'visibility'
  | 'tiers'
  | 'body'
  | 'status'
  | 'email_newsletter_id'
  | 'email_segment'
  | 'email_subject'
  | 'email_send_id'
>;

/** What sends need of the posts module. */
export interface EmailPostsPort {
  get(id: string): Promise<EmailPostSource>;
  /** Remembers the send made when a post was published, in the send's own transaction. */
  recordEmailSend(executor: Db, postId: string, sendId: string): Promise<void>;
}

export interface SendsConfig {
  /** The site's public URL: links, List-Id, Message-ID. */
  publicUrl: string;
  /** Domain of the VERP Return-Path (`bnc+…@bounceDomain`), where bounces come back. */
  bounceDomain: string;
  /** Signs unsubscribe tokens and VERP addresses. */
  secret: string;
  /** The From header of newsletter mail, e.g. `The Ledger <news@ledger.example>`. */
  from: string;
  /** Recipients per batch job. Default 500. */
  batchSize?: number;
  /** Rows per snapshot statement. Default 1,000. */
  snapshotChunk?: number;
  /** Temporary failures a recipient may have before they count as failed. Default 5. */
  maxAttempts?: number;
  /** Messages per second through the transport, for all workers together; unset: no limit. */
  rate?: number;
  /**
   * The address that unsubscribes whoever writes to it with the token as the subject, offered
   * as List-Unsubscribe's mailto; only when the inbound listener runs to receive it.
   */
  unsubscribeMailbox?: string;
}

export interface SendsServiceDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  jobs: JobQueue;
  posts: EmailPostsPort;
  settings: { get(): Promise<Pick<SiteSettings, 'title' | 'accent_color' | 'logo' | 'locale'>> };
  /** The newsletter transport of the moment: fixed, or from settings staff may change. */
  transports: TransportSource;
  config: SendsConfig;
  /** How the send rate waits; tests on a manual clock replace it. */
  sleep?: (ms: number) => Promise<void>;
}

export const createSendSchema = z.object({
  postId: z.string().min(1, 'is required'),
  newsletterId: z.string().min(1, 'is required'),
  segment: z.string().default('all'),
  scheduledAt: z.iso.datetime().nullish(),
});

export interface CreateSendInput {
  postId: string;
  newsletterId: string;
  segment: string;
  /** Staff member starting the send. */
  actorId?: string | null;
  /** ISO-8601; in the future to schedule, otherwise the send starts now. */
  scheduledAt?: string | null;
  /** Runs in the transaction that creates the send (publishing records it on the post). */
  onCreated?: (executor: Db, sendId: string) => Promise<void>;
}

const batchPayload = z.object({ sendId: z.string(), batch: z.number().int().min(0) });
const startPayload = z.object({ sendId: z.string() });
const postPayload = z.object({ postId: z.string() });

/**
 * A started send whose process died mid-snapshot is finished by its start job; for a send
 * started at once that job waits this long, so it never races the snapshot still running.
 */
const START_FALLBACK_MS = 10 * 60_000;
/** Batch jobs get more tries than recipients do, as a killed worker also spends one. */
const EXTRA_JOB_ATTEMPTS = 5;

type FrozenEmails = Record<string, FrozenEmail>;

/** Every status a send can have (see CONTEXT.md). */
export const SEND_STATUSES = [
  'scheduled',
  'sending',
  'paused',
  'cancelled',
  'sent',
  'failed',
] as const;
export type SendStatus = (typeof SEND_STATUSES)[number];

/** A send as the admin lists and shows it: what went where, and where it stands. */
export interface SendSummary extends SendProgress {
  id: string;
  /** Null once the post (or newsletter) is deleted; the send stays, as a record. */
  post_id: string | null;
  post_title: string | null;
  newsletter_id: string | null;
  newsletter_name: string | null;
  segment: string;
  /** The tier's name when the segment is `tier:<id>` and the tier still exists. */
  tier_name: string | null;
  subject: string;
  scheduled_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  created_at: string;
  /** Why a `failed` send stopped. */
  last_error: string | null;
}

export interface SendPage<T> {
  items: T[];
  total: number;
  page: number;
  limit: number;
  pages: number;
}

const pageOf = <T>(items: T[], total: number, page: number, limit: number): SendPage<T> => ({
  items,
  total,
  page,
  limit,
  pages: Math.max(1, Math.ceil(total / limit)),
});

export const NO_TRANSPORT =
  'No newsletter transport is configured: choose one in Settings → Email, or set SMTP_URL (an SMTP relay) or POSTMARK_SERVER_TOKEN';

function throwing(error: Error): never {
  throw error;
}

export class SendsService {
  private readonly batchSize: number;
  private readonly snapshotChunk: number;
  private readonly maxAttempts: number;
  private readonly site: string;
  private readonly host: string;
  private readonly pace: SendPace | undefined;
  /** The last send's frozen emails, parsed once rather than once per batch. */
  private cached: { sendId: string; frozen: FrozenEmails } | undefined;

  constructor(private readonly deps: SendsServiceDeps) {
    const { config } = deps;
    this.batchSize = config.batchSize ?? 500;
    this.snapshotChunk = config.snapshotChunk ?? 1000;
    this.maxAttempts = config.maxAttempts ?? 5;
    this.site = config.publicUrl.trim().replace(/\/+$/, '');
    this.host = new URL(this.site).hostname;
    if (config.secret === '') throw new Error('email sends need a non-empty secret');
    this.pace =
      config.rate === undefined
        ? undefined
        : new SendPace({
            db: deps.db,
            clock: deps.clock,
            // One pace for newsletter mail whichever transport carries it this minute.
            transport: 'newsletter',
            rate: config.rate,
            ...(deps.sleep ? { sleep: deps.sleep } : {}),
          });
  }

  private nowIso(): string {
    return this.deps.clock.now().toISOString();
  }

  /**
   * Creates a send. Without a future `scheduledAt` it starts at once: the recipients are
   * snapshotted, the email frozen and the batch jobs queued before this returns.
   */
  async createSend(input: CreateSendInput): Promise<{ id: string } & SendProgress> {
    const { db, jobs, clock } = this.deps;
    const segment = parseSegment(input.segment);
    const post = await this.deps.posts.get(input.postId);
    const newsletter = await repo.findNewsletter(db, input.newsletterId);
    if (!newsletter) throw notFound('Newsletter');
    const tier = tierOf(segment);
    if (tier !== null && !(await repo.tierExists(db, tier))) {
      throw badRequest(`no tier ${tier}`, 'segment');
    }
    const now = clock.now();
    let scheduledAt: Date | null = null;
    if (input.scheduledAt) {
      scheduledAt = new Date(input.scheduledAt);
      if (Number.isNaN(scheduledAt.getTime())) {
        throw badRequest('scheduledAt must be an ISO-8601 date-time', 'scheduledAt');
      }
    }
    const later = scheduledAt !== null && scheduledAt.getTime() > now.getTime();
    const id = randomUUID();
    // The send and the job that starts it commit together: a crash between them loses nothing.
    await db.transaction().execute(async (trx) => {
      await repo.insertSend(trx, {
        id,
        postId: input.postId,
        newsletterId: newsletter.id,
        segment,
        subject: subjectOf(post),
        scheduledAt: scheduledAt?.toISOString() ?? null,
        createdBy: input.actorId ?? null,
        now: now.toISOString(),
      });
      await input.onCreated?.(trx, id);
      await jobs.enqueue(
        START_SEND_JOB,
        { sendId: id },
        {
          runAt: later ? scheduledAt! : new Date(now.getTime() + START_FALLBACK_MS),
          uniqueKey: startKey(id),
          executor: trx,
        },
      );
    });
    if (!later) await this.start(id);
    return { id, ...(await this.progress(id)) };
  }

  /** Refuses, saying what to set up, when there is no newsletter transport to send through. */
  async requireTransport(field?: string): Promise<void> {
    if (await this.deps.transports.current()) return;
    throw field ? badRequest(NO_TRANSPORT, field) : conflict(NO_TRANSPORT);
  }

  /** Whether a post could be emailed to this newsletter and segment; throws a 400 if not. */
  async checkTarget(target: { newsletterId: string; segment: string }): Promise<void> {
    const segment = parseSegment(target.segment, 'email_segment');
    if (!(await repo.findNewsletter(this.deps.db, target.newsletterId))) {
      throw badRequest('no such newsletter', 'email_newsletter_id');
    }
    const tier = tierOf(segment);
    if (tier !== null && !(await repo.tierExists(this.deps.db, tier))) {
      throw badRequest(`no tier ${tier}`, 'email_segment');
    }
  }

  /** Who a send to this newsletter and segment would reach if it started now. */
  async audience(target: {
    newsletterId: string;
    segment: string;
  }): Promise<{ recipients: number; suppressed: number }> {
    await this.checkTarget(target);
    return repo.countAudience(
      this.deps.db,
      target.newsletterId,
      parseSegment(target.segment, 'email_segment'),
      this.nowIso(),
    );
  }

  /**
   * Queues the email of a post being published, in the publishing transaction. A job, not a
   * call: the snapshot of a large list takes a while, and the publish must not wait for it.
   */
  async queuePostEmail(executor: Db, postId: string): Promise<void> {
    await this.deps.jobs.enqueue(
      SEND_POST_JOB,
      { postId },
      { uniqueKey: postKey(postId), maxAttempts: 10, executor },
    );
  }

  /**
   * The publish job: sends a published post to the newsletter and segment chosen for it,
   * once. A rerun after a crash finds the send recorded on the post and only resumes it.
   */
  async sendPublishedPost(payload: unknown): Promise<void> {
    const { postId } = postPayload.parse(payload);
    let post: EmailPostSource;
    try {
      post = await this.deps.posts.get(postId);
    } catch (error) {
      if (error instanceof AppError && error.status === 404) return; // deleted meanwhile
      throw error;
    }
    if (post.status !== 'published' || post.email_newsletter_id === null) return;
    if (post.email_send_id !== null) {
      await this.start(post.email_send_id);
      return;
    }
    await this.createSend({
      postId,
      newsletterId: post.email_newsletter_id,
      segment: post.email_segment,
      onCreated: (trx, sendId) => this.deps.posts.recordEmailSend(trx, postId, sendId),
    });
  }

  /**
   * Snapshots the recipients, freezes the email and queues the batches; nothing if the send
   * is no longer `scheduled`. Resumable: a snapshot cut short carries on after its last row.
   */
  async start(sendId: string): Promise<void> {
    const { db, jobs, logger } = this.deps;
    const send = await repo.findSend(db, sendId);
    if (!send || send.status !== 'scheduled') return;
    if (send.post_id === null || send.newsletter_id === null) {
      await repo.setStatus(db, sendId, ['scheduled'], 'failed', this.nowIso(), {
        last_error: 'the post or newsletter was deleted before the send started',
      });
      return;
    }
    const segment = parseSegment(send.segment);
    const newsletterId = send.newsletter_id;
    // One instant decides who has paid access, for every chunk.
    const at = this.nowIso();

    let { afterMemberId, nextBatch } = await repo.snapshotPosition(db, sendId);
    for (;;) {
      if ((await repo.sendStatus(db, sendId)) !== 'scheduled') return; // cancelled meanwhile
      const chunk = await repo.snapshotChunk(db, {
        sendId,
        newsletterId,
        segment,
        now: at,
        afterMemberId,
        firstBatch: nextBatch,
        batchSize: this.batchSize,
        limit: this.snapshotChunk,
      });
      if (chunk.inserted === 0 || chunk.lastMemberId === undefined) break;
      afterMemberId = chunk.lastMemberId;
      nextBatch += Math.ceil(chunk.inserted / this.batchSize);
      if (chunk.inserted < this.snapshotChunk) break;
      // better-sqlite3 answers synchronously, so without this a million-member snapshot
      // would hold the event loop (signals, lease renewals, requests) until it finished.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }

    const [post, settings, newsletter, summary, suppressed] = await Promise.all([
      this.deps.posts.get(send.post_id),
      this.deps.settings.get(),
      repo.findNewsletter(db, newsletterId),
      repo.snapshotSummary(db, sendId),
      repo.countSuppressedAudience(db, newsletterId, segment, at),
    ]);
    const frozen: FrozenEmails = {};
    const subject = subjectOf(post);
    for (const level of summary.levels) {
      const email = renderPostEmail({
        post,
        site: {
          title: settings.title,
          accent_color: settings.accent_color,
          logo: settings.logo,
          locale: settings.locale,
          publicUrl: this.site,
        },
        reader: level as ReaderLevel,
        ...(newsletter ? { newsletter: { name: newsletter.name } } : {}),
      });
      frozen[level] = { ...email, subject };
    }

    const started = await db.transaction().execute(async (trx) => {
      const ok = await repo.startSending(trx, sendId, {
        frozen: JSON.stringify(frozen),
        subject: subjectOf(post),
        total: summary.total,
        suppressed,
        now: this.nowIso(),
      });
      if (!ok) return false;
      // Jobs are rows: they commit with the status, so a crash now loses no batch.
      for (let batch = 0; batch <= (summary.lastBatch ?? -1); batch++) {
        await this.enqueueBatch(trx, sendId, batch);
      }
      await jobs.cancel(startKey(sendId), trx);
      return true;
    });
    if (started) {
      logger.info(
        { sendId, total: summary.total, suppressed, batches: (summary.lastBatch ?? -1) + 1 },
        'email send started',
      );
    }
  }

  private enqueueBatch(executor: Db, sendId: string, batch: number) {
    return this.deps.jobs.enqueue(
      SEND_BATCH_JOB,
      { sendId, batch },
      {
        uniqueKey: batchKey(sendId, batch),
        maxAttempts: this.maxAttempts + EXTRA_JOB_ATTEMPTS,
        executor,
      },
    );
  }

  /**
   * Sends one batch's open recipients, a transport chunk at a time. A paused send's jobs end
   * at once (or after the chunk in flight) and `resume` queues them again; a cancelled one's
   * end for good. Throws, so the job retries with backoff, while temporary failures remain.
   */
  async sendBatch(payload: unknown, signal?: AbortSignal): Promise<void> {
    const { sendId, batch } = batchPayload.parse(payload);
    const { db } = this.deps;
    const send = await repo.findSend(db, sendId);
    if (!send || send.status !== 'sending') return;
    // None configured (or taken away mid-send): the job retries with backoff until there is.
    const first = (await this.deps.transports.current()) ?? throwing(new Error(NO_TRANSPORT));
    const newsletter =
      send.newsletter_id === null ? undefined : await repo.findNewsletter(db, send.newsletter_id);
    if (!newsletter || send.frozen === null) {
      await repo.setStatus(db, sendId, ['sending'], 'failed', this.nowIso(), {
        last_error: 'the newsletter was deleted during the send',
      });
      return;
    }
    const frozen = this.frozenOf(sendId, send.frozen);

    await db.transaction().execute(async (trx) => {
      const n = await repo.suppressNewlySuppressed(trx, sendId, batch);
      await repo.addCounts(
        trx,
        sendId,
        { sent: 0, failed: 0, suppressed: n, resent: 0 },
        this.nowIso(),
      );
    });

    const recipients = await repo.batchRecipients(db, sendId, batch);
    let retrying = 0;
    const step = this.pace?.chunkLimit(first.maxBatch) ?? first.maxBatch;
    for (let i = 0; i < recipients.length; i += step) {
      const candidates = recipients.slice(i, i + step);
      await this.pace?.take(candidates.length);
      // The job's lease was lost (this process stalled): another worker has the batch now.
      signal?.throwIfAborted();
      if ((await repo.sendStatus(db, sendId)) !== 'sending') return;
      // Asked again for each chunk: staff may change the transport during a long send.
      const transport = (await this.deps.transports.current()) ?? throwing(new Error(NO_TRANSPORT));
      // Committed before the transport sees them: after a crash, `sending` tells which
      // copies may have gone out. Handing such a copy over again is counted as a resend
      // then and there, so a recipient caught in two crashes in a row counts twice.
      const chunk = await db.transaction().execute(async (trx) => {
        const moved = new Set(
          await repo.markSending(
            trx,
            sendId,
            candidates.map((r) => r.member_id),
          ),
        );
        // Only those still open: one settled meanwhile by a worker that took over is not
        // this worker's to send.
        const open = candidates.filter((r) => moved.has(r.member_id));
        const again = open.filter((r) => r.state === 'sending').length;
        if (again > 0) {
          await repo.addCounts(
            trx,
            sendId,
            { sent: 0, failed: 0, suppressed: 0, resent: again },
            this.nowIso(),
          );
        }
        return open;
      });
      if (chunk.length === 0) continue;
      const messages = chunk.map((r) => this.message(sendId, newsletter, frozen, r));
      let results: SendResult[];
      try {
        results = await transport.send(messages);
      } catch (error) {
        // Anything else is a crash as far as we know: the chunk stays `sending`.
        if (!(error instanceof TransportError)) throw error;
        // The transport as a whole failed and sent nothing: the chunk is pending again.
        const failure = { ok: false as const, kind: 'temporary' as const, message: error.message };
        await this.record(
          sendId,
          chunk,
          chunk.map(() => failure),
        );
        await repo.finishIfDone(db, sendId, this.nowIso());
        throw error;
      }
      retrying += await this.record(sendId, chunk, results);
    }
    await repo.finishIfDone(db, sendId, this.nowIso());
    if (retrying > 0) {
      throw new Error(`${retrying} recipients of batch ${batch} failed temporarily; retrying`);
    }
  }

  /** Records a chunk's results in one transaction; returns how many are to be retried. */
  private async record(
    sendId: string,
    chunk: repo.RecipientRecord[],
    results: SendResult[],
  ): Promise<number> {
    const sent: { memberId: string; providerId: string | null }[] = [];
    const permanent: { memberId: string; email: string; error: string }[] = [];
    const exhausted: { memberId: string; error: string }[] = [];
    const retry: { memberId: string; error: string }[] = [];
    chunk.forEach((r, i) => {
      const result: SendResult = results[i] ?? {
        ok: false,
        kind: 'temporary',
        message: 'the transport returned no result',
      };
      if (result.ok) {
        sent.push({ memberId: r.member_id, providerId: result.providerId ?? null });
      } else if (result.kind === 'permanent') {
        permanent.push({ memberId: r.member_id, email: r.email, error: result.message });
      } else if (r.attempts + 1 >= this.maxAttempts) {
        exhausted.push({ memberId: r.member_id, error: result.message });
      } else {
        retry.push({ memberId: r.member_id, error: result.message });
      }
    });
    const now = this.nowIso();
    return this.deps.db.transaction().execute(async (trx) => {
      // Counted by the rows that changed: a result for a recipient another worker already
      // settled (this one stalled past its lease) counts nothing twice.
      const sentNow = await repo.markSent(trx, sendId, sent, now);
      const failedNow = await repo.markFailed(trx, sendId, [...permanent, ...exhausted]);
      await repo.suppressAddresses(
        trx,
        permanent.map((p) => ({ email: p.email, detail: p.error })),
        sendId,
        now,
      );
      const retryNow = await repo.markRetry(trx, sendId, retry);
      await repo.addCounts(
        trx,
        sendId,
        { sent: sentNow, failed: failedNow, suppressed: 0, resent: 0 },
        now,
      );
      return retryNow;
    });
  }

  private frozenOf(sendId: string, json: string): FrozenEmails {
    if (this.cached?.sendId !== sendId) {
      // Frozen objects, as `personalize` caches its compiled form by object.
      const parsed = JSON.parse(json) as FrozenEmails;
      for (const level of Object.keys(parsed)) Object.freeze(parsed[level]);
      this.cached = { sendId, frozen: parsed };
    }
    return this.cached.frozen;
  }

  private message(
    sendId: string,
    newsletter: { id: string; slug: string },
    frozen: FrozenEmails,
    r: repo.RecipientRecord,
  ): OutgoingBulkMessage {
    const { config } = this.deps;
    const email = frozen[r.reader_level];
    if (!email) throw new Error(`send ${sendId} has no frozen email for ${r.reader_level}`);
    const token = signUnsubscribe(
      { memberId: r.member_id, newsletterId: newsletter.id, sendId },
      config.secret,
    );
    const content = personalize(email, {
      name: r.name,
      unsubscribeUrl: `${this.site}/unsubscribe?token=${token}`,
      manageUrl: `${this.site}/account`,
    });
    return {
      to: r.email,
      from: config.from,
      subject: content.subject,
      html: content.html,
      text: content.text,
      headers: {
        ...listUnsubscribeHeaders({
          publicUrl: this.site,
          token,
          ...(config.unsubscribeMailbox ? { mailto: config.unsubscribeMailbox } : {}),
        }),
        'List-Id': `<${newsletter.slug}.${this.host}>`,
      },
      envelopeFrom: verpAddress({
        localPart: 'bnc',
        domain: config.bounceDomain,
        secret: config.secret,
        sendId,
        recipientId: r.member_id,
      }),
      // The same for a resent copy, so a receiver that deduplicates on it can.
      messageId: `<${sendId}.${r.member_id}@${this.host}>`,
    };
  }

  /** Stops sending after the chunk in flight; `resume` carries on. */
  async pause(sendId: string): Promise<SendProgress> {
    const status = await this.statusOf(sendId);
    if (status !== 'paused') {
      const ok = await repo.setStatus(this.deps.db, sendId, ['sending'], 'paused', this.nowIso());
      if (!ok) throw notSending(status);
    }
    return this.progress(sendId);
  }

  /** Queues again every batch that still has recipients to send to. */
  async resume(sendId: string): Promise<SendProgress> {
    const status = await this.statusOf(sendId);
    if (status !== 'sending') {
      const { db } = this.deps;
      const now = this.nowIso();
      const ok = await db.transaction().execute(async (trx) => {
        if (!(await repo.setStatus(trx, sendId, ['paused'], 'sending', now))) return false;
        for (const batch of await repo.openBatches(trx, sendId)) {
          await this.enqueueBatch(trx, sendId, batch);
        }
        await repo.finishIfDone(trx, sendId, now);
        return true;
      });
      if (!ok) throw new AppError('conflict', `The send is ${status}, not paused`, { status: 409 });
    }
    return this.progress(sendId);
  }

  /** Sends nothing more; recipients not yet sent to stay `pending`, as a record. */
  async cancel(sendId: string): Promise<SendProgress> {
    const { db, jobs } = this.deps;
    const status = await this.statusOf(sendId);
    if (status !== 'cancelled') {
      const now = this.nowIso();
      const ok = await db.transaction().execute(async (trx) => {
        const done = await repo.setStatus(
          trx,
          sendId,
          ['scheduled', 'sending', 'paused'],
          'cancelled',
          now,
          { finished_at: now },
        );
        if (done) await jobs.cancel(startKey(sendId), trx);
        return done;
      });
      if (!ok) {
        throw new AppError('conflict', `The send is already ${status}`, { status: 409 });
      }
    }
    return this.progress(sendId);
  }

  async progress(sendId: string): Promise<SendProgress> {
    const send = await repo.findSend(this.deps.db, sendId);
    if (!send) throw notFound('Send');
    return buildProgress(send, this.deps.clock.now());
  }

  /** Sends newest first, optionally of one status, a page at a time. */
  async list(filter: {
    status?: SendStatus;
    page: number;
    limit: number;
  }): Promise<SendPage<SendSummary>> {
    const { rows, total } = await repo.listSends(this.deps.db, {
      ...(filter.status === undefined ? {} : { status: filter.status }),
      limit: filter.limit,
      offset: (filter.page - 1) * filter.limit,
    });
    return pageOf(await this.summaries(rows), total, filter.page, filter.limit);
  }

  /** One send with its post, newsletter and progress: what the send's page shows. */
  async summary(sendId: string): Promise<SendSummary> {
    const row = await repo.findSendListRow(this.deps.db, sendId);
    if (!row) throw notFound('Send');
    const [summary] = await this.summaries([row]);
    return summary!;
  }

  /** The recipients a send failed to reach (address and last error), by address. */
  async failures(
    sendId: string,
    page: { page: number; limit: number },
  ): Promise<SendPage<repo.FailedRecipient>> {
    await this.statusOf(sendId);
    const { rows, total } = await repo.listFailedRecipients(this.deps.db, sendId, {
      limit: page.limit,
      offset: (page.page - 1) * page.limit,
    });
    return pageOf(rows, total, page.page, page.limit);
  }

  private async summaries(rows: repo.SendListRow[]): Promise<SendSummary[]> {
    const tiers = await repo.tierNames(this.deps.db, [
      ...new Set(rows.map((r) => tierOf(r.segment as Segment)).filter((t) => t !== null)),
    ]);
    const now = this.deps.clock.now();
    return rows.map((r) => {
      const tier = tierOf(r.segment as Segment);
      return {
        id: r.id,
        post_id: r.post_id,
        post_title: r.post_title,
        newsletter_id: r.newsletter_id,
        newsletter_name: r.newsletter_name,
        segment: r.segment,
        tier_name: tier === null ? null : (tiers.get(tier) ?? null),
        subject: r.subject,
        scheduled_at: r.scheduled_at,
        started_at: r.started_at,
        finished_at: r.finished_at,
        created_at: r.created_at,
        last_error: r.last_error,
        ...buildProgress(r, now),
      };
    });
  }

  private async statusOf(sendId: string): Promise<string> {
    const status = await repo.sendStatus(this.deps.db, sendId);
    if (status === undefined) throw notFound('Send');
    return status;
  }
}

/** The subject chosen in the editor, else the title; on one line. */
export const subjectOf = (post: Pick<EmailPostSource, 'title' | 'email_subject'>) =>
  (post.email_subject ?? post.title).replace(/\s+/g, ' ').trim();

const notSending = (status: string) =>
  new AppError('conflict', `The send is ${status}, not sending`, { status: 409 });

/** The worker side: starting scheduled sends and sending batches. */
export function registerEmailSendJobs(worker: JobWorker, sends: SendsService): void {
  worker.register(START_SEND_JOB, (payload) => sends.start(startPayload.parse(payload).sendId));
  worker.register(SEND_BATCH_JOB, (payload, _job, { signal }) => sends.sendBatch(payload, signal));
  worker.register(SEND_POST_JOB, (payload) => sends.sendPublishedPost(payload));
}
