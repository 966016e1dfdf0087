import { nowIso, type Clock } from '../../../platform/clock.js';
import type { Db } from '../../../platform/db/index.js';
import type { Logger } from '../../../platform/logger.js';
import { parseDsn, parseVerp, type DsnRecipient } from '../delivery/index.js';
import { recordMemberEvent } from '../../members/index.js';
import * as repo from './feedback.repository.js';

/** The fixed part of our VERP Return-Path, `bnc+<send>.<recipient>.<mac>@<bounce domain>`. */
export const BOUNCE_LOCAL_PART = 'bnc';
/** A report without a valid VERP address counts only for an address we mailed this recently. */
export const MATCH_WINDOW_DAYS = 30;
/** Soft bounces of one address within the window after which it is suppressed anyway. */
export const SOFT_BOUNCE_LIMIT = 3;

const DAY_MS = 24 * 60 * 60 * 1000;

export type BounceOutcome =
  /** Hard bounce (or too many soft ones): the address is suppressed. */
  | 'suppressed'
  /** Soft bounce: recorded, the address stays. */
  | 'recorded'
  /** No copy of ours went to this address recently: nothing changed. */
  | 'unmatched';

export interface BounceResult {
  email: string;
  kind: 'hard' | 'soft' | 'complaint';
  outcome: BounceOutcome;
  sendId: string | null;
}

export interface BounceSummary {
  /** False when the message is no bounce report we can read; nothing changed. */
  recognised: boolean;
  results: BounceResult[];
}

/** A bounce already read, from a DSN or from a provider's webhook. */
export interface BounceReport {
  email: string;
  kind: 'hard' | 'soft';
  status: string | null;
  diagnostic: string | null;
  /** What identifies the copy, best first. */
  verp?: string;
  providerId?: string;
}

export interface BouncesDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** The secret VERP addresses were signed with. */
  secret: string;
  bounceDomain: string;
}

/**
 * What happens when mail comes back. Hard bounces and complaints suppress the address for
 * good; soft bounces are recorded and suppress only when they repeat. A bounce changes
 * anything only when it is about a copy we sent: its VERP address checks out, or (for
 * reports that lost it) the address got a copy of ours within the last 30 days. Without that,
 * anyone able to mail the bounce address could get any member suppressed.
 */
export class BouncesService {
  constructor(private readonly deps: BouncesDeps) {}

  async handleBounce(raw: Buffer | string): Promise<BounceSummary> {
    const report = await parseDsn(raw);
    if (report === null) return { recognised: false, results: [] };
    const results: BounceResult[] = [];
    for (const r of report.recipients) {
      // Delays are progress reports, not failures: the MTA is still trying.
      if (r.action !== 'failed' || r.kind === 'none') continue;
      results.push(
        await this.applyBounce({
          email: r.finalRecipient,
          kind: r.kind,
          status: r.status,
          diagnostic: r.diagnosticCode ?? null,
          ...(report.verp === undefined ? {} : { verp: report.verp }),
          ...originalOf(r),
        }),
      );
    }
    return { recognised: true, results };
  }

  /** One bounce already classified (DSN recipient or webhook record). */
  async applyBounce(bounce: BounceReport & { originalRecipient?: string }): Promise<BounceResult> {
    const { db, clock } = this.deps;
    const now = nowIso(clock);
    const recipient = await this.locate(bounce);
    if (recipient === undefined) {
      this.deps.logger.info({ kind: bounce.kind }, 'bounce for an address we did not mail');
      return { email: bounce.email, kind: bounce.kind, outcome: 'unmatched', sendId: null };
    }
    const { sendId, email, memberId } = recipient;
    const data = { kind: bounce.kind, status: bounce.status, diagnostic: bounce.diagnostic };
    // In the member's history, with the send but not the address or the server's words:
    // member events hold no personal data, as they outlive the member.
    const memberEvent = { kind: bounce.kind, status: bounce.status, send_id: sendId };
    return db.transaction().execute(async (trx) => {
      if (bounce.kind === 'hard') {
        // The counter counts recipients: a report delivered twice must not count twice.
        const counted = await repo.hasSendEvent(trx, sendId, email, 'bounced', '%"kind":"hard"%');
        await repo.recordSendEvent(trx, { sendId, email, type: 'bounced', data }, now);
        if (!counted) {
          await repo.bumpSendCounter(trx, sendId, 'bounced');
          await recordMemberEvent(trx, memberId, 'email_bounced', memberEvent, now);
        }
        await repo.insertSuppression(
          trx,
          { email, reason: 'hard_bounce', detail: detailOf(bounce), sendId },
          now,
        );
        return { email, kind: bounce.kind, outcome: 'suppressed' as const, sendId };
      }
      await repo.recordSendEvent(trx, { sendId, email, type: 'bounced', data }, now);
      await recordMemberEvent(trx, memberId, 'email_bounced', memberEvent, now);
      const since = new Date(clock.now().getTime() - MATCH_WINDOW_DAYS * DAY_MS).toISOString();
      const softCount = await repo.countEventsSince(
        trx,
        email,
        'bounced',
        since,
        '%"kind":"soft"%',
      );
      if (softCount >= SOFT_BOUNCE_LIMIT) {
        await repo.insertSuppression(
          trx,
          {
            email,
            reason: 'soft_bounce_repeated',
            detail: `${softCount} soft bounces in ${MATCH_WINDOW_DAYS} days; last: ${detailOf(bounce)}`,
            sendId,
          },
          now,
        );
        return { email, kind: bounce.kind, outcome: 'suppressed' as const, sendId };
      }
      return { email, kind: bounce.kind, outcome: 'recorded' as const, sendId };
    });
  }

  /**
   * A recipient marked a copy as spam (a feedback-loop report, Postmark's SpamComplaint).
   * They never get mail from us again, whatever they are subscribed to.
   */
  async handleComplaint(
    email: string,
    ref: { sendId?: string; providerId?: string } = {},
  ): Promise<BounceResult> {
    const { db, clock } = this.deps;
    const address = email.trim().toLowerCase();
    const now = nowIso(clock);
    const located = await this.locate({ email: address, ...ref });
    let sendId: string | null = null;
    if (ref.sendId !== undefined && (await repo.sendExists(db, ref.sendId))) sendId = ref.sendId;
    else sendId = located?.sendId ?? null;
    await db.transaction().execute(async (trx) => {
      const counted =
        sendId !== null && (await repo.hasSendEvent(trx, sendId, address, 'complained'));
      if (sendId !== null && !counted) await repo.bumpSendCounter(trx, sendId, 'complained');
      if (located && !counted) {
        await recordMemberEvent(
          trx,
          located.memberId,
          'email_complained',
          { send_id: sendId },
          now,
        );
      }
      await repo.recordSendEvent(
        trx,
        { sendId, email: address, type: 'complained', data: {} },
        now,
      );
      await repo.insertSuppression(
        trx,
        { email: address, reason: 'complaint', detail: null, sendId },
        now,
      );
    });
    return { email: address, kind: 'complaint', outcome: 'suppressed', sendId };
  }

  /** The copy a report is about: by VERP, by provider id, else by address and recency. */
  private async locate(ref: {
    email: string;
    verp?: string;
    providerId?: string;
    originalRecipient?: string;
  }): Promise<repo.RecipientRef | undefined> {
    const { db, secret, bounceDomain } = this.deps;
    if (ref.verp !== undefined) {
      const ids = parseVerp(ref.verp, {
        localPart: BOUNCE_LOCAL_PART,
        domain: bounceDomain,
        secret,
      });
      const found = ids && (await repo.findRecipient(db, ids.sendId, ids.recipientId));
      if (found) return found;
    }
    if (ref.providerId !== undefined) {
      const found = await repo.recipientByProviderId(db, ref.providerId);
      if (found) return found;
    }
    const since = new Date(
      this.deps.clock.now().getTime() - MATCH_WINDOW_DAYS * DAY_MS,
    ).toISOString();
    for (const address of new Set([ref.email, ref.originalRecipient])) {
      if (address === undefined) continue;
      const found = await repo.latestRecipientByEmail(db, address.toLowerCase(), since);
      if (found) return found;
    }
    return undefined;
  }
}

function originalOf(r: DsnRecipient): { originalRecipient?: string } {
  return r.originalRecipient === undefined ? {} : { originalRecipient: r.originalRecipient };
}

function detailOf(bounce: BounceReport): string {
  return [bounce.status, bounce.diagnostic].filter((s) => s !== null && s !== '').join(' ');
}
