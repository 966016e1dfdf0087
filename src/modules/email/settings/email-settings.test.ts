import { createPublicKey } from 'node:crypto';
import { createServer } from 'node:net';
import { authenticate } from 'mailauth';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  ownerClient,
  staffClient,
  type TestApp,
  type TestClient,
} from '../../../../test/support/app.js';
import { engines } from '../../../../test/support/database.js';
import { insertMember } from '../../../../test/support/fixtures.js';
import { startSmtpSink } from '../../../../test/support/smtp-sink.js';
import type { EmailSettingsView } from './index.js';

type Sink = Awaited<ReturnType<typeof startSmtpSink>>;

const smtpFor = (sink: Sink, extra: Record<string, unknown> = {}) => {
  const url = new URL(sink.url);
  return {
    kind: 'smtp',
    smtp: {
      host: url.hostname,
      port: Number(url.port),
      security: 'none',
      user: '',
      connections: 2,
      ...extra,
    },
  };
};

/** A port nothing listens on: taken, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The newsletter transport and DKIM key set from the admin: stored in the database, used by
 * every send from the next chunk on, tested with a real SMTP conversation, and shown with the
 * DNS records to publish. The environment's settings win and are read-only here.
 */
describe.each(engines)('email settings on %s', (dialect) => {
  let t: TestApp;
  let owner: TestClient;
  const sinks: Sink[] = [];
  const sink = async (options: Parameters<typeof startSmtpSink>[0] = {}) => {
    const s = await startSmtpSink(options);
    sinks.push(s);
    return s;
  };
  const view = async (res: Response | Promise<Response>) => {
    const r = await res;
    expect(r.status).toBe(200);
    return (await r.json()) as EmailSettingsView;
  };

  beforeAll(async () => {
    t = await createTestApp(dialect, {
      env: {
        PRESSROOM_URL: 'https://news.example.com',
        PRESSROOM_MAIL_FROM: 'The Ledger <letters@ledger.example>',
      },
    });
    owner = await ownerClient(t);
  });
  afterAll(async () => {
    await t.close();
    await Promise.all(sinks.map((s) => s.close()));
  });
  afterEach(async () => {
    await owner.put('/api/admin/email/transport', { kind: null });
    await owner.delete('/api/admin/email/dkim');
  });

  it('starts with no transport; saving SMTP settings keeps the password out of every answer', async () => {
    const before = await view(owner.get('/api/admin/email/transport'));
    expect(before.transport).toMatchObject({ kind: null, source: null });
    expect(before.dkim).toMatchObject({ key_set: false, source: null });
    expect(before.dns).toEqual([
      expect.objectContaining({ type: 'TXT', name: '_dmarc.ledger.example' }),
    ]);

    const relay = await sink({ user: 'ledger', pass: 's3cret-pass' });
    const saved = await view(
      owner.put(
        '/api/admin/email/transport',
        smtpFor(relay, { user: 'ledger', password: 's3cret-pass' }),
      ),
    );
    expect(saved.transport).toMatchObject({
      kind: 'smtp',
      source: 'settings',
      smtp: { user: 'ledger', password_set: true, connections: 2, security: 'none' },
    });
    const again = await owner.get('/api/admin/email/transport');
    expect(await again.text()).not.toContain('s3cret-pass');

    // Saving again without a password keeps the stored one: the test still authenticates.
    await view(owner.put('/api/admin/email/transport', smtpFor(relay, { user: 'ledger' })));
    const test = await owner.post('/api/admin/email/transport/test', { to: 'olga@example.com' });
    expect(await test.json()).toEqual({ ok: true });
    const [mail] = await relay.waitFor(1);
    expect(mail!.envelope.to).toEqual(['olga@example.com']);
    expect(mail!.parsed.subject).toBe('Pressroom test email');
    expect(mail!.parsed.from?.text).toContain('letters@ledger.example');
  });

  it('reports what the server said when a test fails, as an answer rather than an error', async () => {
    const relay = await sink({ user: 'ledger', pass: 'right' });
    await view(
      owner.put(
        '/api/admin/email/transport',
        smtpFor(relay, { user: 'ledger', password: 'wrong' }),
      ),
    );
    const wrong = await owner.post('/api/admin/email/transport/test', { to: 'a@example.com' });
    expect(wrong.status).toBe(200);
    const answer = (await wrong.json()) as { ok: boolean; error: string };
    expect(answer.ok).toBe(false);
    expect(answer.error).toMatch(/auth|credentials|535/i);

    await view(
      owner.put('/api/admin/email/transport', {
        kind: 'smtp',
        smtp: { host: '127.0.0.1', port: await closedPort(), security: 'none', connections: 1 },
      }),
    );
    const down = await owner.json<{ ok: boolean; error: string }>(
      owner.post('/api/admin/email/transport/test', { to: 'a@example.com' }),
    );
    expect(down.ok).toBe(false);
    expect(down.error).toMatch(/ECONNREFUSED|connect|unreachable/i);
    expect(relay.received).toHaveLength(0);
  });

  it('sends newsletters through the stored transport, and through a new one once it changes', async () => {
    const first = await sink();
    const second = await sink();
    const { newsletters } = t.pressroom.services;
    await newsletters.ensureDefault();
    const { id: newsletterId } = await t.pressroom.db
      .selectFrom('newsletters')
      .select('id')
      .executeTakeFirstOrThrow();
    await insertMember(t.pressroom.db, {
      id: `m-reader-${dialect}`,
      email: 'reader@example.com',
      name: 'Reader',
      newsletters: [newsletterId],
    });
    const publish = async (title: string) => {
      const res = await owner.post('/api/admin/posts', {
        title,
        markdown: 'Remarks and answers.',
        status: 'published',
        email_newsletter_id: newsletterId,
      });
      expect(res.status).toBe(201);
      for (let i = 0; i < 4; i++) await t.pressroom.worker().drain();
    };

    // No transport: publishing with an email is refused, saying where to set one up.
    const refused = await owner.post('/api/admin/posts', {
      title: 'Nowhere to go',
      status: 'published',
      email_newsletter_id: newsletterId,
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toContain('Settings → Email');

    await view(owner.put('/api/admin/email/transport', smtpFor(first)));
    await publish('Through the first relay');
    await first.waitFor(1);
    await view(owner.put('/api/admin/email/transport', smtpFor(second)));
    await publish('Through the second relay');
    await second.waitFor(1);
    expect(first.received.map((m) => m.parsed.subject)).toEqual(['Through the first relay']);
    expect(second.received.map((m) => m.parsed.subject)).toEqual(['Through the second relay']);
  });

  it('makes a DKIM key whose published record verifies the mail it signs', async () => {
    const relay = await sink();
    await view(owner.put('/api/admin/email/transport', smtpFor(relay)));
    const made = await view(
      owner.post('/api/admin/email/dkim', { domain: 'Ledger.Example', selector: 'pr2026' }),
    );
    expect(made.dkim).toEqual({
      domain: 'ledger.example',
      selector: 'pr2026',
      key_set: true,
      source: 'settings',
    });
    const record = made.dns.find((r) => r.name === 'pr2026._domainkey.ledger.example');
    expect(record?.type).toBe('TXT');
    expect(record?.value).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]+$/);
    // The record's key is a real 2048-bit RSA public key.
    const der = Buffer.from(record!.value.split('p=')[1]!, 'base64');
    const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(JSON.stringify(made)).not.toContain('PRIVATE KEY');
    // SPF for the bounce domain the envelope sender uses, naming the relay.
    expect(made.dns).toContainEqual(
      expect.objectContaining({
        type: 'TXT',
        name: 'news.example.com',
        value: 'v=spf1 a:127.0.0.1 ~all',
      }),
    );

    await owner.post('/api/admin/email/transport/test', { to: 'olga@example.com' });
    const [mail] = await relay.waitFor(1);
    const result = await authenticate(mail!.raw, {
      trustReceived: false,
      disableArc: true,
      disableBimi: true,
      disableDmarc: true,
      resolver: async (name: string, type: string) => {
        if (type === 'TXT' && name === record!.name) return [[record!.value]];
        throw Object.assign(new Error(`no ${type} ${name}`), { code: 'ENOTFOUND' });
      },
    });
    expect(result.dkim.results[0]?.status.result).toBe('pass');

    const removed = await view(owner.delete('/api/admin/email/dkim'));
    expect(removed.dkim.key_set).toBe(false);
    expect(removed.dns.some((r) => r.name.includes('_domainkey'))).toBe(false);
  });

  it('takes a key staff bring, and refuses one that is not a private key', async () => {
    const bad = await owner.put('/api/admin/email/dkim', {
      domain: 'ledger.example',
      selector: 'own',
      private_key: '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { field: 'private_key' } });

    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const ok = await view(
      owner.put('/api/admin/email/dkim', {
        domain: 'ledger.example',
        selector: 'own',
        // As pasted into a one-line field: literal \n.
        private_key: pem.replace(/\n/g, '\\n'),
      }),
    );
    expect(ok.dns.find((r) => r.name === 'own._domainkey.ledger.example')?.value).toMatch(
      /^v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=$/,
    );
  });

  it.each([
    [{ kind: 'sendgrid' }, 'kind'],
    [{ kind: 'smtp', smtp: { host: 'smtp.example.com', port: 'x', security: 'tls' } }, 'smtp.port'],
    [
      { kind: 'smtp', smtp: { host: 'smtp.example.com', port: 587, security: 'ssl' } },
      'smtp.security',
    ],
    [{ kind: 'smtp', smtp: { host: 'bad host!', port: 587, security: 'tls' } }, 'smtp.host'],
    [
      { kind: 'smtp', smtp: { host: 'a.example', port: 587, security: 'tls', pool: 3 } },
      'smtp.pool',
    ],
    [{ kind: 'postmark', postmark: {} }, 'postmark.server_token'],
  ])('names the field of a bad transport: %j', async (body, field) => {
    const res = await owner.put('/api/admin/email/transport', body);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { field } });
  });

  it('names the field of a bad DKIM domain or selector, and of a bad test address', async () => {
    const domain = await owner.post('/api/admin/email/dkim', { domain: 'nodot', selector: 's' });
    expect(await domain.json()).toMatchObject({ error: { field: 'domain' } });
    const selector = await owner.post('/api/admin/email/dkim', {
      domain: 'a.example',
      selector: 'no spaces',
    });
    expect(await selector.json()).toMatchObject({ error: { field: 'selector' } });
    const to = await owner.post('/api/admin/email/transport/test', { to: 'not-an-address' });
    expect(to.status).toBe(400);
    expect(await to.json()).toMatchObject({ error: { field: 'to' } });
  });

  it('is for admins only', async () => {
    const { client: editor } = await staffClient(
      t,
      owner,
      'editor',
      `editor-${dialect}@example.com`,
    );
    expect((await editor.get('/api/admin/email/transport')).status).toBe(403);
    expect((await editor.put('/api/admin/email/transport', { kind: null })).status).toBe(403);
    expect((await t.client().get('/api/admin/email/transport')).status).toBe(401);
  });
});

describe('email settings set by the environment', () => {
  let t: TestApp;
  let owner: TestClient;
  beforeAll(async () => {
    t = await createTestApp('sqlite', {
      env: { SMTP_URL: 'smtp://relay-user:relay-pass@smtp.ledger.example:2525' },
    });
    owner = await ownerClient(t);
  });
  afterAll(() => t.close());

  it('are shown read-only, without the password, and cannot be changed here', async () => {
    const res = await owner.get('/api/admin/email/transport');
    const body = await res.text();
    expect(body).not.toContain('relay-pass');
    expect((JSON.parse(body) as EmailSettingsView).transport).toMatchObject({
      kind: 'smtp',
      source: 'env',
      smtp: { host: 'smtp.ledger.example', port: 2525, user: 'relay-user', password_set: true },
    });
    const change = await owner.put('/api/admin/email/transport', { kind: null });
    expect(change.status).toBe(409);
    expect(JSON.stringify(await change.json())).toContain('PRESSROOM_NEWSLETTER_TRANSPORT');
  });
});
