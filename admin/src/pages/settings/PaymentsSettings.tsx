import { useCallback, useEffect, useRef, useState } from 'react';
import { get, patch, post } from '../../api.js';
import {
  CopyButton,
  Field,
  sectionWaiting,
  SaveMessages,
  useSave,
  type SectionProps,
} from './form-parts.js';
import {
  formatMoney,
  problemOf,
  type KeySource,
  type PaymentSettings,
  type PledgeSummary,
  type Problem,
  type SiteSettings,
} from './settings-api.js';

/** Stripe keys, opening paid subscriptions, pledges on or off, and the currency. */
export function PaymentsSection({ headingRef }: SectionProps) {
  const [payments, setPayments] = useState<PaymentSettings | undefined>();
  const [loadProblem, setLoadProblem] = useState<Problem | undefined>();

  const load = useCallback(async () => {
    setPayments((await get<{ payments: PaymentSettings }>('/payments/settings')).payments);
  }, []);
  useEffect(() => {
    load().catch((e: unknown) => setLoadProblem(problemOf(e)));
  }, [load]);

  const heading = (
    <h2 ref={headingRef} tabIndex={-1}>
      Payments and pledges
    </h2>
  );
  if (loadProblem || !payments) return sectionWaiting(heading, loadProblem, 'payments and pledges');
  return (
    <>
      {heading}
      <PaidSubscriptions payments={payments} onChange={setPayments} />
      <StripeKeys payments={payments} onChange={setPayments} />
      <Pledges />
      <Currency />
    </>
  );
}

function PaidSubscriptions(props: {
  payments: PaymentSettings;
  onChange: (p: PaymentSettings) => void;
}) {
  const { payments } = props;
  const ref = useRef<HTMLDivElement>(null);
  const save = useSave(ref, []);
  const open = payments.paid_subscriptions_open;

  const toggle = async () => {
    if (!open) {
      const sure = window.confirm(
        'Open paid subscriptions? Readers can subscribe at once, and everyone who pledged is emailed an invitation to pay.',
      );
      if (!sure) return;
    }
    await save.run(async () => {
      const r = await post<{ payments: PaymentSettings }>(`/payments/${open ? 'close' : 'open'}`);
      props.onChange(r.payments);
      return open
        ? 'Paid subscriptions are closed: readers can no longer start one.'
        : 'Paid subscriptions are open. Pledgers are being invited.';
    });
  };

  const state = payments.checkout_available
    ? 'Open: readers can subscribe.'
    : open
      ? 'Open, but Stripe’s keys are missing: readers cannot subscribe until both are set.'
      : 'Closed: readers cannot pay yet.';
  return (
    <section className="pr-set-card" aria-labelledby="pr-paid-title">
      <h3 id="pr-paid-title">Paid subscriptions</h3>
      <div ref={ref}>
        <p>{state}</p>
        {!payments.stripe_configured && !open && (
          <p className="pr-muted">Set both Stripe keys below before opening them.</p>
        )}
        <SaveMessages save={save} />
        <button
          type="button"
          className={open ? 'pr-danger' : 'pr-primary'}
          disabled={save.busy || (!open && !payments.stripe_configured)}
          onClick={() => void toggle()}
        >
          {open ? 'Close paid subscriptions' : 'Open paid subscriptions'}
        </button>
      </div>
    </section>
  );
}

const sourceText = (source: KeySource, hint?: string | null) =>
  source === 'env'
    ? `Set by the environment${hint ? ` (${hint})` : ''}: change it where the server is configured.`
    : source === 'settings'
      ? `Set${hint ? ` (${hint})` : ''}. Type a new one to replace it.`
      : 'Not set.';

function StripeKeys(props: { payments: PaymentSettings; onChange: (p: PaymentSettings) => void }) {
  const { payments } = props;
  const [secret, setSecret] = useState('');
  const [webhook, setWebhook] = useState('');
  const formRef = useRef<HTMLFormElement>(null);
  const save = useSave(formRef, ['stripe_secret_key', 'stripe_webhook_secret']);
  const secretFromEnv = payments.secret_key.source === 'env';
  const webhookFromEnv = payments.webhook_secret.source === 'env';

  const send = (body: Record<string, string | null>, done: string) =>
    save.run(async () => {
      const r = await patch<{ payments: PaymentSettings }>('/payments/settings', body);
      props.onChange(r.payments);
      setSecret('');
      setWebhook('');
      return done;
    });

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const body: Record<string, string> = {};
    if (secret.trim() && !secretFromEnv) body.stripe_secret_key = secret.trim();
    if (webhook.trim() && !webhookFromEnv) body.stripe_webhook_secret = webhook.trim();
    if (Object.keys(body).length === 0) {
      save.setProblem({ message: 'Type a key to save.' });
      return;
    }
    await send(body, 'Stripe keys saved.');
  };

  return (
    <section className="pr-set-card" aria-labelledby="pr-stripe-title">
      <h3 id="pr-stripe-title">Stripe</h3>
      <p className="pr-muted">
        The keys are never shown again once saved, only whether they are set. In Stripe, add a
        webhook endpoint at the address below and paste its signing secret here.
      </p>
      <p className="pr-set-copyline">
        <span>
          Webhook address: <code>{payments.webhook_url}</code>
        </span>
        <CopyButton value={payments.webhook_url} label="Copy the webhook address" />
      </p>
      <form ref={formRef} className="pr-set-form" noValidate onSubmit={(e) => void submit(e)}>
        <Field
          label="Secret key"
          hint={sourceText(payments.secret_key.source, payments.secret_key.hint)}
          error={save.errorFor('stripe_secret_key')}
        >
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="off"
              spellCheck={false}
              placeholder={secretFromEnv ? '' : 'sk_live_… or rk_live_…'}
              readOnly={secretFromEnv}
              value={secret}
              onChange={(e) => setSecret(e.target.value)}
            />
          )}
        </Field>
        <Field
          label="Webhook signing secret"
          hint={sourceText(payments.webhook_secret.source)}
          error={save.errorFor('stripe_webhook_secret')}
        >
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="off"
              spellCheck={false}
              placeholder={webhookFromEnv ? '' : 'whsec_…'}
              readOnly={webhookFromEnv}
              value={webhook}
              onChange={(e) => setWebhook(e.target.value)}
            />
          )}
        </Field>
        <SaveMessages save={save} />
        <div className="pr-actions">
          {!(secretFromEnv && webhookFromEnv) && (
            <button type="submit" className="pr-primary" disabled={save.busy}>
              Save keys
            </button>
          )}
          {payments.secret_key.source === 'settings' && (
            <button
              type="button"
              className="pr-danger"
              disabled={save.busy}
              onClick={() => void send({ stripe_secret_key: null }, 'The secret key is removed.')}
            >
              Remove the secret key
            </button>
          )}
          {payments.webhook_secret.source === 'settings' && (
            <button
              type="button"
              className="pr-danger"
              disabled={save.busy}
              onClick={() =>
                void send({ stripe_webhook_secret: null }, 'The webhook secret is removed.')
              }
            >
              Remove the webhook secret
            </button>
          )}
        </div>
      </form>
    </section>
  );
}

function Pledges() {
  const [enabled, setEnabled] = useState<boolean | undefined>();
  const [summary, setSummary] = useState<PledgeSummary | undefined>();
  const ref = useRef<HTMLDivElement>(null);
  const save = useSave(ref, ['enabled']);

  useEffect(() => {
    get<{ pledges: { enabled: boolean } }>('/pledges/settings')
      .then((r) => setEnabled(r.pledges.enabled))
      .catch((e: unknown) => save.setProblem(problemOf(e)));
    get<{ summary: PledgeSummary }>('/pledges')
      .then((r) => setSummary(r.summary))
      .catch(() => undefined);
    // Once, when the section opens.
  }, []);

  const change = (next: boolean) =>
    save.run(async () => {
      const r = await patch<{ pledges: { enabled: boolean } }>('/pledges/settings', {
        enabled: next,
      });
      setEnabled(r.pledges.enabled);
      return r.pledges.enabled
        ? 'Pledges are on: readers can pledge for plans not yet open.'
        : 'Pledges are off: readers can no longer pledge. Pledges already made are kept.';
    });

  const totals = summary
    ? Object.entries(summary.monthly_total_by_currency)
        .map(([currency, amount]) => formatMoney(amount, currency))
        .join(', ')
    : '';
  return (
    <section className="pr-set-card" aria-labelledby="pr-pledges-title">
      <h3 id="pr-pledges-title">Pledges</h3>
      <div ref={ref}>
        <p className="pr-muted">
          Before paid subscriptions open, readers can promise what they would pay. They are emailed
          an invitation when paid subscriptions open.
        </p>
        {summary && (
          <p>
            {summary.count === 0
              ? 'No active pledges.'
              : `${summary.count} active ${summary.count === 1 ? 'pledge' : 'pledges'}, ${totals} a month.`}
          </p>
        )}
        {enabled !== undefined && (
          <label className="pr-inline">
            <input
              type="checkbox"
              role="switch"
              checked={enabled}
              disabled={save.busy}
              onChange={(e) => void change(e.target.checked)}
            />
            Readers can pledge
          </label>
        )}
        <SaveMessages save={save} />
      </div>
    </section>
  );
}

function Currency() {
  const [currency, setCurrency] = useState<string | undefined>();
  const formRef = useRef<HTMLFormElement>(null);
  const save = useSave(formRef, ['currency']);

  useEffect(() => {
    get<{ settings: SiteSettings }>('/settings')
      .then((r) => setCurrency(r.settings.currency))
      .catch((e: unknown) => save.setProblem(problemOf(e)));
    // Once, when the section opens.
  }, []);

  if (currency === undefined) return <SaveMessages save={save} />;
  return (
    <section className="pr-set-card" aria-labelledby="pr-currency-title">
      <h3 id="pr-currency-title">Currency</h3>
      <form
        ref={formRef}
        className="pr-set-form pr-set-inline-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save.run(async () => {
            const r = await patch<{ settings: SiteSettings }>('/settings', { currency });
            setCurrency(r.settings.currency);
            return `New pledges and plans are in ${r.settings.currency}.`;
          });
        }}
      >
        <Field
          label="Currency of pledges and new plans"
          hint="A three-letter code such as USD or EUR. Pledges already made keep theirs."
          error={save.errorFor('currency')}
        >
          {(p) => (
            <input
              {...p}
              className="pr-set-short"
              value={currency}
              maxLength={3}
              spellCheck={false}
              onChange={(e) => setCurrency(e.target.value.toUpperCase())}
            />
          )}
        </Field>
        <button type="submit" disabled={save.busy}>
          Save currency
        </button>
        <SaveMessages save={save} />
      </form>
    </section>
  );
}
