import { html, type SafeHtml } from '../../platform/http/index.js';
import { CSRF_FIELD } from '../../platform/http/index.js';

/**
 * The few admin pages that must work before the admin app exists or loads, or without an
 * account: first-run setup, sign-in, password reset and accepting an invitation. Plain forms, no JavaScript, their own small stylesheet.
 */
function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <link rel="icon" href="data:," />
        <title>${title} · Pressroom</title>
        <style>
          body {
            font:
              16px/1.5 system-ui,
              -apple-system,
              Segoe UI,
              Roboto,
              sans-serif;
            background: #f4f4f2;
            color: #1d1d1b;
            margin: 0;
          }
          main {
            max-width: 26rem;
            margin: 8vh auto;
            padding: 2rem;
            background: #fff;
            border-radius: 8px;
            box-shadow: 0 1px 4px rgba(0, 0, 0, 0.12);
          }
          h1 {
            font-size: 1.5rem;
            margin: 0 0 1rem;
          }
          label {
            display: block;
            margin: 1rem 0 0.25rem;
            font-weight: 600;
          }
          input {
            width: 100%;
            box-sizing: border-box;
            padding: 0.6rem;
            border: 1px solid #8a8a85;
            border-radius: 4px;
            font: inherit;
          }
          input[readonly] {
            background: #f4f4f2;
            color: #55554f;
          }
          input:focus,
          button:focus {
            outline: 3px solid #1a5fb4;
            outline-offset: 2px;
          }
          button {
            margin-top: 1.5rem;
            padding: 0.7rem 1.2rem;
            border: 0;
            border-radius: 4px;
            background: #1a5fb4;
            color: #fff;
            font: inherit;
            font-weight: 600;
            cursor: pointer;
          }
          .error {
            background: #fde8e8;
            color: #8a1010;
            padding: 0.75rem;
            border-radius: 4px;
          }
          .hint {
            color: #555;
            font-size: 0.9rem;
          }
        </style>
      </head>
      <body>
        <main>${body}</main>
      </body>
    </html>`.value;
}

const errorBox = (message?: string) =>
  message ? html`<p class="error" role="alert">${message}</p>` : '';

export function setupPage(
  csrf: string,
  values: { email?: string; name?: string } = {},
  error?: string,
): string {
  return page(
    'Set up your publication',
    html`<h1>Set up your publication</h1>
      <p class="hint">Create the owner account. You can invite other staff later.</p>
      ${errorBox(error)}
      <form method="post" action="/admin/setup">
        <input type="hidden" name="${CSRF_FIELD}" value="${csrf}" />
        <label for="name">Your name</label>
        <input id="name" name="name" autocomplete="name" required value="${values.name ?? ''}" />
        <label for="email">Email</label>
        <input
          id="email"
          name="email"
          type="email"
          autocomplete="email"
          required
          value="${values.email ?? ''}"
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="new-password"
          minlength="10"
          required
        />
        <p class="hint">At least 10 characters.</p>
        <button type="submit">Create owner account</button>
      </form>`,
  );
}

/** `next`: the admin screen to open after signing in (checked by the route). */
export function signInPage(csrf: string, email = '', error?: string, next = ''): string {
  return page(
    'Sign in',
    html`<h1>Sign in</h1>
      ${errorBox(error)}
      <form method="post" action="/admin/signin">
        <input type="hidden" name="${CSRF_FIELD}" value="${csrf}" />
        ${next ? html`<input type="hidden" name="next" value="${next}" />` : ''}
        <label for="email">Email</label>
        <input
          id="email"
          name="email"
          type="email"
          autocomplete="username"
          required
          value="${email}"
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
        />
        <button type="submit">Sign in</button>
      </form>
      <p class="hint"><a href="/admin/forgot">Forgot your password?</a></p>`,
  );
}

export function forgotPasswordPage(csrf: string, email = '', error?: string): string {
  return page(
    'Reset your password',
    html`<h1>Reset your password</h1>
      <p class="hint">
        Enter the email address of your staff account. We will send you a link to choose a new
        password.
      </p>
      ${errorBox(error)}
      <form method="post" action="/admin/forgot">
        <input type="hidden" name="${CSRF_FIELD}" value="${csrf}" />
        <label for="email">Email</label>
        <input
          id="email"
          name="email"
          type="email"
          autocomplete="username"
          required
          value="${email}"
        />
        <button type="submit">Send the link</button>
      </form>
      <p class="hint"><a href="/admin/signin">Back to sign in</a></p>`,
  );
}

/** The one answer to a reset request, whether or not the address has an account. */
export function resetLinkSentPage(): string {
  return page(
    'Check your inbox',
    html`<h1>Check your inbox</h1>
      <p role="status">
        If that address has a staff account, we sent it a link to choose a new password. The link
        works once, for 1 hour.
      </p>
      <p class="hint">
        Nothing arrived? Check your spam folder, or ask again in a few minutes.
        <a href="/admin/signin">Back to sign in</a>
      </p>`,
  );
}

export function resetPasswordPage(
  csrf: string,
  token: string,
  email: string,
  error?: string,
): string {
  return page(
    'Choose a new password',
    html`<h1>Choose a new password</h1>
      ${errorBox(error)}
      <form method="post" action="/admin/reset">
        <input type="hidden" name="${CSRF_FIELD}" value="${csrf}" />
        <input type="hidden" name="token" value="${token}" />
        <label for="email">Email</label>
        <input id="email" type="email" autocomplete="username" readonly value="${email}" />
        <label for="password">New password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="new-password"
          minlength="10"
          required
        />
        <p class="hint">At least 10 characters. You will be signed out everywhere else.</p>
        <button type="submit">Save the new password</button>
      </form>`,
  );
}

export function acceptInvitationPage(
  csrf: string,
  token: string,
  invitation: { email: string; role: string; inviterName: string },
  values: { name?: string } = {},
  error?: string,
): string {
  return page(
    'Accept your invitation',
    html`<h1>Accept your invitation</h1>
      <p class="hint">
        ${invitation.inviterName} invited you to join as <strong>${invitation.role}</strong>. Choose
        your name and a password to create your account.
      </p>
      ${errorBox(error)}
      <form method="post" action="/admin/accept">
        <input type="hidden" name="${CSRF_FIELD}" value="${csrf}" />
        <input type="hidden" name="token" value="${token}" />
        <label for="email">Email</label>
        <input
          id="email"
          type="email"
          autocomplete="username"
          readonly
          value="${invitation.email}"
        />
        <label for="name">Your name</label>
        <input id="name" name="name" autocomplete="name" required value="${values.name ?? ''}" />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="new-password"
          minlength="10"
          required
        />
        <p class="hint">At least 10 characters.</p>
        <button type="submit">Create my account</button>
      </form>`,
  );
}

/** An emailed link that cannot be used, and what to do instead. */
export function staffLinkProblemPage(kind: 'reset' | 'invitation', message: string): string {
  return page(
    kind === 'reset' ? 'Reset link not usable' : 'Invitation not usable',
    html`<h1>
        ${kind === 'reset' ? 'This reset link cannot be used' : 'This invitation cannot be used'}
      </h1>
      ${errorBox(message)}
      ${
        kind === 'reset'
          ? html`<p><a href="/admin/forgot">Ask for a new link</a></p>`
          : html`<p>
              Ask whoever invited you to send a new invitation. Already have an account?
              <a href="/admin/signin">Sign in</a>
            </p>`
      }`,
  );
}

export function adminHomePage(csrf: string, who: { name: string; role: string }): string {
  return page(
    'Admin',
    html`<h1>Signed in</h1>
      <p>You are signed in as <strong>${who.name}</strong> (${who.role}).</p>
      <p>
        The admin app is not built yet: run <code>npm run build</code> (or start Pressroom with
        <code>npm start</code>, which builds it). Meanwhile the admin API at
        <code>/api/admin/</code> and the command line (<code>npx pressroom</code>) work.
        <a href="/">View the site</a>.
      </p>
      <form method="post" action="/admin/signout">
        <input type="hidden" name="${CSRF_FIELD}" value="${csrf}" />
        <button type="submit">Sign out</button>
      </form>`,
  );
}
