import { createPrivateKey, createPublicKey, generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import type { Clock } from '../../../platform/clock.js';
import type { DkimConfig, NewsletterTransportConfig } from '../../../platform/config.js';
import type { Db } from '../../../platform/db/index.js';
import { badRequest, conflict } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import { testEnvelope } from '../delivery/index.js';
import {
  createPostmarkTransport,
  createSmtpTransport,
  TransportError,
  type DkimSigning,
  type EmailTransport,
  type SmtpConnection,
  type TransportSource,
} from '../transport/index.js';
import * as repo from './email-settings.repository.js';
import type {
  SmtpSecurity,
  StoredDkim,
  StoredTransport,
  TransportPut,
} from './email-settings.schema.js';

const TRANSPORT = 'transport';
const DKIM = 'dkim';

export type SettingSource = 'env' | 'settings' | null;

export interface DnsRecord {
  type: 'TXT' | 'MX';
  name: string;
  value: string;
  purpose: string;
}

/** What the admin shows; secrets only as whether they are set. */
export interface EmailSettingsView {
  transport: {
    kind: 'smtp' | 'postmark' | null;
    source: SettingSource;
    smtp: {
      host: string;
      port: number;
      security: SmtpSecurity;
      user: string;
      password_set: boolean;
      connections: number;
    } | null;
    postmark: { token_set: boolean } | null;
    /** The From address newsletters carry (PRESSROOM_MAIL_FROM). */
    from: string;
  };
  dkim: { domain: string; selector: string; key_set: boolean; source: SettingSource };
  /** Records to publish in DNS so that mail from this publication is trusted. */
  dns: DnsRecord[];
}

export interface EmailSettingsDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  config: {
    /** The environment's transport and key: they win over stored ones. */
    newsletter: NewsletterTransportConfig | undefined;
    dkim: DkimConfig | undefined;
    postmarkApiBase: string | undefined;
    from: string;
    publicUrl: string;
    bounceDomain: string;
    /** Set when the SMTP listener for bounces runs. */
    bouncePort: number | undefined;
    secret: string;
  };
}

/** How to build a transport: compared as JSON to know when settings changed. */
type TransportSpec =
  | { kind: 'smtp'; connection: SmtpConnection; connections: number; dkim: DkimSigning | undefined }
  | { kind: 'postmark'; serverToken: string; baseUrl: string | undefined };

const generateKeyPairAsync = promisify(generateKeyPair);

/** A retired transport is closed this long after being replaced, once its sends are done. */
const RETIRE_AFTER_MS = 60_000;

/**
 * The newsletter transport and DKIM key: from the environment where it sets them (read-only
 * here), else as staff stored them in the admin. Stored settings are read at each use, so a
 * change made through any process applies to every worker at its next chunk.
 */
export class EmailSettingsService implements TransportSource {
  private active: { key: string; transport: EmailTransport } | undefined;
  private readonly retiring = new Set<EmailTransport>();

  constructor(private readonly deps: EmailSettingsDeps) {}

  async current(): Promise<EmailTransport | undefined> {
    const spec = await this.spec();
    if (!spec) return undefined;
    const key = JSON.stringify(spec);
    if (this.active?.key === key) return this.active.transport;
    if (this.active) this.retire(this.active.transport);
    const transport = buildTransport(spec);
    this.active = { key, transport };
    return transport;
  }

  async view(): Promise<EmailSettingsView> {
    const stored = await repo.readEmailSettings(this.deps.db);
    const transport = this.transportView(stored.get(TRANSPORT) as StoredTransport | undefined);
    const dkim = this.dkimOf(stored);
    return {
      transport,
      dkim: dkim
        ? {
            domain: dkim.domainName,
            selector: dkim.keySelector,
            key_set: true,
            source: dkim.source,
          }
        : { domain: '', selector: '', key_set: false, source: null },
      dns: this.dnsRecords(transport, dkim),
    };
  }

  async saveTransport(input: TransportPut): Promise<EmailSettingsView> {
    if (this.deps.config.newsletter) {
      throw conflict(
        'The newsletter transport is set by the environment (SMTP_URL or POSTMARK_SERVER_TOKEN); change it there, or set PRESSROOM_NEWSLETTER_TRANSPORT=settings',
        'kind',
      );
    }
    const stored = await repo.readEmailSettings(this.deps.db);
    const previous = stored.get(TRANSPORT) as StoredTransport | undefined;
    let next: StoredTransport | null;
    if (input.kind === 'smtp') {
      const { password, ...rest } = input.smtp;
      const kept = previous?.kind === 'smtp' ? previous.smtp.password : '';
      next = { kind: 'smtp', smtp: { ...rest, password: password ?? kept } };
    } else if (input.kind === 'postmark') {
      const kept = previous?.kind === 'postmark' ? previous.postmark.server_token : undefined;
      const token = input.postmark.server_token ?? kept;
      if (!token) throw badRequest('is required', 'postmark.server_token');
      next = { kind: 'postmark', postmark: { server_token: token } };
    } else {
      next = null;
    }
    await repo.writeEmailSetting(this.deps.db, TRANSPORT, next, this.nowIso());
    this.deps.logger.info({ kind: input.kind }, 'newsletter transport changed');
    return this.view();
  }

  /** Makes a 2048-bit RSA key (the size every receiver checks) and keeps it. */
  async generateDkim(input: { domain: string; selector: string }): Promise<EmailSettingsView> {
    this.refuseIfDkimFromEnv();
    const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    return this.storeDkim({ ...input, private_key: pem });
  }

  async saveDkim(input: StoredDkim): Promise<EmailSettingsView> {
    this.refuseIfDkimFromEnv();
    const pem = input.private_key.replace(/\\n/g, '\n').trim();
    let type: string | undefined;
    try {
      type = createPrivateKey(pem).asymmetricKeyType;
    } catch {
      throw badRequest('must be a PEM private key (-----BEGIN PRIVATE KEY-----)', 'private_key');
    }
    if (type !== 'rsa' && type !== 'ed25519') {
      throw badRequest('must be an RSA or Ed25519 key', 'private_key');
    }
    return this.storeDkim({ ...input, private_key: pem });
  }

  async deleteDkim(): Promise<EmailSettingsView> {
    this.refuseIfDkimFromEnv();
    await repo.writeEmailSetting(this.deps.db, DKIM, null, this.nowIso());
    return this.view();
  }

  /**
   * A short message through the transport of the moment to any address. What the server or
   * API said is the answer, not an error: a wrong password is what staff are testing for.
   */
  async sendTest(to: string): Promise<{ ok: true } | { ok: false; error: string }> {
    const transport = await this.current();
    if (!transport) return { ok: false, error: 'No newsletter transport is configured' };
    const { config } = this.deps;
    const host = new URL(config.publicUrl).hostname;
    const text = `This is a test from Pressroom at ${config.publicUrl}: newsletters to your readers will go out the way this message did.`;
    try {
      const [result] = await transport.send([
        {
          to,
          from: config.from,
          subject: 'Pressroom test email',
          text,
          html: `<p>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`,
          headers: {},
          ...testEnvelope({ bounceDomain: config.bounceDomain, secret: config.secret, host }),
        },
      ]);
      if (!result) return { ok: false, error: 'The transport gave no answer' };
      return result.ok ? { ok: true } : { ok: false, error: result.message };
    } catch (error) {
      if (error instanceof TransportError) return { ok: false, error: error.message };
      throw error;
    }
  }

  async close(): Promise<void> {
    const all = [...this.retiring, ...(this.active ? [this.active.transport] : [])];
    this.active = undefined;
    this.retiring.clear();
    await Promise.all(all.map((t) => t.close().catch(() => undefined)));
  }

  private async spec(): Promise<TransportSpec | undefined> {
    const env = this.deps.config.newsletter;
    if (env?.kind === 'postmark') {
      return { kind: 'postmark', serverToken: env.serverToken, baseUrl: env.baseUrl };
    }
    const stored = await repo.readEmailSettings(this.deps.db);
    const dkim = this.dkimOf(stored);
    const signing = dkim && {
      domainName: dkim.domainName,
      keySelector: dkim.keySelector,
      privateKey: dkim.privateKey,
    };
    if (env?.kind === 'smtp') {
      return {
        kind: 'smtp',
        connection: { url: env.url },
        connections: env.connections,
        dkim: signing,
      };
    }
    const t = stored.get(TRANSPORT) as StoredTransport | undefined;
    if (t?.kind === 'postmark') {
      return {
        kind: 'postmark',
        serverToken: t.postmark.server_token,
        baseUrl: this.deps.config.postmarkApiBase,
      };
    }
    if (t?.kind === 'smtp') {
      const s = t.smtp;
      return {
        kind: 'smtp',
        connection: {
          host: s.host,
          port: s.port,
          secure: s.security === 'tls',
          ...(s.security === 'starttls' ? { requireTLS: true } : {}),
          ...(s.security === 'none' ? { ignoreTLS: true } : {}),
          ...(s.user ? { auth: { user: s.user, pass: s.password } } : {}),
        },
        connections: s.connections,
        dkim: signing,
      };
    }
    return undefined;
  }

  private transportView(stored: StoredTransport | undefined): EmailSettingsView['transport'] {
    const env = this.deps.config.newsletter;
    const from = this.deps.config.from;
    if (env?.kind === 'postmark') {
      return { kind: 'postmark', source: 'env', smtp: null, postmark: { token_set: true }, from };
    }
    if (env?.kind === 'smtp') {
      const url = new URL(env.url);
      return {
        kind: 'smtp',
        source: 'env',
        smtp: {
          host: url.hostname,
          port: Number(url.port) || (url.protocol === 'smtps:' ? 465 : 587),
          security: url.protocol === 'smtps:' ? 'tls' : 'starttls',
          user: decodeURIComponent(url.username),
          password_set: url.password !== '',
          connections: env.connections,
        },
        postmark: null,
        from,
      };
    }
    if (stored?.kind === 'smtp') {
      const { password, ...smtp } = stored.smtp;
      return {
        kind: 'smtp',
        source: 'settings',
        smtp: { ...smtp, password_set: password !== '' },
        postmark: null,
        from,
      };
    }
    if (stored?.kind === 'postmark') {
      return {
        kind: 'postmark',
        source: 'settings',
        smtp: null,
        postmark: { token_set: true },
        from,
      };
    }
    return { kind: null, source: null, smtp: null, postmark: null, from };
  }

  private dkimOf(
    stored: Map<string, unknown>,
  ): (DkimConfig & { source: SettingSource }) | undefined {
    const env = this.deps.config.dkim;
    if (env) return { ...env, source: 'env' };
    const d = stored.get(DKIM) as StoredDkim | undefined;
    return (
      d && {
        domainName: d.domain,
        keySelector: d.selector,
        privateKey: d.private_key,
        source: 'settings',
      }
    );
  }

  private dnsRecords(
    transport: EmailSettingsView['transport'],
    dkim: DkimConfig | undefined,
  ): DnsRecord[] {
    const { config } = this.deps;
    const records: DnsRecord[] = [];
    if (dkim) {
      records.push({
        type: 'TXT',
        name: `${dkim.keySelector}._domainkey.${dkim.domainName}`,
        value: dkimRecord(dkim.privateKey),
        purpose:
          'DKIM: lets receivers check that newsletters signed by Pressroom are really from you',
      });
    }
    if (transport.kind === 'smtp' && transport.smtp) {
      records.push({
        type: 'TXT',
        name: config.bounceDomain,
        value: `v=spf1 a:${transport.smtp.host} ~all`,
        purpose:
          'SPF for the bounce address newsletters are sent from: allows your SMTP server to use it (if your provider documents an include: for SPF, use theirs)',
      });
    }
    const fromDomain = /@([^>\s]+)>?\s*$/.exec(transport.from)?.[1]?.toLowerCase();
    if (fromDomain) {
      records.push({
        type: 'TXT',
        name: `_dmarc.${fromDomain}`,
        value: 'v=DMARC1; p=none',
        purpose:
          'DMARC: tells receivers your domain signs its mail; start with p=none, then tighten once reports look right',
      });
    }
    if (config.bouncePort !== undefined) {
      records.push({
        type: 'MX',
        name: config.bounceDomain,
        value: `10 ${new URL(config.publicUrl).hostname}`,
        purpose: `Bounces: delivery reports come back to Pressroom's listener (port ${config.bouncePort}, reachable on port 25)`,
      });
    }
    return records;
  }

  private async storeDkim(input: StoredDkim): Promise<EmailSettingsView> {
    await repo.writeEmailSetting(this.deps.db, DKIM, input, this.nowIso());
    this.deps.logger.info({ domain: input.domain, selector: input.selector }, 'DKIM key stored');
    return this.view();
  }

  private refuseIfDkimFromEnv(): void {
    if (this.deps.config.dkim) {
      throw conflict(
        'The DKIM key is set by the environment (PRESSROOM_DKIM_*); change it there',
        'domain',
      );
    }
  }

  private retire(transport: EmailTransport): void {
    // Sends in flight on the old transport finish on it; new chunks take the new one.
    this.retiring.add(transport);
    setTimeout(() => {
      if (!this.retiring.delete(transport)) return;
      transport.close().catch((error: unknown) => {
        this.deps.logger.warn({ err: error }, 'closing a replaced transport failed');
      });
    }, RETIRE_AFTER_MS).unref();
  }

  private nowIso(): string {
    return this.deps.clock.now().toISOString();
  }
}

function buildTransport(spec: TransportSpec): EmailTransport {
  if (spec.kind === 'postmark') {
    return createPostmarkTransport({
      serverToken: spec.serverToken,
      ...(spec.baseUrl ? { baseUrl: spec.baseUrl } : {}),
    });
  }
  return createSmtpTransport({
    connection: spec.connection,
    concurrency: spec.connections,
    ...(spec.dkim ? { dkim: spec.dkim } : {}),
  });
}

/** The DKIM TXT record for a private key: its public half, base64, as RFC 6376 §3.6.1 says. */
export function dkimRecord(privatePem: string): string {
  const publicKey = createPublicKey(createPrivateKey(privatePem));
  const der = publicKey.export({ type: 'spki', format: 'der' });
  if (publicKey.asymmetricKeyType === 'ed25519') {
    // RFC 8463: the bare 32-byte key, not the SPKI structure around it.
    return `v=DKIM1; k=ed25519; p=${der.subarray(der.length - 32).toString('base64')}`;
  }
  return `v=DKIM1; k=rsa; p=${der.toString('base64')}`;
}
