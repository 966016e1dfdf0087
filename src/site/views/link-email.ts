import { html } from '../../platform/http/index.js';
import { safeAccent, textColourOn } from './format.js';

/**
 * The layout of the publication's one-link emails (confirmations, sign-in links, staff
 * invitations and password resets): a heading, a sentence, one button, how long the link
 * lasts and what to do if it was not you. Inline styles and one table because mail clients
 * ignore stylesheets; every link is absolute because a mail has no base URL.
 */
export interface LinkEmailContext {
  publicationTitle: string;
  /** Absolute, without a trailing slash. */
  publicUrl: string;
  /** The publication's accent colour (`#rrggbb`) for the button; a default otherwise. */
  accent?: string;
}

export interface LinkEmailParts {
  heading: string;
  intro: string;
  button: string;
  link: string;
  lifetime: string;
  ignore: string;
}

export function renderLinkEmail(
  ctx: LinkEmailContext,
  parts: LinkEmailParts,
): { html: string; text: string } {
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
                    <a href="${ctx.publicUrl}/" style="color:#55554f;text-decoration:none;"
                      >${ctx.publicationTitle}</a
                    >
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
    `${ctx.publicUrl}/`,
    '',
  ].join('\n');
  return { html: body, text };
}
