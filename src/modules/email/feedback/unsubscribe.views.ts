import { html, type SafeHtml } from '../../../platform/http/index.js';
import { layout, type SiteView } from '../../../site/views/layout.js';
import type { UnsubscribeOutcome, UnsubscribeTarget } from './unsubscribe.service.js';

/** The unsubscribe pages, in the site's layout, never indexed. They work without JavaScript. */

function page(site: SiteView, title: string, main: SafeHtml): string {
  return layout(
    site,
    { title: `${title} – ${site.settings.title}`, description: title, path: null, noindex: true },
    html`<section class="member-page">${main}</section>`,
  );
}

const nameOf = (target: UnsubscribeTarget) => target.newsletterName ?? 'this newsletter';

/** What a link opens: the question, and a button that POSTs back to the same URL. */
export function confirmUnsubscribePage(
  site: SiteView,
  target: UnsubscribeTarget,
  action: string,
): string {
  if (!target.subscribed) return alreadyPage(site, target);
  return page(
    site,
    'Unsubscribe',
    html`<h1>Unsubscribe from ${nameOf(target)}?</h1>
      <p>You will no longer receive ${nameOf(target)} by email.</p>
      <form method="post" action="${action}">
        <input type="hidden" name="List-Unsubscribe" value="One-Click" />
        <button type="submit" class="button">Unsubscribe</button>
      </form>`,
  );
}

export function unsubscribedPage(site: SiteView, outcome: UnsubscribeOutcome): string {
  if (outcome.result === 'already') return alreadyPage(site, outcome);
  return page(
    site,
    'Unsubscribed',
    html`<h1>You have been unsubscribed</h1>
      <p>You will no longer receive ${nameOf(outcome)} by email.</p>
      <p><a href="${site.publicUrl}/account">Manage your newsletters</a></p>`,
  );
}

function alreadyPage(site: SiteView, target: UnsubscribeTarget): string {
  return page(
    site,
    'Already unsubscribed',
    html`<h1>You are already unsubscribed</h1>
      <p>You do not receive ${nameOf(target)} by email; nothing was changed.</p>
      <p><a href="${site.publicUrl}/account">Manage your newsletters</a></p>`,
  );
}
