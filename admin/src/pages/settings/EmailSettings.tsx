import { useEffect, useRef, useState } from 'react';
import { del, get, post } from '../../api.js';
import { useSession } from '../../session.js';
import {
  CopyButton,
  Field,
  sectionWaiting,
  SaveMessages,
  useSave,
  type SectionProps,
} from './form-parts.js';
import {
  problemOf,
  put,
  type EmailSettings,
  type Problem,
  type SmtpSecurity,
} from './settings-api.js';

const SECURITY_LABELS: Record<SmtpSecurity, string> = {
  tls: 'TLS (port 465)',
  starttls: 'STARTTLS (port 587)',
  none: 'None (a local relay only)',
};

const KIND_LABELS = { smtp: 'an SMTP server', postmark: 'Postmark' } as const;

/** How newsletters leave (SMTP or an email API), a test message, and DKIM with its DNS records. */
export function EmailSettingsSection({ headingRef }: SectionProps) {
  const [email, setEmail] = useState<EmailSettings | undefined>();
  const [loadProblem, setLoadProblem] = useState<Problem | undefined>();

  useEffect(() => {
    get<EmailSettings>('/email/transport')
      .then(setEmail)
      .catch((e: unknown) => setLoadProblem(problemOf(e)));
  }, []);

  const heading = (
    <h2 ref={headingRef} tabIndex={-1}>
      Email
    </h2>
  );
  if (loadProblem || !email) return sectionWaiting(heading, loadProblem, 'the email settings');
  return (
    <>
      {heading}
      <Transport email={email} onChange={setEmail} />
      <TestMessage email={email} />
      <Dkim email={email} onChange={setEmail} />
      <DnsRecords email={email} />
    </>
  );
}

interface TransportForm {
  kind: 'smtp' | 'postmark' | '';
  host: string;
  port: string;
  security: SmtpSecurity;
  user: string;
  password: string;
  connections: string;
  token: string;
}

function transportFormOf(t: EmailSettings['transport']): TransportForm {
  return {
    kind: t.kind ?? '',
    host: t.smtp?.host ?? '',
    port: String(t.smtp?.port ?? 587),
    security: t.smtp?.security ?? 'starttls',
    user: t.smtp?.user ?? '',
    password: '',
    connections: String(t.smtp?.connections ?? 5),
    token: '',
  };
}

const numberOrText = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text) : text.trim());

function Transport(props: { email: EmailSettings; onChange: (e: EmailSettings) => void }) {
  const { transport } = props.email;
  const fromEnv = transport.source === 'env';
  const [form, setForm] = useState<TransportForm>(() => transportFormOf(transport));
  const formRef = useRef<HTMLFormElement>(null);
  const save = useSave(formRef, [
    'kind',
    'smtp.host',
    'smtp.port',
    'smtp.security',
    'smtp.user',
    'smtp.password',
    'smtp.connections',
    'postmark.server_token',
  ]);
  const set = <K extends keyof TransportForm>(key: K, value: TransportForm[K]) =>
    setForm((f) => ({ ...f, [key]: value }));

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const body =
      form.kind === 'smtp'
        ? {
            kind: 'smtp',
            smtp: {
              host: form.host.trim(),
              port: numberOrText(form.port),
              security: form.security,
              user: form.user.trim(),
              // Left blank, the stored password is kept.
              ...(form.password ? { password: form.password } : {}),
              connections: numberOrText(form.connections),
            },
          }
        : form.kind === 'postmark'
          ? { kind: 'postmark', postmark: form.token ? { server_token: form.token.trim() } : {} }
          : { kind: null };
    await save.run(async () => {
      const next = await put<EmailSettings>('/email/transport', body);
      props.onChange(next);
      setForm(transportFormOf(next.transport));
      return next.transport.kind
        ? `Saved: newsletters go out through ${KIND_LABELS[next.transport.kind]}.`
        : 'Saved: no transport, so newsletters cannot be sent.';
    });
  };

  const summary = transport.kind
    ? `Newsletters go out through ${KIND_LABELS[transport.kind]}${
        transport.kind === 'smtp' && transport.smtp
          ? ` (${transport.smtp.host}:${transport.smtp.port})`
          : ''
      }, from ${transport.from}.`
    : 'No way to send newsletters is set up yet.';

  return (
    <section className="pr-set-card" aria-labelledby="pr-transport-title">
      <h3 id="pr-transport-title">Sending</h3>
      <p>{summary}</p>
      {fromEnv ? (
        <p role="note" className="pr-set-forbidden">
          Set by the environment: change it where the server is configured.
        </p>
      ) : (
        <form ref={formRef} className="pr-set-form" noValidate onSubmit={(e) => void submit(e)}>
          <fieldset>
            <legend>Send newsletters through</legend>
            {(
              [
                ['smtp', 'An SMTP server'],
                ['postmark', 'Postmark (an email API)'],
                ['', 'Nothing for now'],
              ] as const
            ).map(([kind, label]) => (
              <label className="pr-inline" key={kind || 'none'}>
                <input
                  type="radio"
                  name="pr-transport-kind"
                  checked={form.kind === kind}
                  onChange={() => set('kind', kind)}
                />
                {label}
              </label>
            ))}
            {save.errorFor('kind') && <p className="pr-field-error">{save.errorFor('kind')}</p>}
          </fieldset>
          {form.kind === 'smtp' && (
            <div className="pr-set-grid">
              <Field label="Server" error={save.errorFor('smtp.host')}>
                {(p) => (
                  <input
                    {...p}
                    value={form.host}
                    spellCheck={false}
                    autoComplete="off"
                    placeholder="smtp.example.com"
                    onChange={(e) => set('host', e.target.value)}
                  />
                )}
              </Field>
              <Field label="Port" error={save.errorFor('smtp.port')}>
                {(p) => (
                  <input
                    {...p}
                    className="pr-set-short"
                    type="number"
                    inputMode="numeric"
                    value={form.port}
                    onChange={(e) => set('port', e.target.value)}
                  />
                )}
              </Field>
              <Field label="Encryption" error={save.errorFor('smtp.security')}>
                {(p) => (
                  <select
                    {...p}
                    value={form.security}
                    onChange={(e) => set('security', e.target.value as SmtpSecurity)}
                  >
                    {(Object.keys(SECURITY_LABELS) as SmtpSecurity[]).map((s) => (
                      <option key={s} value={s}>
                        {SECURITY_LABELS[s]}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field
                label="User name"
                hint="Blank if the server needs none."
                error={save.errorFor('smtp.user')}
              >
                {(p) => (
                  <input
                    {...p}
                    value={form.user}
                    spellCheck={false}
                    autoComplete="off"
                    onChange={(e) => set('user', e.target.value)}
                  />
                )}
              </Field>
              <Field
                label="Password"
                hint={
                  transport.smtp?.password_set
                    ? 'A password is stored. Leave blank to keep it.'
                    : 'Not set.'
                }
                error={save.errorFor('smtp.password')}
              >
                {(p) => (
                  <input
                    {...p}
                    type="password"
                    autoComplete="new-password"
                    value={form.password}
                    onChange={(e) => set('password', e.target.value)}
                  />
                )}
              </Field>
              <Field
                label="Connections at once"
                hint="How many messages go out side by side."
                error={save.errorFor('smtp.connections')}
              >
                {(p) => (
                  <input
                    {...p}
                    className="pr-set-short"
                    type="number"
                    min={1}
                    max={50}
                    inputMode="numeric"
                    value={form.connections}
                    onChange={(e) => set('connections', e.target.value)}
                  />
                )}
              </Field>
            </div>
          )}
          {form.kind === 'postmark' && (
            <Field
              label="Server API token"
              hint={
                transport.postmark?.token_set
                  ? 'A token is stored. Leave blank to keep it.'
                  : 'From the server’s API Tokens page in Postmark.'
              }
              error={save.errorFor('postmark.server_token')}
            >
              {(p) => (
                <input
                  {...p}
                  type="password"
                  autoComplete="off"
                  spellCheck={false}
                  value={form.token}
                  onChange={(e) => set('token', e.target.value)}
                />
              )}
            </Field>
          )}
          <SaveMessages save={save} />
          <div className="pr-actions">
            <button type="submit" className="pr-primary" disabled={save.busy}>
              {save.busy ? 'Saving…' : 'Save sending settings'}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function TestMessage({ email }: { email: EmailSettings }) {
  const { staff } = useSession();
  const [to, setTo] = useState(staff?.email ?? '');
  const [result, setResult] = useState<{ ok: boolean; text: string } | undefined>();
  const formRef = useRef<HTMLFormElement>(null);
  const save = useSave(formRef, ['to']);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setResult(undefined);
    await save.run(async () => {
      const r = await post<{ ok: boolean; error?: string }>('/email/transport/test', { to });
      setResult(
        r.ok
          ? { ok: true, text: `A test message went to ${to}. Look for it in that inbox.` }
          : {
              ok: false,
              text: `The test message was not sent. The server said: ${r.error ?? 'nothing'}`,
            },
      );
    });
  };

  return (
    <section className="pr-set-card" aria-labelledby="pr-test-title">
      <h3 id="pr-test-title">Send a test</h3>
      {email.transport.kind === null ? (
        <p className="pr-muted">Set up sending first.</p>
      ) : (
        <form
          ref={formRef}
          className="pr-set-form pr-set-inline-form"
          noValidate
          onSubmit={(e) => void submit(e)}
        >
          <Field label="Send a test message to" error={save.errorFor('to')}>
            {(p) => (
              <input
                {...p}
                type="email"
                autoComplete="email"
                value={to}
                onChange={(e) => setTo(e.target.value)}
              />
            )}
          </Field>
          <button type="submit" disabled={save.busy}>
            {save.busy ? 'Sending…' : 'Send test'}
          </button>
        </form>
      )}
      <div aria-live="polite">
        {result && (
          <p
            role={result.ok ? 'status' : 'alert'}
            className={result.ok ? 'pr-set-done' : 'pr-error'}
          >
            {result.text}
          </p>
        )}
      </div>
      <SaveMessages save={save} />
    </section>
  );
}

function Dkim(props: { email: EmailSettings; onChange: (e: EmailSettings) => void }) {
  const { dkim } = props.email;
  const fromEnv = dkim.source === 'env';
  const [domain, setDomain] = useState(dkim.domain || '');
  const [selector, setSelector] = useState(dkim.selector || 'pressroom');
  const [ownKey, setOwnKey] = useState('');
  const formRef = useRef<HTMLFormElement>(null);
  const save = useSave(formRef, ['domain', 'selector', 'private_key']);

  const act = (request: () => Promise<EmailSettings>, done: string) =>
    save.run(async () => {
      const next = await request();
      props.onChange(next);
      setOwnKey('');
      setDomain(next.dkim.domain || '');
      setSelector(next.dkim.selector || 'pressroom');
      return done;
    });

  return (
    <section className="pr-set-card" aria-labelledby="pr-dkim-title">
      <h3 id="pr-dkim-title">DKIM signature</h3>
      <p className="pr-muted">
        Signing newsletters with your domain’s key tells inboxes they really come from you. After
        making a key, publish the DNS record below.
      </p>
      <p>
        {dkim.key_set
          ? `Signing as ${dkim.domain} with the selector ${dkim.selector}.`
          : 'No DKIM key: newsletters are not signed.'}
      </p>
      {fromEnv ? (
        <p role="note" className="pr-set-forbidden">
          Set by the environment: change it where the server is configured.
        </p>
      ) : (
        <form
          ref={formRef}
          className="pr-set-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void act(
              () => post<EmailSettings>('/email/dkim', { domain, selector }),
              'A new key is made. Publish its DNS record below.',
            );
          }}
        >
          <div className="pr-set-pair">
            <Field
              label="Domain"
              hint="The domain of the From address."
              error={save.errorFor('domain')}
            >
              {(p) => (
                <input
                  {...p}
                  value={domain}
                  spellCheck={false}
                  placeholder="example.com"
                  onChange={(e) => setDomain(e.target.value)}
                />
              )}
            </Field>
            <Field
              label="Selector"
              hint="Any short name, such as pressroom."
              error={save.errorFor('selector')}
            >
              {(p) => (
                <input
                  {...p}
                  value={selector}
                  spellCheck={false}
                  onChange={(e) => setSelector(e.target.value)}
                />
              )}
            </Field>
          </div>
          <div className="pr-actions">
            <button type="submit" className="pr-primary" disabled={save.busy}>
              {dkim.key_set ? 'Make a new key' : 'Make a key'}
            </button>
            {dkim.key_set && (
              <button
                type="button"
                className="pr-danger"
                disabled={save.busy}
                onClick={() => {
                  if (
                    !window.confirm(
                      'Remove the DKIM key? Newsletters go out unsigned until a new one is set.',
                    )
                  )
                    return;
                  void act(() => del<EmailSettings>('/email/dkim'), 'The DKIM key is removed.');
                }}
              >
                Remove the key
              </button>
            )}
          </div>
          <details className="pr-set-details">
            <summary>Use a key I already have</summary>
            <Field
              label="Private key (PEM)"
              hint="-----BEGIN PRIVATE KEY----- … It is stored, never shown again."
              error={save.errorFor('private_key')}
            >
              {(p) => (
                <textarea
                  {...p}
                  rows={5}
                  spellCheck={false}
                  className="pr-set-mono"
                  value={ownKey}
                  onChange={(e) => setOwnKey(e.target.value)}
                />
              )}
            </Field>
            <button
              type="button"
              disabled={save.busy}
              onClick={() =>
                void act(
                  () =>
                    put<EmailSettings>('/email/dkim', { domain, selector, private_key: ownKey }),
                  'Your key is stored. Check that its DNS record below is published.',
                )
              }
            >
              Save this key
            </button>
          </details>
          <SaveMessages save={save} />
        </form>
      )}
    </section>
  );
}

function DnsRecords({ email }: { email: EmailSettings }) {
  return (
    <section className="pr-set-card" aria-labelledby="pr-dns-title">
      <h3 id="pr-dns-title">DNS records to publish</h3>
      {email.dns.length === 0 ? (
        <p className="pr-muted">None for now: make a DKIM key first.</p>
      ) : (
        <>
          <p className="pr-muted">
            Add these at your domain’s DNS host. Changes can take a few hours to be seen.
          </p>
          <table className="pr-table pr-table-cards pr-set-table pr-set-dns">
            <caption className="pr-visually-hidden">DNS records</caption>
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Name</th>
                <th scope="col">Value</th>
                <th scope="col">What for</th>
              </tr>
            </thead>
            <tbody>
              {email.dns.map((r) => (
                <tr key={`${r.type} ${r.name} ${r.value}`}>
                  <td data-label="Type">{r.type}</td>
                  <td data-label="Name">
                    <code>{r.name}</code>
                    <CopyButton
                      value={r.name}
                      label={`Copy the name of the ${r.type} record ${r.name}`}
                    />
                  </td>
                  <td data-label="Value">
                    <code className="pr-set-value">{r.value}</code>
                    <CopyButton
                      value={r.value}
                      label={`Copy the value of the ${r.type} record ${r.name}`}
                    />
                  </td>
                  <td data-label="What for">{r.purpose}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
