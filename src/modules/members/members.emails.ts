import { renderLinkEmail, type LinkEmailContext } from '../../site/views/link-email.js';

/**
 * The emails members get from the members module: subject, HTML and plain text, built from
 * plain data so they are tested without a mail server. Inline styles and one table because
 * mail clients ignore stylesheets; every link is absolute because a mail has no base URL.
 */
export type EmailContext = LinkEmailContext;

export interface MemberEmail {
  subject: string;
  html: string;
  text: string;
}

export function signupConfirmationEmail(ctx: EmailContext, link: string): MemberEmail {
  return {
    subject: `Confirm your subscription to ${ctx.publicationTitle}`,
    ...renderLinkEmail(ctx, {
      heading: 'Confirm your subscription',
      intro: `Thanks for subscribing to ${ctx.publicationTitle}. Confirm your email address and you are in.`,
      button: 'Confirm subscription',
      link,
      lifetime: 'The link works once and expires in 24 hours.',
      ignore: `If you did not ask to subscribe, ignore this email: nothing happens until the link is used.`,
    }),
  };
}

export function signinEmail(ctx: EmailContext, link: string): MemberEmail {
  return {
    subject: `Sign in to ${ctx.publicationTitle}`,
    ...renderLinkEmail(ctx, {
      heading: `Sign in to ${ctx.publicationTitle}`,
      intro: 'Use the button below to sign in. No password needed.',
      button: 'Sign in',
      link,
      lifetime: 'The link works once and expires in 1 hour.',
      ignore: 'If you did not ask to sign in, ignore this email: your account stays as it is.',
    }),
  };
}

/** Someone asked to subscribe with an address that already has an account. */
export function existingMemberSignupEmail(ctx: EmailContext, link: string): MemberEmail {
  return {
    subject: `You are already subscribed to ${ctx.publicationTitle}`,
    ...renderLinkEmail(ctx, {
      heading: 'You are already subscribed',
      intro: `Someone (probably you) tried to subscribe to ${ctx.publicationTitle} with this address, which already has an account. Sign in to manage your newsletters and account.`,
      button: 'Sign in',
      link,
      lifetime: 'The link works once and expires in 1 hour.',
      ignore: 'If this was not you, ignore this email: your account stays as it is.',
    }),
  };
}

export function emailChangeEmail(ctx: EmailContext, link: string): MemberEmail {
  return {
    subject: `Confirm your new email address for ${ctx.publicationTitle}`,
    ...renderLinkEmail(ctx, {
      heading: 'Confirm your new email address',
      intro: `You asked to use this address for your ${ctx.publicationTitle} account. Confirm it and your account and newsletters move to it.`,
      button: 'Confirm new address',
      link,
      lifetime: 'The link works once and expires in 24 hours.',
      ignore:
        'If you did not ask for this, ignore this email: the account keeps its current address.',
    }),
  };
}
