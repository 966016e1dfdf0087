import { CSRF_FIELD, html, type SafeHtml } from '../../platform/http/index.js';
import { formatDate } from '../../site/views/format.js';
import { layout, type SiteView } from '../../site/views/layout.js';
import type { AccountOverview, BillingSummary, LinkProblem } from './members.service.js';
import type { TokenPurpose } from './members.types.js';
import type { Newsletter } from './newsletters.service.js';
import { formatMoney, MAX_PLEDGE_MAJOR, minorUnitsPerMajor } from './pledges.service.js';

/**
 * The member pages, in the site's own layout. Forms work without JavaScript. The request-a-
 * link forms carry no CSRF token (they are copied into cached pages); every form that acts
 * on an account does.
 */

export const NEWSLETTERS_SHOWN_FIELD = 'newsletters_shown';

const errorBox = (message: string | undefined) =>
  message ? html`<p class="notice notice-error" role="alert">${message}</p>` : '';

const csrfInput = (csrf: string) =>
  html`<input type="hidden" name="${CSRF_FIELD}" value="${csrf}" />`;

function page(
  site: SiteView,
  title: string,
  main: SafeHtml,
  options: { path?: string | null; indexable?: boolean; description?: string } = {},
): string {
  return layout(
    site,
    {
      title: `${title} – ${site.settings.title}`,
      description: options.description ?? title,
      path: options.path ?? null,
      noindex: options.indexable !== true,
    },
    html`<section class="member-page">${main}</section>`,
  );
}

function newsletterChoices(
  newsletters: readonly Pick<Newsletter, 'slug' | 'name' | 'description'>[],
  isChecked: (slug: string) => boolean,
  options: { legendHidden?: boolean } = {},
): SafeHtml {
  // Under a "Newsletters" heading the legend would say it twice; screen readers still need it.
  return html`<fieldset class="member-newsletters">
    <legend class="${options.legendHidden ? 'visually-hidden' : ''}">Newsletters</legend>
    <input type="hidden" name="${NEWSLETTERS_SHOWN_FIELD}" value="1" />
    ${newsletters.map(
      (n) =>
        html`<label class="member-check"
          ><input
            type="checkbox"
            name="newsletters"
            value="${n.slug}"
            ${isChecked(n.slug) ? 'checked' : ''}
          />
          <span>${n.name}</span>${
            n.description ? html`<span class="member-hint"> — ${n.description}</span>` : ''
          }</label
        >`,
    )}
  </fieldset>`;
}

export interface SubscribeValues {
  email?: string;
  name?: string;
  /** The slugs ticked when the form comes back with an error. */
  newsletters?: readonly string[];
}

export function subscribePage(
  site: SiteView,
  newsletters: readonly Newsletter[],
  values: SubscribeValues = {},
  error?: string,
): string {
  // One newsletter needs no choice: the publication's defaults apply.
  const choices =
    newsletters.length > 1
      ? newsletterChoices(newsletters, (slug) =>
          values.newsletters
            ? values.newsletters.includes(slug)
            : newsletters.some((n) => n.slug === slug && n.subscribe_on_signup),
        )
      : '';
  return page(
    site,
    `Subscribe to ${site.settings.title}`,
    html`<h1>Subscribe to ${site.settings.title}</h1>
      <p>${site.settings.description}</p>
      ${errorBox(error)}
      <form method="post" action="/subscribe" class="subscribe-form member-form">
        <label for="subscribe-email">Email address</label>
        <input
          id="subscribe-email"
          type="email"
          name="email"
          required
          autocomplete="email"
          inputmode="email"
          value="${values.email ?? ''}"
        />
        <label for="subscribe-name">Name <span class="member-hint">(optional)</span></label>
        <input
          id="subscribe-name"
          name="name"
          autocomplete="name"
          maxlength="120"
          value="${values.name ?? ''}"
        />
        ${choices}
        <p><button type="submit" class="button">Subscribe</button></p>
      </form>
      <p>Already a member? <a href="/signin">Sign in</a>.</p>`,
    { path: '/subscribe', indexable: true, description: site.settings.description },
  );
}

/** The one answer to a link request, whoever the address belongs to. */
export function checkInboxPage(site: SiteView, kind: 'signup' | 'signin', email: string): string {
  const what =
    kind === 'signup'
      ? html`To finish subscribing, follow the link in the email we are sending to
          <strong>${email}</strong>.`
      : html`If <strong>${email}</strong> belongs to a member, a sign-in link is on its way to it.`;
  return page(
    site,
    'Check your inbox',
    html`<h1>Check your inbox</h1>
      <p>${what}</p>
      <p class="member-hint">
        Nothing there after a few minutes? Look in your spam folder, or try again in five minutes.
        The link works once.
      </p>
      ${
        kind === 'signin'
          ? html`<p>Not a member yet? <a href="/subscribe">Subscribe</a>.</p>`
          : html`<p>Typed the address wrong? <a href="/subscribe">Start again</a>.</p>`
      }`,
  );
}

export function signinPage(site: SiteView, email = '', error?: string): string {
  return page(
    site,
    'Sign in',
    html`<h1>Sign in</h1>
      <p>Enter your email address and we will send you a link to sign in. No password needed.</p>
      ${errorBox(error)}
      <form method="post" action="/signin" class="subscribe-form member-form">
        <label for="signin-email">Email address</label>
        <div class="subscribe-row">
          <input
            id="signin-email"
            type="email"
            name="email"
            required
            autocomplete="email"
            inputmode="email"
            value="${email}"
          />
          <button type="submit" class="button">Send me a link</button>
        </div>
      </form>
      <p>Not a member yet? <a href="/subscribe">Subscribe</a>.</p>`,
    { path: '/signin' },
  );
}

const LINK_PAGES: Record<
  TokenPurpose,
  { title: string; text: string; button: string; action: string }
> = {
  signup: {
    title: 'Confirm your subscription',
    text: 'One more step: confirm that you want to subscribe with',
    button: 'Confirm subscription',
    action: '/members/confirm',
  },
  signin: {
    title: 'Sign in',
    text: 'Sign in as',
    button: 'Sign in',
    action: '/members/signin',
  },
  email_change: {
    title: 'Confirm your new email address',
    text: 'Use this address for your account from now on:',
    button: 'Confirm new address',
    action: '/members/email',
  },
};

/**
 * What an emailed link opens: a button, not the action itself. Mail scanners fetch links
 * to check them; only a person pressing the button (a POST with our CSRF token) acts.
 */
export function confirmLinkPage(
  site: SiteView,
  purpose: TokenPurpose,
  token: string,
  email: string,
  csrf: string,
): string {
  const spec = LINK_PAGES[purpose];
  return page(
    site,
    spec.title,
    html`<h1>${spec.title}</h1>
      <p>${spec.text} <strong>${email}</strong>.</p>
      <form method="post" action="${spec.action}" class="member-form">
        ${csrfInput(csrf)}
        <input type="hidden" name="token" value="${token}" />
        <button type="submit" class="button">${spec.button}</button>
      </form>`,
  );
}

/** An unusable link: says why, and offers a fresh one on the spot. */
export function linkProblemPage(
  site: SiteView,
  purpose: TokenPurpose,
  problem: LinkProblem,
  message: string,
): string {
  const title =
    problem === 'expired'
      ? 'This link has expired'
      : problem === 'used'
        ? 'This link has already been used'
        : 'This link does not work';
  const fresh =
    purpose === 'email_change'
      ? html`<p>
          <a class="button" href="/account">Go to your account</a> to ask for a new confirmation
          link (sign in first if you need to).
        </p>`
      : html`<p>Enter your email address for a fresh link.</p>
          <form
            method="post"
            action="${purpose === 'signup' ? '/subscribe' : '/signin'}"
            class="subscribe-form member-form"
          >
            <label for="fresh-email">Email address</label>
            <div class="subscribe-row">
              <input
                id="fresh-email"
                type="email"
                name="email"
                required
                autocomplete="email"
                inputmode="email"
              />
              <button type="submit" class="button">Send a new link</button>
            </div>
          </form>`;
  return page(
    site,
    title,
    html`<h1>${title}</h1>
      <p>${message} Links we email work once, for a limited time.</p>
      ${fresh}`,
  );
}

export type AccountSection = 'name' | 'email' | 'newsletters' | 'pledge' | 'delete';

export interface AccountPageState {
  /** A notice after a redirect (`?saved=…`). */
  notice?: string;
  error?: { section: AccountSection; message: string };
  /** What was typed into the form that failed. */
  values?: { email?: string; name?: string; amount?: string; interval?: string };
}

function statusLine(site: SiteView, account: AccountOverview): SafeHtml {
  const { member } = account;
  const date = (iso: string) => formatDate(site.settings.locale, iso);
  switch (member.status) {
    case 'free':
      return html`You are a free member.`;
    case 'paid':
      return html`You are a paying member.`;
    case 'past_due':
      return html`You are a paying member, but your last payment did not go through. Please update
      your payment details.`;
    case 'comped':
      if (!member.comp_until) return html`You have complimentary access.`;
      return account.access === 'paid'
        ? html`You have complimentary access until ${date(member.comp_until)}.`
        : html`Your complimentary access ended on ${date(member.comp_until)}.`;
    case 'cancelled':
      return account.access === 'paid' && member.access_until
        ? html`Your subscription is cancelled; you keep access until ${date(member.access_until)}.`
        : html`Your subscription has ended.`;
  }
}

function billingBlock(site: SiteView, billing: BillingSummary | null, csrf: string) {
  if (!billing) return '';
  const price =
    billing.amount !== null && billing.currency
      ? `${formatMoney(billing.amount, billing.currency, site.settings.locale)}${
          billing.interval ? ` a ${billing.interval}` : ''
        }`
      : null;
  return html`<dl class="member-billing">
      <dt>Plan</dt>
      <dd>${billing.plan}${price ? ` (${price})` : ''}</dd>
      ${
        billing.renews_at
          ? html`<dt>${billing.cancel_at_period_end ? 'Ends' : 'Renews'}</dt>
              <dd>${formatDate(site.settings.locale, billing.renews_at)}</dd>`
          : ''
      }
    </dl>
    ${
      billing.manage_path
        ? html`<form method="post" action="${billing.manage_path}" class="member-form">
            ${csrfInput(csrf)}
            <button type="submit" class="button">Manage billing</button>
          </form>`
        : ''
    }`;
}

function pledgeBlock(
  site: SiteView,
  account: AccountOverview,
  csrf: string,
  state: AccountPageState,
) {
  const { pledge, pledge_currency: currency } = account;
  const locale = site.settings.locale;
  const current = pledge
    ? html`<p>
        You have pledged <strong>${formatMoney(pledge.amount, pledge.currency, locale)}</strong> a
        ${pledge.interval}. We will let you know when paid subscriptions open.
      </p>`
    : html`<p>
        Paid subscriptions are not open yet. Pledge what you would pay, and we will invite you when
        they open. A pledge costs nothing now.
      </p>`;
  const amount =
    state.values?.amount ??
    (pledge ? String(pledge.amount / minorUnitsPerMajor(pledge.currency)) : '');
  const interval = state.values?.interval ?? pledge?.interval ?? 'month';
  return html`${current} ${state.error?.section === 'pledge' ? errorBox(state.error.message) : ''}
    <form method="post" action="/account/pledge" class="member-form">
      ${csrfInput(csrf)}
      <label for="pledge-amount">Amount (${currency})</label>
      <input
        id="pledge-amount"
        name="amount"
        type="number"
        min="1"
        max="${MAX_PLEDGE_MAJOR}"
        step="1"
        required
        inputmode="numeric"
        value="${amount}"
      />
      <label for="pledge-interval">Every</label>
      <select id="pledge-interval" name="interval">
        <option value="month" ${interval === 'month' ? 'selected' : ''}>month</option>
        <option value="year" ${interval === 'year' ? 'selected' : ''}>year</option>
      </select>
      <p><button type="submit" class="button">${pledge ? 'Change pledge' : 'Pledge'}</button></p>
    </form>
    ${
      pledge
        ? html`<form method="post" action="/account/pledge/withdraw" class="member-form">
            ${csrfInput(csrf)}
            <button type="submit" class="button button-secondary">Withdraw my pledge</button>
          </form>`
        : ''
    }`;
}

export function accountPage(
  site: SiteView,
  account: AccountOverview,
  csrf: string,
  state: AccountPageState = {},
): string {
  const { member } = account;
  const sectionError = (section: AccountSection) =>
    state.error?.section === section ? errorBox(state.error.message) : '';
  return page(
    site,
    'Your account',
    html`<h1>Your account</h1>
      ${state.notice ? html`<p class="notice" role="status">${state.notice}</p>` : ''}

      <section class="account-section" aria-labelledby="account-profile">
        <h2 id="account-profile">Name</h2>
        ${sectionError('name')}
        <form method="post" action="/account/name" class="member-form">
          ${csrfInput(csrf)}
          <label for="account-name">Your name</label>
          <input
            id="account-name"
            name="name"
            autocomplete="name"
            maxlength="120"
            value="${state.values?.name ?? member.name ?? ''}"
          />
          <p><button type="submit" class="button">Save name</button></p>
        </form>
      </section>

      <section class="account-section" aria-labelledby="account-email">
        <h2 id="account-email">Email</h2>
        <p>You are signed in as <strong>${member.email}</strong>.</p>
        ${sectionError('email')}
        <form method="post" action="/account/email" class="member-form">
          ${csrfInput(csrf)}
          <label for="account-new-email">New email address</label>
          <input
            id="account-new-email"
            type="email"
            name="email"
            required
            autocomplete="email"
            value="${state.values?.email ?? ''}"
          />
          <p class="member-hint">
            We will send a link to the new address; nothing changes until you follow it.
          </p>
          <p><button type="submit" class="button">Change email</button></p>
        </form>
      </section>

      <section class="account-section" aria-labelledby="account-newsletters">
        <h2 id="account-newsletters">Newsletters</h2>
        ${sectionError('newsletters')}
        ${
          account.newsletters.length === 0
            ? html`<p>There are no newsletters at the moment.</p>`
            : html`<form method="post" action="/account/newsletters" class="member-form">
                ${csrfInput(csrf)}
                ${newsletterChoices(
                  account.newsletters,
                  (slug) => account.newsletters.find((n) => n.slug === slug)?.subscribed === true,
                  { legendHidden: true },
                )}
                <p><button type="submit" class="button">Save newsletters</button></p>
              </form>`
        }
      </section>

      <section class="account-section" aria-labelledby="account-plan">
        <h2 id="account-plan">Plan</h2>
        <p>${statusLine(site, account)}</p>
        ${billingBlock(site, account.billing, csrf)}
      </section>

      <section class="account-section" aria-labelledby="account-pledge">
        <h2 id="account-pledge">Pledge</h2>
        ${pledgeBlock(site, account, csrf, state)}
      </section>

      <section class="account-section" aria-labelledby="account-signout">
        <h2 id="account-signout">Sign out</h2>
        <form method="post" action="/signout" class="member-form">
          ${csrfInput(csrf)}
          <button type="submit" class="button">Sign out</button>
        </form>
      </section>

      <section class="account-section account-danger" aria-labelledby="account-delete">
        <h2 id="account-delete">Delete your account</h2>
        <p>
          This erases your account, your newsletter subscriptions and your pledge, at once and for
          good.
        </p>
        ${sectionError('delete')}
        <form method="post" action="/account/delete" class="member-form">
          ${csrfInput(csrf)}
          <label for="account-delete-confirm">Type DELETE to confirm</label>
          <input id="account-delete-confirm" name="confirm" required autocomplete="off" />
          <p><button type="submit" class="button button-danger">Delete my account</button></p>
        </form>
      </section>`,
  );
}

export function accountDeletedPage(site: SiteView): string {
  return page(
    site,
    'Your account has been deleted',
    html`<h1>Your account has been deleted</h1>
      <p>We have erased your account. You will get no more email from us.</p>
      <p><a href="/">Back to ${site.settings.title}</a></p>`,
  );
}
