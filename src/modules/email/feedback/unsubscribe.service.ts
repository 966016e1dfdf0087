import { simpleParser } from 'mailparser';
import { nowIso, type Clock } from '../../../platform/clock.js';
import type { Db } from '../../../platform/db/index.js';
import { AppError } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import {
  findNewsletterById,
  memberNewsletterIds,
  unsubscribeMember,
  findMemberById,
  recordMemberEvent,
} from '../../members/index.js';
import {
  unsubscribeTokenFromSubject,
  verifyUnsubscribe,
  type UnsubscribePayload,
} from '../delivery/index.js';
import * as repo from './feedback.repository.js';

export interface UnsubscribeTarget {
  payload: UnsubscribePayload;
  /** The newsletter's name, or null when it has since been deleted. */
  newsletterName: string | null;
  subscribed: boolean;
}

export type UnsubscribeOutcome = UnsubscribeTarget & { result: 'unsubscribed' | 'already' };

/** What a mail to the unsubscribe address did; `invalid` changed nothing. */
export type UnsubscribeMailResult = UnsubscribeOutcome['result'] | 'invalid';

/**
 * The local part of the `mailto:` target in `List-Unsubscribe`, `unsubscribe@<bounce domain>`:
 * the bounce domain's MX is already our inbound SMTP listener.
 */
export const UNSUBSCRIBE_LOCAL_PART = 'unsubscribe';

export const invalidUnsubscribeLink = () =>
  new AppError(
    'invalid_unsubscribe_link',
    'This unsubscribe link is not valid, so nothing was changed. Use the link in the newest ' +
      'email you received, or manage your newsletters from your account page.',
    { status: 400 },
  );

/**
 * One-click unsubscribe (RFC 8058). The signed token is the whole authorisation: no session,
 * no CSRF token. Looking at a link changes nothing (mail scanners open every link); only a
 * POST (or a mail to the `mailto:` target) unsubscribes, and a repeated one is answered
 * "already" and records nothing twice.
 */
export class UnsubscribeService {
  constructor(private readonly deps: { db: Db; clock: Clock; logger: Logger; secret: string }) {}

  async describe(token: string): Promise<UnsubscribeTarget> {
    const payload = this.verify(token);
    const { db } = this.deps;
    const [newsletter, subscribedTo] = await Promise.all([
      findNewsletterById(db, payload.newsletterId),
      memberNewsletterIds(db, payload.memberId),
    ]);
    return {
      payload,
      newsletterName: newsletter?.name ?? null,
      subscribed: subscribedTo.includes(payload.newsletterId),
    };
  }

  async unsubscribe(token: string): Promise<UnsubscribeOutcome> {
    const payload = this.verify(token);
    const now = nowIso(this.deps.clock);
    return this.deps.db.transaction().execute(async (trx) => {
      const member = await findMemberById(trx, payload.memberId);
      const newsletter = await findNewsletterById(trx, payload.newsletterId);
      const newsletterName = newsletter?.name ?? null;
      const subscribed =
        member !== undefined &&
        (await memberNewsletterIds(trx, member.id)).includes(payload.newsletterId);
      if (member === undefined || !subscribed) {
        return { payload, newsletterName, subscribed: false, result: 'already' as const };
      }
      await unsubscribeMember(trx, member.id, [payload.newsletterId]);
      await recordMemberEvent(
        trx,
        member.id,
        'newsletters_changed',
        { subscribed: [], unsubscribed: [newsletter?.slug ?? payload.newsletterId], via: 'link' },
        now,
      );
      // A token outlives its send (sends can be deleted): count it only against one that exists.
      const sendId =
        payload.sendId !== undefined && (await repo.sendExists(trx, payload.sendId))
          ? payload.sendId
          : null;
      await repo.recordSendEvent(
        trx,
        {
          sendId,
          email: member.email,
          type: 'unsubscribed',
          data: { newsletterId: payload.newsletterId },
        },
        now,
      );
      if (sendId !== null) await repo.bumpSendCounter(trx, sendId, 'unsubscribed');
      return { payload, newsletterName, subscribed: false, result: 'unsubscribed' as const };
    });
  }

  /**
   * A mail sent through the `mailto:` target (RFC 2369): its Subject carries the token, and it
   * then unsubscribes exactly as the one-click POST does. Sender and body are not looked at;
   * the signed token is the whole authorisation here too.
   */
  async unsubscribeByMail(raw: Buffer | string): Promise<UnsubscribeMailResult> {
    const token = unsubscribeTokenFromSubject(await subjectOf(raw));
    if (token === null || verifyUnsubscribe(token, this.deps.secret) === null) {
      // Info, not warn: a person typing to the address, or a client mangling the subject, is
      // ordinary. Neither the subject nor the sender is logged: both may name the person.
      this.deps.logger.info(
        { token: token === null ? 'missing' : 'not valid' },
        'unsubscribe mail without a valid token; nothing changed',
      );
      return 'invalid';
    }
    return (await this.unsubscribe(token)).result;
  }

  private verify(token: string | undefined): UnsubscribePayload {
    const payload = token ? verifyUnsubscribe(token, this.deps.secret) : null;
    if (payload === null) throw invalidUnsubscribeLink();
    return payload;
  }
}

async function subjectOf(raw: Buffer | string): Promise<string | undefined> {
  try {
    const mail = await simpleParser(raw, {
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipImageLinks: true,
      skipTextLinks: true,
    });
    return mail.subject;
  } catch {
    // Not even MIME: no token to find, and trying again later would not change that.
    return undefined;
  }
}
