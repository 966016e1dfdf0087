import { hash } from '@node-rs/argon2';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import type { Logger } from '../../platform/logger.js';
import type { RateLimiter, RateRule } from '../../platform/security/rate-limit.js';
import { generateToken, hashToken } from '../../platform/security/tokens.js';
import { passwordResetEmail } from './staff.emails.js';
import * as links from './staff-links.repository.js';
import {
  KEEP_EXPIRED_LINKS_MS,
  linkError,
  PASSWORD_RESET_TTL_MS,
  StaffMail,
  TOKEN_SHAPE,
  type LinkProblem,
  type StaffLinksDeps,
} from './staff-links.js';
import * as repo from './staff.repository.js';
import { SIGNIN_PER_ACCOUNT, type StaffIdentity, type StaffService } from './staff.service.js';

export const RESET_PER_IP: RateRule = {
  name: 'staff-reset:ip',
  limit: 10,
  windowSeconds: 3600,
};
/**
 * The form answers anyone, so anyone could use it to mail a staff member over and over.
 * Beyond this we stay silent: a different answer would tell who has an account.
 */
export const RESET_PER_ADDRESS: RateRule = {
  name: 'staff-reset:address',
  limit: 3,
  windowSeconds: 3600,
};

export interface PasswordResetDeps extends StaffLinksDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  rateLimiter: RateLimiter;
  staff: StaffService;
}

/**
 * "Forgot your password?": a single-use link, valid for an hour, mailed to the address of a
 * staff account. Asking gets the same answer whether or not the address has an account.
 */
export class PasswordResetService {
  private readonly mail: StaffMail;
  /** Emails on their way out; see `deliver`. */
  private readonly sending = new Set<Promise<void>>();

  constructor(private readonly deps: PasswordResetDeps) {
    this.mail = new StaffMail(deps);
  }

  private now() {
    return this.deps.clock.now().toISOString();
  }

  /** `email` is already normalised (trimmed, lower case). */
  async requestReset(input: { email: string; ip: string }): Promise<void> {
    await this.deps.rateLimiter.enforce(
      RESET_PER_IP,
      input.ip,
      'Too many password reset requests from your network. Try again later.',
    );
    // Counted for unknown addresses too, so the work done does not depend on who has an account.
    if (!(await this.deps.rateLimiter.hit(RESET_PER_ADDRESS, input.email)).allowed) return;
    const staff = await repo.findStaffByEmail(this.deps.db, input.email);
    if (!staff) return;
    const token = generateToken();
    const now = this.deps.clock.now();
    await links.insertPasswordReset(this.deps.db, {
      token_hash: hashToken(token),
      staff_id: staff.id,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + PASSWORD_RESET_TTL_MS).toISOString(),
      used_at: null,
    });
    this.deliver(staff.email, token);
    this.deps.logger.info({ staff: staff.id }, 'password reset link requested');
  }

  /**
   * Sends without making the request wait, which also keeps the answer's timing the same
   * whether or not an email went out.
   */
  private deliver(to: string, token: string): void {
    const sent = this.mail
      .context()
      .then((ctx) =>
        this.mail.send(
          to,
          passwordResetEmail(ctx, this.mail.link('/admin/reset', token)),
          'staff_password_reset',
        ),
      )
      .then(
        () => undefined,
        async (err: unknown) => {
          this.deps.logger.error({ err }, 'password reset email could not be sent');
          // They will ask again; they should not have to wait out the window first.
          await this.deps.rateLimiter.reset(RESET_PER_ADDRESS, to).catch(() => undefined);
        },
      );
    this.sending.add(sent);
    void sent.finally(() => this.sending.delete(sent));
  }

  /** Resolves once every email started so far has been handed over (or failed). */
  async settled(): Promise<void> {
    while (this.sending.size > 0) await Promise.all([...this.sending]);
  }

  private problemWith(
    row: { used_at: string | null; expires_at: string } | undefined,
  ): LinkProblem | undefined {
    if (!row) return 'invalid';
    if (row.used_at !== null) return 'used';
    if (row.expires_at <= this.now()) return 'expired';
    return undefined;
  }

  /** For the page the link opens: whose password it resets. Uses nothing up. */
  async checkLink(token: string): Promise<{ email: string }> {
    const row = TOKEN_SHAPE.test(token)
      ? await links.findPasswordReset(this.deps.db, hashToken(token))
      : undefined;
    const problem = this.problemWith(row);
    if (problem) throw linkError(problem);
    return { email: row!.email };
  }

  /**
   * Sets the new password, ends every session of the account (whoever held one no longer
   * does) and signs this browser in. One transaction: if anything fails the link still works.
   */
  async completeReset(input: {
    token: string;
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
      const used = await links.consumePasswordReset(trx, tokenHash, now);
      if (!used) {
        throw linkError(this.problemWith(await links.findPasswordReset(trx, tokenHash)) ?? 'used');
      }
      const staff = await repo.updateStaff(trx, used.staff_id, {
        password_hash: passwordHash,
        updated_at: now,
      });
      if (!staff) throw linkError('invalid');
      await links.usePasswordResetsOf(trx, staff.id, now);
      await repo.deleteSessionsOf(trx, staff.id);
      if (input.previousSessionToken) {
        await repo.deleteSessionByHash(trx, hashToken(input.previousSessionToken));
      }
      const session = await this.deps.staff.createSession(staff.id, input.ip, input.userAgent, trx);
      return {
        ...session,
        staff: {
          id: staff.id,
          email: staff.email,
          name: staff.name,
          slug: staff.slug,
          role: staff.role as StaffIdentity['role'],
        },
      };
    });
    // Proving the address is a better credential than a password: the lockout is over.
    await this.deps.rateLimiter.reset(SIGNIN_PER_ACCOUNT, result.staff.email);
    this.deps.logger.info({ staff: result.staff.id }, 'staff password reset by email link');
    return result;
  }

  /** Housekeeping: links long past their expiry. */
  async purgeExpired(): Promise<void> {
    const before = new Date(this.deps.clock.now().getTime() - KEEP_EXPIRED_LINKS_MS);
    await links.deletePasswordResetsExpiredBefore(this.deps.db, before.toISOString());
  }
}
