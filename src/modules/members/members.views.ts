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

export type AccountSection = 'name' | 'email' | 'newsletters' | 'plans' | 'pledge' | 'delete';

export interface AccountPageState {
  /** A notice after a redirect (`?saved=…`). */
  notice?: string;
  error?: { section: AccountSection; message: string };
  /** What was typed into the form that failed. */
  values?: { email?: string; name?: string; amount?: string; interval?: string; tier_id?: string };
}

/**
 * A paid tier as the account page offers it. Defined here so that the members module needs
 * nothing from the payments module; the payments module's `PublicTier` has this shape.
 */
export interface PlanTier {
  id: string;
  name: string;
  description: string | null;
  /** ISO code, either case. */
  currency: string;
  /** Minor units; null on the founding tier, whose reader chooses a yearly amount. */
  monthly_amount: number | null;
  yearly_amount: number | null;
  /** Set only on the founding tier: the least yearly amount, in minor units. */
  founding_min_amount: number | null;
  trial_days: number;
  /** Readers can pay for it now; otherwise it takes pledges only. */
  open: boolean;
}

/** What the account page's Plans section offers. */
export interface PlansOffer {
  /** Active tiers, open and pledge-only alike, in the order staff gave them. */
  tiers: readonly PlanTier[];
  /** Paid subscriptions are open and Stripe is configured. */
  checkoutAvailable: boolean;
}

/** Where the checkout forms post: the payments module's form route (fixed prices)… */
export const CHECKOUT_PATH = '/members/checkout';
/** …and ours for an amount the reader chooses, typed in whole units and sent on in cents. */
export const CHOSEN_AMOUNT_CHECKOUT_PATH = '/account/checkout';

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

/**
 * What a pledge is for right now: nothing can be bought yet; some plans can; or every plan
 * can, and an earlier pledge is only there to withdraw (or to honour by subscribing).
 */
type PledgeMoment = 'nothing-open' | 'some-open' | 'all-open';

function pledgeBlock(
  site: SiteView,
  account: AccountOverview,
  csrf: string,
  state: AccountPageState,
  moment: PledgeMoment = 'nothing-open',
) {
  const { pledge, pledge_currency: currency } = account;
  const locale = site.settings.locale;
  // Pledgers are invited once, when paid subscriptions open: once open, there is no "later".
  const later: Record<PledgeMoment, string> = {
    'nothing-open': ' We will let you know when paid subscriptions open.',
    'some-open': '',
    'all-open': ' Paid subscriptions are open: subscribe to a plan above when you are ready.',
  };
  const current = pledge
    ? html`<p>
        You have pledged <strong>${formatMoney(pledge.amount, pledge.currency, locale)}</strong> a
        ${pledge.interval}.${later[moment]}
      </p>`
    : moment === 'nothing-open'
      ? html`<p>
          Paid subscriptions are not open yet. Pledge what you would pay a month or a year, and we
          will invite you when they open.
        </p>`
      : html`<p>Some plans are not open yet. Pledge what you would pay for one.</p>`;
  const withdraw = pledge
    ? html`<form method="post" action="/account/pledge/withdraw" class="member-form">
        ${csrfInput(csrf)}
        <button type="submit" class="button button-secondary">Withdraw my pledge</button>
      </form>`
    : '';
  const error = state.error?.section === 'pledge' ? errorBox(state.error.message) : '';
  // Once every plan can be bought, or staff stopped taking pledges, a pledge already made is
  // only there to withdraw.
  if (moment === 'all-open' || !account.pledges_enabled)
    return html`${current} ${error} ${withdraw}`;
  // What was typed comes back only into the form that failed, not into its neighbours.
  const typed = state.error?.section === 'pledge' ? state.values : undefined;
  const amount =
    typed?.amount ?? (pledge ? String(pledge.amount / minorUnitsPerMajor(pledge.currency)) : '');
  const interval = typed?.interval ?? pledge?.interval ?? 'month';
  return html`${current}
    <p class="member-hint">A pledge is a promise, not a payment: you will not be charged now.</p>
    ${error}
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
    ${withdraw}`;
}

/** Stripe statuses of a subscription that is still the member's to manage, not to buy again. */
const CURRENT_SUBSCRIPTION: ReadonlySet<string> = new Set([
  'active',
  'trialing',
  'past_due',
  'unpaid',
]);

/** The member pays (or owes) already: they manage their plan rather than buy another. */
export function isPayingMember(account: AccountOverview): boolean {
  const { billing, member } = account;
  return (
    (billing !== null && CURRENT_SUBSCRIPTION.has(billing.status)) ||
    member.status === 'paid' ||
    member.status === 'past_due'
  );
}

function tierPrices(site: SiteView, tier: PlanTier): SafeHtml {
  const money = (minor: number) => formatMoney(minor, tier.currency, site.settings.locale);
  if (tier.founding_min_amount !== null)
    return html`From <strong>${money(tier.founding_min_amount)}</strong> a year: you choose the
      amount.`;
  const prices = [
    tier.monthly_amount !== null
      ? html`<strong>${money(tier.monthly_amount)}</strong> a month`
      : '',
    tier.yearly_amount !== null ? html`<strong>${money(tier.yearly_amount)}</strong> a year` : '',
  ].filter((p) => p !== '');
  return html`${prices.map((p, i) => html`${i > 0 ? ' or ' : ''}${p}`)}`;
}

/** How to take up a tier: Stripe Checkout when it is open for business, a pledge otherwise. */
function tierActions(
  site: SiteView,
  tier: PlanTier,
  checkout: boolean,
  pledges: boolean,
  csrf: string,
  state: AccountPageState,
): SafeHtml {
  if (!checkout)
    return pledges
      ? html`<p class="plan-pledge-only">
          Not open yet. <a href="#pledge">Pledge what you would pay</a>; you will not be charged
          now.
        </p>`
      : html`<p class="plan-pledge-only">Not open yet.</p>`;
  const tierInput = html`${csrfInput(csrf)}<input
      type="hidden"
      name="tier_id"
      value="${tier.id}"
    />`;
  if (tier.founding_min_amount !== null) {
    const perMajor = minorUnitsPerMajor(tier.currency);
    const least = Math.ceil(tier.founding_min_amount / perMajor);
    const typed =
      state.error?.section === 'plans' && state.values?.tier_id === tier.id
        ? state.values.amount
        : undefined;
    const inputId = `plan-amount-${tier.id}`;
    return html`<form method="post" action="${CHOSEN_AMOUNT_CHECKOUT_PATH}" class="member-form">
      ${tierInput}
      <input type="hidden" name="interval" value="year" />
      <label for="${inputId}">Your yearly amount (${tier.currency.toUpperCase()})</label>
      <input
        id="${inputId}"
        name="amount"
        type="number"
        min="${least}"
        step="1"
        required
        inputmode="numeric"
        value="${typed ?? String(least)}"
        aria-describedby="${inputId}-hint"
      />
      <p class="member-hint" id="${inputId}-hint">
        At least ${formatMoney(tier.founding_min_amount, tier.currency, site.settings.locale)} a
        year.
      </p>
      <button type="submit" class="button">Subscribe yearly</button>
    </form>`;
  }
  // One form, two buttons: the one pressed sends its interval, no script needed.
  return html`<form method="post" action="${CHECKOUT_PATH}" class="plan-actions">
    ${tierInput}
    ${
      tier.monthly_amount !== null
        ? html`<button type="submit" class="button" name="interval" value="month">
            Subscribe monthly
          </button>`
        : ''
    }
    ${
      tier.yearly_amount !== null
        ? html`<button type="submit" class="button button-secondary" name="interval" value="year">
            Subscribe yearly
          </button>`
        : ''
    }
  </form>`;
}

function tierCard(
  site: SiteView,
  tier: PlanTier,
  checkout: boolean,
  pledges: boolean,
  csrf: string,
  state: AccountPageState,
): SafeHtml {
  const headingId = `plan-${tier.id}`;
  return html`<li class="plan" aria-labelledby="${headingId}">
    <h3 class="plan-name" id="${headingId}">${tier.name}</h3>
    ${tier.description ? html`<p class="plan-description">${tier.description}</p>` : ''}
    <p class="plan-price">${tierPrices(site, tier)}</p>
    ${
      tier.trial_days > 0
        ? html`<p class="plan-trial">
            ${tier.trial_days === 1 ? 'One day' : `${tier.trial_days} days`} free for new
            subscribers.
          </p>`
        : ''
    }
    ${tierActions(site, tier, checkout, pledges, csrf, state)}
  </li>`;
}

/**
 * The Plans section (`/account#plans`, where the paywall's Upgrade button leads): the
 * member's plan if they pay; otherwise the tiers, each with Checkout buttons when it can be
 * bought now, and the pledge form for whatever cannot be bought yet.
 */
function plansSection(
  site: SiteView,
  account: AccountOverview,
  plans: PlansOffer | null,
  csrf: string,
  state: AccountPageState,
): SafeHtml {
  const paying = isPayingMember(account);
  const tiers = plans?.tiers ?? [];
  const canBuy = (tier: PlanTier) => plans?.checkoutAvailable === true && tier.open;
  const buyable = tiers.filter(canBuy).length;
  const moment: PledgeMoment =
    buyable === 0 ? 'nothing-open' : buyable < tiers.length ? 'some-open' : 'all-open';
  // Pledges are for what cannot be bought yet, while staff take them; a pledge made earlier
  // stays until withdrawn.
  const pledgeOffered =
    !paying && (account.pledge !== null || (moment !== 'all-open' && account.pledges_enabled));
  return html`<section class="account-section" id="plans" aria-labelledby="account-plans">
    <h2 id="account-plans">${paying ? 'Your plan' : 'Plans'}</h2>
    <p>${statusLine(site, account)}</p>
    ${billingBlock(site, account.billing, csrf)}
    ${
      // A pledge refused because pledges were turned off has no pledge form to show it by.
      state.error?.section === 'plans' || (state.error?.section === 'pledge' && !pledgeOffered)
        ? errorBox(state.error.message)
        : ''
    }
    ${
      !paying && tiers.length > 0
        ? html`<ul class="plans" role="list">
            ${tiers.map((tier) =>
              tierCard(site, tier, canBuy(tier), account.pledges_enabled, csrf, state),
            )}
          </ul>`
        : ''
    }
    ${
      pledgeOffered
        ? html`<div class="plan-pledge">
            <h3 id="pledge">Pledge</h3>
            ${pledgeBlock(site, account, csrf, state, moment)}
          </div>`
        : ''
    }
  </section>`;
}

export function accountPage(
  site: SiteView,
  account: AccountOverview,
  csrf: string,
  state: AccountPageState = {},
  plans: PlansOffer | null = null,
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

      ${plansSection(site, account, plans, csrf, state)}

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
