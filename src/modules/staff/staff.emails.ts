import { html } from '../../platform/http/index.js';
import { safeAccent, textColourOn } from '../../site/views/format.js';

/**
 * The emails staff get: an invitation and a password-reset link. Built from plain data so
 * they are tested without a mail server; inline styles because mail clients drop stylesheets,
 * absolute links because a mail has no base URL.
 */
export interface StaffEmailContext {
  publicationTitle: string;
  /** Absolute, without a trailing slash. */
  publicUrl: string;
  accent?: string;
}

export interface StaffEmail {
  subject: string;
  html: string;
  text: string;
}

interface Parts {
  heading: string;
  intro: string;
  button: string;
  link: string;
  lifetime: string;
  ignore: string;
}

function render(ctx: StaffEmailContext, subject: string, parts: Parts): StaffEmail {
  const accent = safeAccent(ctx.accent ?? '');
  const buttonStyle = `display:inline-block;padding:12px 20px;background:${accent};color:${textColourOn(accent)};border-radius:4px;font-weight:600;font-size:16px;text-decoration:none;`;
  const body = html`<!doctype html>
    <html>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${parts.heading}</title>
      </head>
      <body style="margin:0;padding:0;background:#f4f4f2;">
        <table
          role="presentation"
          width="100%"
          cellpadding="0"
          cellspacing="0"
          style="background:#f4f4f2;"
        >
          <tr>
            <td align="center" style="padding:32px 16px;">
              <table
                role="presentation"
                width="100%"
                cellpadding="0"
                cellspacing="0"
                style="max-width:520px;background:#ffffff;border-radius:8px;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1d1d1b;"
              >
                <tr>
                  <td style="padding:32px 32px 8px;font-size:14px;color:#55554f;">
                    ${ctx.publicationTitle}
                  </td>
                </tr>
                <tr>
                  <td style="padding:8px 32px 0;">
                    <h1 style="margin:0 0 16px;font-size:22px;line-height:1.3;">
                      ${parts.heading}
                    </h1>
                    <p style="margin:0 0 24px;font-size:16px;line-height:1.5;">${parts.intro}</p>
                    <p style="margin:0 0 24px;">
                      <a href="${parts.link}" style="${buttonStyle}">${parts.button}</a>
                    </p>
                    <p style="margin:0 0 8px;font-size:14px;line-height:1.5;color:#55554f;">
                      ${parts.lifetime} If the button does not work, paste this address into your
                      browser:
                    </p>
                    <p style="margin:0 0 24px;font-size:13px;line-height:1.4;word-break:break-all;">
                      <a href="${parts.link}" style="color:${accent};">${parts.link}</a>
                    </p>
                  </td>
                </tr>
                <tr>
                  <td
                    style="padding:16px 32px 32px;border-top:1px solid #e4e4df;font-size:13px;line-height:1.5;color:#6b6b66;"
                  >
                    ${parts.ignore}
                  </td>
                </tr>
              </table>
            </td>
          </tr>
        </table>
      </body>
    </html>`.value;
  const text = [
    parts.heading,
    '',
    parts.intro,
    '',
    `${parts.button}:`,
    parts.link,
    '',
    parts.lifetime,
    '',
    parts.ignore,
    '',
    `— ${ctx.publicationTitle}`,
    '',
  ].join('\n');
  return { subject, html: body, text };
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
