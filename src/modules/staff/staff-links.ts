import { AppError } from '../../platform/errors.js';
import type { Mailer } from '../../platform/mailer/index.js';
import type { SettingsService } from '../settings/index.js';
import type { StaffEmail, StaffEmailContext } from './staff.emails.js';

/** What `generateToken` makes: anything else is refused before the database is asked. */
export const TOKEN_SHAPE = /^[\w-]{43}$/;

export const INVITATION_TTL_MS = 7 * 86_400_000;
export const PASSWORD_RESET_TTL_MS = 3_600_000;
/** Expired links still say "expired" (not "not valid") for this long, then are purged. */
export const KEEP_EXPIRED_LINKS_MS = 30 * 86_400_000;

/** Why an emailed link cannot be used. */
export type LinkProblem = 'invalid' | 'expired' | 'used' | 'revoked';

const LINK_ERRORS: Record<LinkProblem, { code: string; status: 400 | 410; message: string }> = {
  invalid: {
    code: 'link_invalid',
    status: 400,
    message: 'This link is not valid. It may have been copied incompletely.',
  },
  expired: { code: 'link_expired', status: 410, message: 'This link has expired.' },
  used: { code: 'link_used', status: 410, message: 'This link has already been used.' },
  revoked: { code: 'link_revoked', status: 410, message: 'This invitation has been withdrawn.' },
};

export function linkError(problem: LinkProblem): AppError {
  const spec = LINK_ERRORS[problem];
  return new AppError(spec.code, spec.message, { status: spec.status });
}

export interface StaffLinksDeps {
  mailer: Mailer;
  settings: Pick<SettingsService, 'get'>;
  /** Absolute base URL for the links in emails. */
  publicUrl: string;
}

/** The absolute link to an admin page carrying a token, and what the emails are framed with. */
export class StaffMail {
  private readonly publicUrl: string;

  constructor(private readonly deps: StaffLinksDeps) {
    this.publicUrl = deps.publicUrl.replace(/\/+$/, '');
  }

  link(path: string, token: string): string {
    return `${this.publicUrl}${path}?token=${encodeURIComponent(token)}`;
  }

  async context(): Promise<StaffEmailContext> {
    const settings = await this.deps.settings.get();
    return {
      publicationTitle: settings.title,
      publicUrl: this.publicUrl,
      accent: settings.accent_color,
    };
  }

  send(to: string, email: StaffEmail, purpose: string) {
    return this.deps.mailer.send({
      to,
      ...email,
      headers: { 'X-Pressroom-Purpose': purpose, 'Auto-Submitted': 'auto-generated' },
    });
  }
}
