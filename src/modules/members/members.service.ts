import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import { AppError, badRequest, conflict } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import type { Mailer } from '../../platform/mailer/index.js';
import type { RateLimiter, RateRule } from '../../platform/security/rate-limit.js';
import { generateToken, hashToken } from '../../platform/security/tokens.js';
import type { SettingsService } from '../settings/index.js';
import { accessLevel, type AccessLevel } from './access.js';
import { recordMemberEvent } from './member-events.repository.js';
import {
  emailChangeEmail,
  existingMemberSignupEmail,
  signinEmail,
  signupConfirmationEmail,
  type EmailContext,
  type MemberEmail,
} from './members.emails.js';
import * as repo from './members.repository.js';
import { TOKEN_TTL_MS, type Member, type TokenPurpose } from './members.types.js';
import * as newslettersRepo from './newsletters.repository.js';
import { pickBySlugs, type NewslettersService } from './newsletters.service.js';
import type { Pledge, PledgesService } from './pledges.service.js';

export const SESSION_DAYS = 30;
/** A session's last-used time is written at most this often: reads should not all write. */
const TOUCH_EVERY_MS = 5 * 60_000;
/** Expired links still say "expired" (not "unknown") for this long, then are purged. */
const KEEP_EXPIRED_TOKENS_MS = 7 * 86_400_000;

export const SIGNUP_PER_IP: RateRule = {
  name: 'members-signup:ip',
  limit: 20,
  windowSeconds: 3600,
};
export const SIGNIN_PER_IP: RateRule = {
  name: 'members-signin:ip',
  limit: 20,
  windowSeconds: 3600,
};
/**
 * At most one emailed link per address per five minutes, and a few a day: the public forms
 * carry no CSRF token, so anyone can ask us to mail anyone. Beyond the limit we stay silent
 * (the answer cannot differ, or it would tell who is a member).
 */
export const LINK_PER_ADDRESS: RateRule = {
  name: 'members-link:address',
  limit: 1,
  windowSeconds: 300,
};
export const LINKS_PER_ADDRESS_DAILY: RateRule = {
  name: 'members-link:address-day',
  limit: 10,
  windowSeconds: 86_400,
};
/** Asking to move to an address reveals whether it is taken: not at any speed. */
export const EMAIL_CHANGES_PER_MEMBER: RateRule = {
  name: 'members-email-change:member',
  limit: 5,
  windowSeconds: 3600,
};

/** What a member types to delete their account. */
export const DELETE_CONFIRMATION = 'DELETE';

const TOKEN_SHAPE = /^[\w-]{43}$/;

export const memberNameSchema = z
  .string()
  .trim()
  .max(120, 'must be at most 120 characters')
  .transform((v) => (v === '' ? null : v));

/** The signed-in member, as the session middleware hands it to routes. */
export interface SessionMember extends Member {
  sessionId: string;
}

export interface NewSession {
  token: string;
  expiresAt: Date;
}

/** What the member sees of their own record. */
export interface PublicMember {
  id: string;
  email: string;
  name: string | null;
  status: Member['status'];
  comp_until: string | null;
  access_until: string | null;
  confirmed_at: string | null;
  created_at: string;
}

export const toPublicMember = (m: Member): PublicMember => ({
  id: m.id,
  email: m.email,
  name: m.name,
  status: m.status,
  comp_until: m.comp_until,
  access_until: m.access_until,
  confirmed_at: m.confirmed_at,
  created_at: m.created_at,
});

/**
 * The payments module's account of a member's paid plan, shown on the account page. Provided
 * through `MembersServiceDeps.billingSummary`; without it the page shows the member's status.
 */
export interface BillingSummary {
  plan: string;
  status: string;
  amount: number | null;
  currency: string | null;
  interval: 'month' | 'year' | null;
  renews_at: string | null;
  cancel_at_period_end: boolean;
  /** Where a POST opens the billing portal (a payments route), or null. */
  manage_path: string | null;
}

export interface AccountOverview {
  member: PublicMember;
  /** What the member's access amounts to right now (a comp or paid period may have run out). */
  access: AccessLevel;
  newsletters: { slug: string; name: string; description: string | null; subscribed: boolean }[];
  pledge: Pledge | null;
  pledge_currency: string;
  /** Staff take pledges: the member may make or change one (withdrawing is always allowed). */
  pledges_enabled: boolean;
  billing: BillingSummary | null;
}

export type LinkProblem = 'invalid' | 'expired' | 'used';

const LINK_ERRORS: Record<LinkProblem, { code: string; status: 400 | 410; message: string }> = {
  invalid: {
    code: 'link_invalid',
    status: 400,
    message: 'This link is not valid. It may have been copied incompletely.',
  },
  expired: { code: 'link_expired', status: 410, message: 'This link has expired.' },
  used: { code: 'link_used', status: 410, message: 'This link has already been used.' },
};

/** Which link problem an error is, if it is one (routes show the "fresh link" page). */
export function linkProblemOf(error: unknown): LinkProblem | undefined {
  if (!(error instanceof AppError)) return undefined;
  for (const [problem, spec] of Object.entries(LINK_ERRORS))
    if (spec.code === error.code) return problem as LinkProblem;
  return undefined;
}

function linkError(problem: LinkProblem): AppError {
  const spec = LINK_ERRORS[problem];
  return new AppError(spec.code, spec.message, { status: spec.status });
}

const signupPayload = z.object({
  name: z.string().nullable().catch(null),
  newsletters: z.array(z.string()).catch([]),
});

export interface MembersServiceDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  mailer: Mailer;
  rateLimiter: RateLimiter;
  settings: Pick<SettingsService, 'get'>;
  newsletters: NewslettersService;
  pledges: PledgesService;
  /** Absolute base URL for the links in emails, without a trailing slash. */
  publicUrl: string;
  /** The payments module's hook for the account page; see BillingSummary. */
  billingSummary?: (memberId: string) => Promise<BillingSummary | null>;
}

/**
 * Members: double opt-in signup, magic-link sign-in, sessions and the member's own account.
 * Every emailed link is a single-use token of which only the hash is stored.
 */
export class MembersService {
  /** Emails on their way out; see `deliver`. */
  private readonly sending = new Set<Promise<void>>();

  constructor(private readonly deps: MembersServiceDeps) {}

  private now() {
    return this.deps.clock.now().toISOString();
  }

  // --- asking for a link ------------------------------------------------------------------

  /**
   * A signup request. Known or not, the caller learns nothing: an unknown address gets a
   * confirmation link, a known one a sign-in link, and both get the same answer.
   */
  async requestSignup(input: {
    email: string;
    name?: string | null;
    newsletters?: readonly string[];
    ip: string;
  }): Promise<void> {
    await this.deps.rateLimiter.enforce(
      SIGNUP_PER_IP,
      input.ip,
      'Too many signups from your network. Try again later.',
    );
    const chosen = await this.deps.newsletters.forSignup(input.newsletters);
    if (!(await this.mayEmail(input.email))) return;
    const member = await repo.findMemberByEmail(this.deps.db, input.email);
    const ctx = await this.emailContext();
    if (member) {
      const token = await this.issueToken('signin', input.email, member.id, {});
      this.deliver(
        input.email,
        existingMemberSignupEmail(ctx, this.link('/members/signin', token)),
        'signin',
      );
    } else {
      const token = await this.issueToken('signup', input.email, null, {
        name: input.name ?? null,
        newsletters: chosen.map((n) => n.id),
      });
      this.deliver(
        input.email,
        signupConfirmationEmail(ctx, this.link('/members/confirm', token)),
        'signup',
      );
    }
  }

  /** A sign-in link for a member; for an unknown address nothing is sent, and nothing said. */
  async requestSignin(input: { email: string; ip: string }): Promise<void> {
    await this.deps.rateLimiter.enforce(
      SIGNIN_PER_IP,
      input.ip,
      'Too many sign-in requests from your network. Try again later.',
    );
    const member = await repo.findMemberByEmail(this.deps.db, input.email);
    // Counted only when a mail would go: a stranger who tries to sign in and then subscribes
    // must not find their confirmation held back by a sign-in mail that was never sent.
    if (!member || !(await this.mayEmail(input.email))) return;
    const token = await this.issueToken('signin', input.email, member.id, {});
    const ctx = await this.emailContext();
    this.deliver(input.email, signinEmail(ctx, this.link('/members/signin', token)), 'signin');
  }

  /** Counts one email to this address; false when it must be silently skipped. */
  private async mayEmail(address: string): Promise<boolean> {
    if (!(await this.deps.rateLimiter.hit(LINK_PER_ADDRESS, address)).allowed) return false;
    return (await this.deps.rateLimiter.hit(LINKS_PER_ADDRESS_DAILY, address)).allowed;
  }

  private async issueToken(
    purpose: TokenPurpose,
    email: string,
    memberId: string | null,
    payload: Record<string, unknown>,
  ): Promise<string> {
    const token = generateToken();
    const now = this.deps.clock.now();
    await repo.insertToken(this.deps.db, {
      token_hash: hashToken(token),
      purpose,
      email,
      member_id: memberId,
      payload: JSON.stringify(payload),
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + TOKEN_TTL_MS[purpose]).toISOString(),
      used_at: null,
    });
    return token;
  }

  private link(path: string, token: string): string {
    return `${this.deps.publicUrl}${path}?token=${encodeURIComponent(token)}`;
  }

  private async emailContext(): Promise<EmailContext> {
    const settings = await this.deps.settings.get();
    return {
      publicationTitle: settings.title,
      publicUrl: this.deps.publicUrl,
      accent: settings.accent_color,
    };
  }

  /**
   * Sends without making the request wait. Besides speed, this keeps the answer's timing the
   * same whether or not an email went out, which would otherwise tell members from strangers.
   */
  private deliver(to: string, email: MemberEmail, purpose: TokenPurpose): void {
    const sent = this.deps.mailer
      .send({
        to,
        ...email,
        headers: { 'X-Pressroom-Purpose': purpose, 'Auto-Submitted': 'auto-generated' },
      })
      .then(
        () => undefined,
        async (err: unknown) => {
          this.deps.logger.error({ err, purpose }, 'member email could not be sent');
          // The reader will ask again; they should not have to wait out the window first.
          await this.deps.rateLimiter.reset(LINK_PER_ADDRESS, to).catch(() => undefined);
        },
      );
    this.sending.add(sent);
    void sent.finally(() => this.sending.delete(sent));
  }

  /** Resolves once every email started so far has been handed over (or failed): for shutdown and tests. */
  async settled(): Promise<void> {
    while (this.sending.size > 0) await Promise.all([...this.sending]);
  }

  // --- following a link -----------------------------------------------------------------------

  /** For the page a link opens: is it usable? Throws the link problem if not. Uses nothing up. */
  async checkLink(purpose: TokenPurpose, token: string): Promise<{ email: string }> {
    const row = TOKEN_SHAPE.test(token)
      ? await repo.findToken(this.deps.db, hashToken(token))
      : undefined;
    const problem = this.problemWith(row, purpose);
    if (problem) throw linkError(problem);
    return { email: row!.email };
  }

  private problemWith(
    row: repo.TokenRecord | undefined,
    purpose: TokenPurpose,
  ): LinkProblem | undefined {
    if (!row || row.purpose !== purpose) return 'invalid';
    if (row.used_at !== null) return 'used';
    if (row.expires_at <= this.now()) return 'expired';
    return undefined;
  }

  /** Uses the token up, or throws why it cannot be used. */
  private async consume(
    db: Db,
    purpose: TokenPurpose,
    token: string,
    now: string,
  ): Promise<repo.TokenRecord> {
    if (!TOKEN_SHAPE.test(token)) throw linkError('invalid');
    const hash = hashToken(token);
    const row = await repo.consumeToken(db, hash, purpose, now);
    if (row) return row;
    throw linkError(this.problemWith(await repo.findToken(db, hash), purpose) ?? 'used');
  }

  /**
   * Completes a double opt-in: creates the member with the newsletters chosen at signup and
   * signs them in. All in one transaction, so a failure leaves the link usable.
   */
  async confirmSignup(
    token: string,
    previousSession?: string,
  ): Promise<{ member: Member; session: NewSession; created: boolean }> {
    const now = this.now();
    return this.deps.db.transaction().execute(async (trx) => {
      const row = await this.consume(trx, 'signup', token, now);
      const payload = signupPayload.parse(safeJson(row.payload));
      const created = await repo.insertMemberIfNew(trx, {
        id: randomUUID(),
        email: row.email,
        name: payload.name,
        status: 'free',
        tier_id: null,
        comp_until: null,
        access_until: null,
        stripe_customer_id: null,
        source: 'signup',
        note: null,
        confirmed_at: now,
        last_seen_at: now,
        created_at: now,
        updated_at: now,
      });
      let member: Member;
      if (created) {
        member = created;
        // Newsletters archived since the signup are skipped.
        const active = await newslettersRepo.listActiveNewsletters(trx);
        const ids = active.filter((n) => payload.newsletters.includes(n.id)).map((n) => n.id);
        await newslettersRepo.subscribeMember(trx, member.id, ids, now);
        await recordMemberEvent(trx, member.id, 'signed_up', { source: 'signup' }, now);
        await recordMemberEvent(trx, member.id, 'confirmed', {}, now);
      } else {
        // The address became a member meanwhile (an earlier link, an import). The click
        // still proves the address is theirs, so it signs them in.
        member = await this.provenAddress(
          trx,
          (await repo.findMemberByEmail(trx, row.email))!,
          now,
        );
        await recordMemberEvent(trx, member.id, 'signed_in', {}, now);
      }
      const session = await this.startSession(trx, member.id, previousSession);
      return { member, session, created: created !== undefined };
    });
  }

  async completeSignin(
    token: string,
    previousSession?: string,
  ): Promise<{ member: Member; session: NewSession }> {
    const now = this.now();
    return this.deps.db.transaction().execute(async (trx) => {
      const row = await this.consume(trx, 'signin', token, now);
      const found = row.member_id ? await repo.findMemberById(trx, row.member_id) : undefined;
      if (!found) throw linkError('invalid');
      const member = await this.provenAddress(trx, found, now);
      await recordMemberEvent(trx, member.id, 'signed_in', {}, now);
      const session = await this.startSession(trx, member.id, previousSession);
      return { member, session };
    });
  }

  /**
   * Moves the account to the address the link was sent to. Whoever opens the link proves
   * they hold that address, so they are signed in too (often in another browser).
   */
  async confirmEmailChange(
    token: string,
    previousSession?: string,
  ): Promise<{ member: Member; session: NewSession }> {
    const now = this.now();
    return this.deps.db.transaction().execute(async (trx) => {
      const row = await this.consume(trx, 'email_change', token, now);
      const found = row.member_id ? await repo.findMemberById(trx, row.member_id) : undefined;
      if (!found) throw linkError('invalid');
      const other = await repo.findMemberByEmail(trx, row.email);
      if (other && other.id !== found.id) throw addressTaken();
      let member: Member | undefined;
      try {
        member = await repo.updateMemberProfile(trx, found.id, {
          email: row.email,
          confirmed_at: found.confirmed_at ?? now,
          updated_at: now,
        });
      } catch (error) {
        if (/unique|duplicate/i.test(String(error))) throw addressTaken();
        throw error;
      }
      await recordMemberEvent(trx, found.id, 'email_changed', {}, now);
      const session = await this.startSession(trx, found.id, previousSession);
      return { member: member!, session };
    });
  }

  /** Following any emailed link proves the address: a member imported unconfirmed now is. */
  private async provenAddress(db: Db, member: Member, now: string): Promise<Member> {
    const patch: repo.ProfilePatch = { last_seen_at: now };
    if (member.confirmed_at === null) patch.confirmed_at = now;
    const updated = (await repo.updateMemberProfile(db, member.id, patch)) ?? member;
    if (member.confirmed_at === null) await recordMemberEvent(db, member.id, 'confirmed', {}, now);
    return updated;
  }

  // --- sessions ---------------------------------------------------------------------------

  /** A new session; whatever session the browser had before is ended (rotation). */
  private async startSession(db: Db, memberId: string, previous?: string): Promise<NewSession> {
    if (previous) await repo.deleteSessionByHash(db, hashToken(previous));
    const token = generateToken();
    const now = this.deps.clock.now();
    const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000);
    await repo.insertSession(db, {
      id: randomUUID(),
      token_hash: hashToken(token),
      member_id: memberId,
      created_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
      last_used_at: now.toISOString(),
    });
    return { token, expiresAt };
  }

  async authenticateSession(token: string): Promise<SessionMember | undefined> {
    if (!TOKEN_SHAPE.test(token)) return undefined;
    const row = await repo.findSessionByHash(this.deps.db, hashToken(token));
    if (!row) return undefined;
    const now = this.deps.clock.now();
    if (row.session_expires_at <= now.toISOString()) {
      await repo.deleteSession(this.deps.db, row.session_id);
      return undefined;
    }
    const { session_id, session_expires_at: _e, session_last_used_at, ...member } = row;
    if (now.getTime() - Date.parse(session_last_used_at) > TOUCH_EVERY_MS) {
      await repo.touchSession(this.deps.db, session_id, now.toISOString());
      await repo.updateMemberProfile(this.deps.db, member.id, {
        last_seen_at: now.toISOString(),
      });
    }
    return { ...(member as Member), sessionId: session_id };
  }

  async signOut(token: string): Promise<void> {
    await repo.deleteSessionByHash(this.deps.db, hashToken(token));
  }

  // --- the member's own account -----------------------------------------------------------

  async account(member: Member): Promise<AccountOverview> {
    const [active, subscribed, pledge, currency, pledgesEnabled, billing] = await Promise.all([
      this.deps.newsletters.listActive(),
      newslettersRepo.memberNewsletterIds(this.deps.db, member.id),
      this.deps.pledges.forMember(member.id),
      this.deps.pledges.currency(),
      this.deps.pledges.enabled(),
      this.deps.billingSummary?.(member.id) ?? Promise.resolve(null),
    ]);
    const access = accessLevel(
      {
        kind: 'member',
        status: member.status,
        tierId: member.tier_id,
        compUntil: member.comp_until,
        accessUntil: member.access_until,
      },
      this.deps.clock.now(),
    );
    return {
      member: toPublicMember(member),
      access,
      newsletters: active.map((n) => ({
        slug: n.slug,
        name: n.name,
        description: n.description,
        subscribed: subscribed.includes(n.id),
      })),
      pledge: pledge ?? null,
      pledge_currency: currency,
      pledges_enabled: pledgesEnabled,
      billing,
    };
  }

  /** Name and newsletter choices; either may be left out. */
  async updateAccount(
    member: Member,
    patch: { name?: string | null; newsletters?: readonly string[] },
  ): Promise<Member> {
    const now = this.now();
    const active = patch.newsletters === undefined ? [] : await this.deps.newsletters.listActive();
    const chosen = patch.newsletters === undefined ? [] : pickBySlugs(active, patch.newsletters);
    await this.deps.db.transaction().execute(async (trx) => {
      if (patch.name !== undefined)
        await repo.updateMemberProfile(trx, member.id, { name: patch.name, updated_at: now });
      if (patch.newsletters === undefined) return;
      const current = new Set(await newslettersRepo.memberNewsletterIds(trx, member.id));
      const wanted = new Set(chosen.map((n) => n.id));
      // Only the newsletters on offer are the member's to change: archived ones stay as they are.
      const add = active.filter((n) => wanted.has(n.id) && !current.has(n.id));
      const remove = active.filter((n) => !wanted.has(n.id) && current.has(n.id));
      if (add.length === 0 && remove.length === 0) return;
      await newslettersRepo.subscribeMember(
        trx,
        member.id,
        add.map((n) => n.id),
        now,
      );
      await newslettersRepo.unsubscribeMember(
        trx,
        member.id,
        remove.map((n) => n.id),
      );
      await recordMemberEvent(
        trx,
        member.id,
        'newsletters_changed',
        { subscribed: add.map((n) => n.slug), unsubscribed: remove.map((n) => n.slug) },
        now,
      );
    });
    return (await repo.findMemberById(this.deps.db, member.id)) ?? member;
  }

  /** Sends a confirmation link to the new address; nothing changes until it is followed. */
  async requestEmailChange(member: Member, email: string): Promise<void> {
    await this.deps.rateLimiter.enforce(
      EMAIL_CHANGES_PER_MEMBER,
      member.id,
      'Too many address changes. Try again later.',
    );
    if (email === member.email) throw badRequest('email: this is already your address', 'email');
    if (await repo.findMemberByEmail(this.deps.db, email)) throw addressTaken();
    if (!(await this.mayEmail(email))) {
      throw new AppError(
        'rate_limited',
        'We sent a link to that address moments ago. Check its inbox, or try again in a few minutes.',
        { status: 429 },
      );
    }
    const token = await this.issueToken('email_change', email, member.id, {});
    const ctx = await this.emailContext();
    this.deliver(email, emailChangeEmail(ctx, this.link('/members/email', token)), 'email_change');
  }

  /**
   * Erases the member. Their sessions, links, newsletter choices and pledges go with the row;
   * their history stays, without them (member_id set null), so counts still add up.
   */
  async deleteAccount(member: Member, confirmation: string): Promise<void> {
    if (confirmation.trim().toUpperCase() !== DELETE_CONFIRMATION)
      throw badRequest(`confirm: type ${DELETE_CONFIRMATION} to confirm`, 'confirm');
    // Deleting the row would leave Stripe charging a card nobody can manage any more.
    if (member.status === 'paid' || member.status === 'past_due')
      throw conflict(
        'Your paid subscription is still running. Cancel it first, then delete your account.',
      );
    const now = this.now();
    await this.deps.db.transaction().execute(async (trx) => {
      await repo.deleteMember(trx, member.id);
      await recordMemberEvent(
        trx,
        null,
        'deleted',
        { by: 'member', source: member.source, status: member.status },
        now,
      );
    });
    this.deps.logger.info({ member: member.id }, 'member deleted their account');
  }

  /** Housekeeping: expired sessions, and links long past their expiry. */
  async purgeExpired(): Promise<void> {
    const now = this.deps.clock.now();
    await repo.deleteSessionsExpiredBefore(this.deps.db, now.toISOString());
    await repo.deleteTokensExpiredBefore(
      this.deps.db,
      new Date(now.getTime() - KEEP_EXPIRED_TOKENS_MS).toISOString(),
    );
  }
}

const addressTaken = () => conflict('Another account already uses that email address.', 'email');

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
