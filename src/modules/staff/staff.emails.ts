import {
  renderLinkEmail,
  type LinkEmailContext,
  type LinkEmailParts,
} from '../../site/views/link-email.js';

/**
 * The emails staff get: an invitation and a password-reset link. Built from plain data so
 * they are tested without a mail server; inline styles because mail clients drop stylesheets,
 * absolute links because a mail has no base URL.
 */
export type StaffEmailContext = LinkEmailContext;

export interface StaffEmail {
  subject: string;
  html: string;
  text: string;
}

function render(ctx: StaffEmailContext, subject: string, parts: LinkEmailParts): StaffEmail {
  return { subject, ...renderLinkEmail(ctx, parts) };
}

const ARTICLE: Record<string, string> = { admin: 'an', editor: 'an', author: 'an' };

export function invitationEmail(
  ctx: StaffEmailContext,
  invite: { inviterName: string; role: string; link: string },
): StaffEmail {
  const role = `${ARTICLE[invite.role] ?? 'a'} ${invite.role}`;
  return render(ctx, `${invite.inviterName} invited you to ${ctx.publicationTitle}`, {
    heading: `Join ${ctx.publicationTitle}`,
    intro: `${invite.inviterName} invited you to join ${ctx.publicationTitle} as ${role}. Choose your name and a password to create your account.`,
    button: 'Accept the invitation',
    link: invite.link,
    lifetime: 'The link works once and expires in 7 days.',
    ignore:
      'If you were not expecting this, ignore this email: no account is created unless the link is used.',
  });
}

export function passwordResetEmail(ctx: StaffEmailContext, link: string): StaffEmail {
  return render(ctx, `Reset your ${ctx.publicationTitle} password`, {
    heading: 'Reset your password',
    intro: `Someone (probably you) asked to reset the password of the ${ctx.publicationTitle} staff account for this address. Use the button below to choose a new one.`,
    button: 'Choose a new password',
    link,
    lifetime: 'The link works once and expires in 1 hour.',
    ignore: 'If you did not ask for this, ignore this email: your password stays as it is.',
  });
}
