import { html } from '../../platform/http/index.js';
import type { OutgoingMessage } from '../../platform/mailer/index.js';
import { formatMoney } from './money.js';
import type { ActivePledge } from './payments.types.js';

/** The email telling a pledger that their pledge can now become a subscription. */
export function pledgeInvitationEmail(input: {
  pledge: ActivePledge;
  siteTitle: string;
  tierName: string | null;
  accountUrl: string;
}): OutgoingMessage {
  const { pledge, siteTitle, tierName, accountUrl } = input;
  const per = pledge.interval === 'year' ? 'a year' : 'a month';
  const pledged = `${formatMoney(pledge.amount, pledge.currency)} ${per}`;
  const plan = tierName ? ` (${tierName})` : '';
  const greeting = pledge.name ? `Dear ${pledge.name},` : 'Hello,';
  const subject = `Paid subscriptions are open at ${siteTitle}`;
  const text = [
    greeting,
    '',
    `You pledged ${pledged}${plan} to support ${siteTitle}. Thank you.`,
    'Paid subscriptions are now open: you can turn your pledge into a subscription from your account.',
    '',
    accountUrl,
    '',
    'If you have changed your mind, there is nothing to do: a pledge never charges you.',
  ].join('\n');
  const body = html`<p>${greeting}</p>
    <p>You pledged ${pledged}${plan} to support ${siteTitle}. Thank you.</p>
    <p>
      Paid subscriptions are now open: you can turn your pledge into a subscription from
      <a href="${accountUrl}">your account</a>.
    </p>
    <p>If you have changed your mind, there is nothing to do: a pledge never charges you.</p>`;
  return {
    to: pledge.email,
    subject,
    text,
    html: body.toString(),
    headers: { 'X-Pressroom-Purpose': 'pledge-invitation' },
  };
}
