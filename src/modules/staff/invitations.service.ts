import { randomUUID } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import { AppError, conflict, forbidden, notFound } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import type { SentMessage } from '../../platform/mailer/index.js';
import type { RateLimiter, RateRule } from '../../platform/security/rate-limit.js';
import { generateToken, hashToken } from '../../platform/security/tokens.js';
import { canAssignRole, ROLES, type Actor, type Role } from './roles.js';
import { invitationEmail } from './staff.emails.js';
import * as links from './staff-links.repository.js';
import {
  INVITATION_TTL_MS,
  KEEP_EXPIRED_LINKS_MS,
  linkError,
  StaffMail,
  TOKEN_SHAPE,
  type LinkProblem,
  type StaffLinksDeps,
} from './staff-links.js';
import * as repo from './staff.repository.js';
import type { StaffIdentity, StaffService } from './staff.service.js';

/** A stolen admin session should not turn the server into a mail cannon. */
export const INVITES_PER_STAFF: RateRule = {
  name: 'staff-invite:staff',
  limit: 30,
  windowSeconds: 3600,
};

export interface PublicInvitation {
  id: string;
  email: string;
  role: Role;
  invited_by: { id: string; name: string };
  created_at: string;
  expires_at: string;
  expired: boolean;
  /** Whether the viewer may withdraw it: the same rule as inviting with that role. */
  revocable: boolean;
}

export interface InvitationsDeps extends StaffLinksDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  rateLimiter: RateLimiter;
  staff: StaffService;
}

const accountExists = () =>
  conflict(
    'An account with this email address already exists. Sign in, or reset its password.',
    'email',
  );

/**
 * Staff invitations: an admin names an address and a role; the address gets a single-use
 * link, valid for 7 days, to a page where the invitee chooses a name and password. The
 * invitation acts with its inviter's authority, checked again when it is accepted.
 */
export class InvitationsService {
  private readonly mail: StaffMail;

  constructor(private readonly deps: InvitationsDeps) {
    this.mail = new StaffMail(deps);
  }

  private now() {
    return this.deps.clock.now().toISOString();
  }

  /** The roles this actor may invite people with (and so withdraw invitations to). */
  rolesFor(actor: Actor): Role[] {
    return ROLES.filter((role) => canAssignRole(actor, null, role));
  }

  /**
   * Sends the invitation before answering, so the inviter hears if the mail failed. A new
   * invitation to an address replaces any still open: only the newest link works.
   */
  async invite(
    actor: StaffIdentity,
    input: { email: string; role: Role },
  ): Promise<PublicInvitation> {
    if (!canAssignRole(actor, null, input.role))
      throw forbidden(`You cannot invite staff with the role ${input.role}`);
    const { email, role } = input;
    if (await repo.findStaffByEmail(this.deps.db, email))
      throw conflict(`A staff member with email ${email} already exists`, 'email');
    await this.deps.rateLimiter.enforce(
      INVITES_PER_STAFF,
      actor.id,
      'Too many invitations sent. Try again later.',
    );
    const token = generateToken();
    const id = randomUUID();
    const now = this.deps.clock.now();
    const row = {
      id,
      token_hash: hashToken(token),
      email,
      role,
      invited_by: actor.id,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + INVITATION_TTL_MS).toISOString(),
      accepted_at: null,
      revoked_at: null,
    };
    await links.insertInvitation(this.deps.db, row);
    let sent: SentMessage;
    try {
      const ctx = await this.mail.context();
      const link = this.mail.link('/admin/accept', token);
      sent = await this.mail.send(
        email,
        invitationEmail(ctx, { inviterName: actor.name, role, link }),
        'staff_invitation',
      );
    } catch (error) {
      await links.deleteInvitation(this.deps.db, id);
      this.deps.logger.error({ err: error }, 'staff invitation email could not be sent');
      throw new AppError(
        'mail_failed',
        'The invitation email could not be sent. Check the mail settings and try again.',
        { status: 502 },
      );
    }
    if (sent.suppressed) {
      // Nothing went: saying "sent" would leave the inviter waiting for someone who never
      // hears of it. (A password reset stays silent instead: it must not reveal accounts.)
      await links.deleteInvitation(this.deps.db, id);
      throw conflict(
        'Mail to this address bounced or was reported as spam, so Pressroom no longer sends to it. Invite another address.',
        'email',
      );
    }
    await links.revokeOpenInvitationsTo(this.deps.db, email, row.created_at, id);
    this.deps.logger.info({ staff: actor.id, role }, 'staff invitation sent');
    return {
      id,
      email,
      role,
      invited_by: { id: actor.id, name: actor.name },
      created_at: row.created_at,
      expires_at: row.expires_at,
      expired: false,
      revocable: true,
    };
  }

  /** Invitations neither accepted nor withdrawn, newest first; lapsed ones say so. */
  async list(viewer: Actor): Promise<PublicInvitation[]> {
    const now = this.now();
    return (await links.listOpenInvitations(this.deps.db)).map((r) => ({
      id: r.id,
      email: r.email,
      role: r.role as Role,
      invited_by: { id: r.inviter_id, name: r.inviter_name },
      created_at: r.created_at,
      expires_at: r.expires_at,
      expired: r.expires_at <= now,
      revocable: canAssignRole(viewer, null, r.role as Role),
    }));
  }

  async revoke(actor: Actor, id: string): Promise<void> {
    const invitation = await links.findInvitationById(this.deps.db, id);
    if (!invitation || invitation.accepted_at !== null || invitation.revoked_at !== null)
      throw notFound('Invitation');
    if (!canAssignRole(actor, null, invitation.role as Role))
      throw forbidden(`You cannot withdraw an invitation with the role ${invitation.role}`);
    const result = await links.revokeInvitation(this.deps.db, id, this.now());
    if (Number(result.numUpdatedRows) === 0) throw notFound('Invitation');
  }

  private problemWith(
    row: links.InvitationRecord | undefined,
    inviter: { id: string; role: string } | undefined,
  ): LinkProblem | undefined {
    if (!row) return 'invalid';
    if (row.accepted_at !== null) return 'used';
    if (row.revoked_at !== null) return 'revoked';
    if (row.expires_at <= this.now()) return 'expired';
    // Demoted since, an inviter can no longer hand out this role.
    if (
      !inviter ||
      !canAssignRole({ id: inviter.id, role: inviter.role as Role }, null, row.role as Role)
    )
      return 'revoked';
    return undefined;
  }

  private async inviterOf(db: Db, row: links.InvitationRecord | undefined) {
    return row ? repo.findStaffById(db, row.invited_by) : undefined;
  }

  /** For the page the link opens: who is invited, as what, by whom. Uses nothing up. */
  async checkLink(token: string): Promise<{ email: string; role: Role; inviterName: string }> {
    const row = TOKEN_SHAPE.test(token)
      ? await links.findInvitationByHash(this.deps.db, hashToken(token))
      : undefined;
    const inviter = await this.inviterOf(this.deps.db, row);
    const problem = this.problemWith(row, inviter);
    if (problem) throw linkError(problem);
    if (await repo.findStaffByEmail(this.deps.db, row!.email)) throw accountExists();
    return { email: row!.email, role: row!.role as Role, inviterName: inviter!.name };
  }

  /**
   * Creates the account with the invitation's role and signs this browser in. One
   * transaction: if anything fails (the address taken meanwhile) the link still works.
   */
  async accept(input: {
    token: string;
    name: string;
    password: string;
    ip: string;
    userAgent?: string;
    previousSessionToken?: string;
  }): Promise<{ token: string; staff: StaffIdentity; expiresAt: Date }> {
    if (!TOKEN_SHAPE.test(input.token)) throw linkError('invalid');
    const tokenHash = hashToken(input.token);
    // Hashed before the transaction: argon2 is slow on purpose, and SQLite has one writer.
    const passwordHash = await hash(input.password);
    const now = this.now();
    const result = await this.deps.db.transaction().execute(async (trx) => {
      const row = await links.acceptInvitation(trx, tokenHash, now);
      if (!row) {
        const found = await links.findInvitationByHash(trx, tokenHash);
        throw linkError(this.problemWith(found, await this.inviterOf(trx, found)) ?? 'used');
      }
      const inviter = await this.inviterOf(trx, row);
      const problem = this.problemWith({ ...row, accepted_at: null }, inviter);
      if (problem) throw linkError(problem);
      if (await repo.findStaffByEmail(trx, row.email)) throw accountExists();
      const staff = await this.deps.staff.insertHashed(trx, {
        email: row.email,
        name: input.name,
        role: row.role as Role,
        passwordHash,
      });
      if (input.previousSessionToken) {
        await repo.deleteSessionByHash(trx, hashToken(input.previousSessionToken));
      }
      const session = await this.deps.staff.createSession(staff.id, input.ip, input.userAgent, trx);
      const identity: StaffIdentity = {
        id: staff.id,
        email: staff.email,
        name: staff.name,
        slug: staff.slug,
        role: staff.role,
      };
      return { ...session, staff: identity };
    });
    this.deps.logger.info(
      { staff: result.staff.id, role: result.staff.role },
      'staff invitation accepted',
    );
    return result;
  }

  /** Housekeeping: invitations long past their expiry, accepted or not. */
  async purgeExpired(): Promise<void> {
    const before = new Date(this.deps.clock.now().getTime() - KEEP_EXPIRED_LINKS_MS);
    await links.deleteInvitationsExpiredBefore(this.deps.db, before.toISOString());
  }
}
