import { useCallback, useEffect, useRef, useState } from 'react';
import { get, patch, post } from '../../api.js';
import {
  Field,
  sectionWaiting,
  SaveMessages,
  useEditorSlot,
  useSave,
  type SectionProps,
} from './form-parts.js';
import {
  formatMoney,
  problemOf,
  toMajorText,
  toMinor,
  type Problem,
  type SiteSettings,
  type Tier,
} from './settings-api.js';

type Kind = 'fixed' | 'founding';

interface TierForm {
  name: string;
  description: string;
  currency: string;
  kind: Kind;
  monthly: string;
  yearly: string;
  founding: string;
  trial_days: string;
  open: boolean;
}

const blankForm = (currency: string): TierForm => ({
  name: '',
  description: '',
  currency,
  kind: 'fixed',
  monthly: '',
  yearly: '',
  founding: '',
  trial_days: '0',
  open: true,
});

const formOf = (t: Tier): TierForm => ({
  name: t.name,
  description: t.description ?? '',
  currency: t.currency.toUpperCase(),
  kind: t.founding_min_amount !== null ? 'founding' : 'fixed',
  monthly: toMajorText(t.monthly_amount, t.currency),
  yearly: toMajorText(t.yearly_amount, t.currency),
  founding: toMajorText(t.founding_min_amount, t.currency),
  trial_days: String(t.trial_days),
  open: t.open,
});

/** A typed amount the server cannot take is caught here: the server counts in cents. */
class AmountProblem extends Error {
  constructor(readonly field: string) {
    super('must be an amount such as 8 or 8.50');
  }
}

function bodyOf(f: TierForm) {
  const currency = f.currency.trim();
  const amount = (text: string, field: string) => {
    if (text.trim() === '') return null;
    const minor = toMinor(text, currency || 'usd');
    if (minor === undefined) throw new AmountProblem(field);
    return minor;
  };
  const trial = f.trial_days.trim();
  return {
    name: f.name,
    description: f.description.trim() === '' ? null : f.description,
    currency,
    monthly_amount: f.kind === 'fixed' ? amount(f.monthly, 'monthly_amount') : null,
    yearly_amount: f.kind === 'fixed' ? amount(f.yearly, 'yearly_amount') : null,
    founding_min_amount: f.kind === 'founding' ? amount(f.founding, 'founding_min_amount') : null,
    trial_days: /^\d+$/.test(trial) ? Number(trial) : trial,
    open: f.open,
  };
}

function prices(t: Tier): string {
  if (t.founding_min_amount !== null)
    return `From ${formatMoney(t.founding_min_amount, t.currency)} a year, readers choose`;
  return [
    t.monthly_amount !== null ? `${formatMoney(t.monthly_amount, t.currency)} a month` : '',
    t.yearly_amount !== null ? `${formatMoney(t.yearly_amount, t.currency)} a year` : '',
  ]
    .filter(Boolean)
    .join(' or ');
}

/** Paid plans (tiers) with their monthly and yearly prices; archive rather than delete. */
export function PlansSection({ headingRef }: SectionProps) {
  const [tiers, setTiers] = useState<Tier[] | undefined>();
  const [currency, setCurrency] = useState('USD');
  const [loadProblem, setLoadProblem] = useState<Problem | undefined>();
  /** The tier being edited, 'new' for the new-plan form, or nothing. */
  const { editing, open: setEditing, close: closeEditor, returnTo } = useEditorSlot();
  const [listMessage, setListMessage] = useState<{ ok: boolean; text: string } | undefined>();

  const load = useCallback(async () => {
    setTiers((await get<{ tiers: Tier[] }>('/tiers')).tiers);
  }, []);

  useEffect(() => {
    load().catch((e: unknown) => setLoadProblem(problemOf(e)));
    get<{ settings: SiteSettings }>('/settings')
      .then(({ settings }) => setCurrency(settings.currency))
      .catch(() => undefined);
  }, [load]);

  const heading = (
    <h2 ref={headingRef} tabIndex={-1}>
      Plans and prices
    </h2>
  );
  if (loadProblem || !tiers) return sectionWaiting(heading, loadProblem, 'plans and prices');

  const toggleArchive = async (tier: Tier) => {
    setListMessage(undefined);
    try {
      await post(`/tiers/${tier.id}/${tier.active ? 'archive' : 'unarchive'}`);
      setListMessage({
        ok: true,
        text: tier.active
          ? `${tier.name} is archived: it leaves the plans readers see; its subscribers keep paying.`
          : `${tier.name} is back on offer.`,
      });
      await load();
    } catch (e) {
      setListMessage({ ok: false, text: problemOf(e).message });
    }
  };

  return (
    <>
      {heading}
      <p className="pr-muted">
        What readers can pay for. Prices are sent to Stripe once its keys are set; a plan that is
        not open for payment takes pledges only.
      </p>
      <div aria-live="polite">
        {listMessage && (
          <p
            role={listMessage.ok ? 'status' : 'alert'}
            className={listMessage.ok ? 'pr-set-done' : 'pr-error'}
          >
            {listMessage.text}
          </p>
        )}
      </div>
      {tiers.length === 0 ? (
        <p>No plans yet: readers can only join free.</p>
      ) : (
        <table className="pr-table pr-table-cards pr-set-table">
          <caption className="pr-visually-hidden">Plans</caption>
          <thead>
            <tr>
              <th scope="col">Plan</th>
              <th scope="col">Prices</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="pr-visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tiers.map((t) => (
              <tr key={t.id} className={t.active ? undefined : 'pr-set-archived'}>
                <td>
                  <strong>{t.name}</strong>
                  {t.trial_days > 0 && (
                    <span className="pr-set-sub">{t.trial_days} days free for new subscribers</span>
                  )}
                </td>
                <td>{prices(t)}</td>
                <td>
                  <span className="pr-status">
                    {!t.active ? 'Archived' : t.open ? 'Open' : 'Pledges only'}
                  </span>
                  <span className="pr-set-sub">
                    {t.stripe_product_id ? 'In Stripe' : 'Not in Stripe yet'}
                  </span>
                </td>
                <td className="pr-set-row-actions">
                  <button
                    type="button"
                    aria-label={`Edit ${t.name}`}
                    aria-expanded={editing === t.id}
                    onClick={() => setEditing(editing === t.id ? undefined : t.id)}
                  >
                    Edit
                  </button>
                  <button
                    type="button"
                    aria-label={`${t.active ? 'Archive' : 'Unarchive'} ${t.name}`}
                    onClick={() => void toggleArchive(t)}
                  >
                    {t.active ? 'Archive' : 'Unarchive'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing && editing !== 'new' && (
        <TierEditor
          key={editing}
          tier={tiers.find((t) => t.id === editing)}
          currency={currency}
          onDone={async (message) => {
            closeEditor();
            setListMessage({ ok: true, text: message });
            await load();
          }}
          onCancel={closeEditor}
        />
      )}
      {editing === 'new' ? (
        <TierEditor
          key="new"
          currency={currency}
          onDone={async (message) => {
            closeEditor();
            setListMessage({ ok: true, text: message });
            await load();
          }}
          onCancel={closeEditor}
        />
      ) : (
        <p>
          <button type="button" ref={returnTo} onClick={() => setEditing('new')}>
            New plan
          </button>
        </p>
      )}
    </>
  );
}

function TierEditor(props: {
  tier?: Tier | undefined;
  currency: string;
  onDone: (message: string) => Promise<void>;
  onCancel: () => void;
}) {
  const { tier } = props;
  const [form, setForm] = useState<TierForm>(() =>
    tier ? formOf(tier) : blankForm(props.currency),
  );
  const formRef = useRef<HTMLFormElement>(null);
  const save = useSave(formRef, [
    'name',
    'description',
    'currency',
    'monthly_amount',
    'yearly_amount',
    'founding_min_amount',
    'trial_days',
    'open',
  ]);
  const title = tier ? `Edit ${tier.name}` : 'New plan';
  const titleRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => titleRef.current?.focus(), []);

  const set = <K extends keyof TierForm>(key: K, value: TierForm[K]) =>
    setForm((f) => ({ ...f, [key]: value }));
  const cur = form.currency.trim().toUpperCase() || 'USD';

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    let body: ReturnType<typeof bodyOf>;
    try {
      body = bodyOf(form);
    } catch (err) {
      if (err instanceof AmountProblem)
        save.setProblem({ field: err.field, message: err.message, status: 400 });
      return;
    }
    let message = '';
    const ok = await save.run(async () => {
      if (tier) {
        await patch(`/tiers/${tier.id}`, body);
        message = `${body.name} is saved.`;
      } else {
        await post('/tiers', body);
        message = `${body.name} is created.`;
      }
    });
    if (ok) await props.onDone(message);
  };

  return (
    <form
      ref={formRef}
      className="pr-set-form pr-set-card"
      noValidate
      aria-labelledby="pr-tier-title"
      onSubmit={(e) => void submit(e)}
    >
      <h3 id="pr-tier-title" ref={titleRef} tabIndex={-1}>
        {title}
      </h3>
      <Field label="Name" error={save.errorFor('name')}>
        {(p) => (
          <input
            {...p}
            value={form.name}
            maxLength={120}
            onChange={(e) => set('name', e.target.value)}
          />
        )}
      </Field>
      <Field label="Description" error={save.errorFor('description')}>
        {(p) => (
          <textarea
            {...p}
            rows={2}
            value={form.description}
            onChange={(e) => set('description', e.target.value)}
          />
        )}
      </Field>
      <Field
        label="Currency"
        hint="A three-letter code such as USD or EUR."
        error={save.errorFor('currency')}
      >
        {(p) => (
          <input
            {...p}
            className="pr-set-short"
            value={form.currency}
            maxLength={3}
            spellCheck={false}
            onChange={(e) => set('currency', e.target.value.toUpperCase())}
          />
        )}
      </Field>
      <fieldset>
        <legend>Prices</legend>
        <label className="pr-inline">
          <input
            type="radio"
            name="pr-tier-kind"
            checked={form.kind === 'fixed'}
            onChange={() => set('kind', 'fixed')}
          />
          A monthly and a yearly price
        </label>
        <label className="pr-inline">
          <input
            type="radio"
            name="pr-tier-kind"
            checked={form.kind === 'founding'}
            onChange={() => set('kind', 'founding')}
          />
          Readers choose a yearly amount (founding members)
        </label>
        {form.kind === 'fixed' ? (
          <div className="pr-set-pair">
            <Field label={`Monthly price (${cur})`} error={save.errorFor('monthly_amount')}>
              {(p) => (
                <input
                  {...p}
                  inputMode="decimal"
                  value={form.monthly}
                  onChange={(e) => set('monthly', e.target.value)}
                />
              )}
            </Field>
            <Field label={`Yearly price (${cur})`} error={save.errorFor('yearly_amount')}>
              {(p) => (
                <input
                  {...p}
                  inputMode="decimal"
                  value={form.yearly}
                  onChange={(e) => set('yearly', e.target.value)}
                />
              )}
            </Field>
          </div>
        ) : (
          <Field
            label={`Least yearly amount (${cur})`}
            error={save.errorFor('founding_min_amount')}
          >
            {(p) => (
              <input
                {...p}
                inputMode="decimal"
                value={form.founding}
                onChange={(e) => set('founding', e.target.value)}
              />
            )}
          </Field>
        )}
      </fieldset>
      <Field label="Free trial (days)" error={save.errorFor('trial_days')}>
        {(p) => (
          <input
            {...p}
            className="pr-set-short"
            type="number"
            min={0}
            max={730}
            inputMode="numeric"
            value={form.trial_days}
            onChange={(e) => set('trial_days', e.target.value)}
          />
        )}
      </Field>
      <label className="pr-inline">
        <input
          type="checkbox"
          checked={form.open}
          onChange={(e) => set('open', e.target.checked)}
        />
        Open for payment once paid subscriptions are open (otherwise pledges only)
      </label>
      <SaveMessages save={save} />
      <div className="pr-actions">
        <button type="submit" className="pr-primary" disabled={save.busy}>
          {save.busy ? 'Saving…' : tier ? 'Save plan' : 'Create plan'}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
