import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * Configuration comes from the environment only, is validated once at start, and is frozen.
 * A wrong value stops the process with one line that names the variable to fix.
 */
const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number between ${min} and ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be a whole number between ${min} and ${max}`);

const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  NODE_ENV: z.enum(['production', 'development', 'test']).default('production'),
  // 0 asks the system for any free port (tests, benchmarks).
  PORT: integer(0, 65535).default(3000),
  HOST: z.string().trim().min(1, 'must not be empty').default('127.0.0.1'),
  PRESSROOM_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' })
    .optional(),
  PRESSROOM_DATA_DIR: z.string().trim().min(1, 'must not be empty').default('./data'),
  DATABASE_URL: z
    .string()
    .trim()
    .refine(
      (v) => /^postgres(ql)?:\/\//.test(v) || v.startsWith('sqlite:'),
      'must start with postgres:// (PostgreSQL) or sqlite: (a SQLite file path)',
    )
    .optional(),
  DATABASE_POOL_SIZE: integer(1, 200).default(10),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  PRESSROOM_BODY_LIMIT_KB: integer(1, 1_048_576).default(2048),
  PRESSROOM_IMAGE_LIMIT_MB: integer(1, 200).default(20),
  PRESSROOM_WORKER_CONCURRENCY: integer(1, 64).default(4),
  /**
   * How long a worker holds a job before another may take it; renewed a third of the way
   * through. After a worker dies, its jobs wait this long, so keep it short.
   */
  PRESSROOM_JOB_LEASE_SECONDS: integer(2, 86_400).default(60),
  PRESSROOM_TRUST_PROXY: boolean.default(false),
  PRESSROOM_PAGE_CACHE: boolean.default(true),
  PRESSROOM_DEMO_CONTENT: boolean.default(true),
  SMTP_URL: z
    .string()
    .trim()
    .refine(
      (v) => /^smtps?:\/\/[^/]/.test(v),
      'must look like smtp://user:pass@host:587 or smtps://host:465',
    )
    .optional(),
  PRESSROOM_MAIL_FROM: z
    .string()
    .trim()
    .min(3, 'must be an address like "News <news@example.com>"')
    .optional(),
  PRESSROOM_BOUNCE_PORT: integer(1, 65535).optional(),
  PRESSROOM_BOUNCE_DOMAIN: z
    .string()
    .trim()
    .toLowerCase()
    .regex(
      /^[a-z0-9-]+(\.[a-z0-9-]+)+$/,
      'must be a domain name with a dot, like bounces.example.com',
    )
    .optional(),
  PRESSROOM_INBOUND_SECRET: z.string().min(24, 'must be at least 24 characters').optional(),
  PRESSROOM_NEWSLETTER_TRANSPORT: z
    // `settings`: newsletters go by what staff set in the admin, even where SMTP_URL is set
    // for sign-in links and receipts.
    .enum(['smtp', 'postmark', 'settings'], { message: 'must be smtp, postmark or settings' })
    .optional(),
  PRESSROOM_SMTP_CONNECTIONS: integer(1, 50).default(5),
  /** Newsletter messages per second, all workers together; unset: as fast as the transport. */
  PRESSROOM_SEND_RATE: z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'must be a number of messages per second, like 10 or 0.5')
    .transform(Number)
    .refine((n) => n > 0 && n <= 100_000, 'must be more than 0 and at most 100000')
    .optional(),
  PRESSROOM_DKIM_DOMAIN: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'must be a domain name with a dot, like example.com')
    .optional(),
  PRESSROOM_DKIM_SELECTOR: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/, 'must be a DNS label, like mail2025')
    .optional(),
  PRESSROOM_DKIM_PRIVATE_KEY: z.string().optional(),
  PRESSROOM_DKIM_PRIVATE_KEY_FILE: z.string().trim().optional(),
  POSTMARK_SERVER_TOKEN: z.string().trim().min(1, 'must not be empty').optional(),
  POSTMARK_API_BASE: z
    .url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' })
    .refine(
      (v) => v.startsWith('https://') || ['127.0.0.1', 'localhost'].includes(new URL(v).hostname),
      'must be https://, or http:// to 127.0.0.1 or localhost (a test stand-in)',
    )
    .optional(),
});

/** Never echoed back in an error message: they would end up in logs. */
const SECRET_VARIABLES = new Set([
  'PRESSROOM_INBOUND_SECRET',
  'PRESSROOM_DKIM_PRIVATE_KEY',
  'POSTMARK_SERVER_TOKEN',
]);

export type DatabaseConfig =
  { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; url: string; poolSize: number };

export interface DkimConfig {
  readonly domainName: string;
  readonly keySelector: string;
  /** PEM. */
  readonly privateKey: string;
}

/** Where newsletter sends go out; the mailer for sign-in links and receipts is separate. */
export type NewsletterTransportConfig =
  | {
      readonly kind: 'smtp';
      readonly url: string;
      /** SMTP connections kept open at once. */
      readonly connections: number;
      /** Unset: the relay signs, or nobody does. */
      readonly dkim: DkimConfig | undefined;
    }
  | {
      readonly kind: 'postmark';
      readonly serverToken: string;
      readonly baseUrl: string | undefined;
    };

export interface Config {
  readonly env: 'production' | 'development' | 'test';
  readonly port: number;
  readonly host: string;
  /** Public base URL without a trailing slash, e.g. https://example.com */
  readonly publicUrl: string;
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  readonly logLevel: string;
  readonly bodyLimitBytes: number;
  readonly workerConcurrency: number;
  readonly jobLeaseMs: number;
  /** Largest image upload accepted. */
  readonly imageLimitBytes: number;
  readonly trustProxy: boolean;
  readonly pageCache: boolean;
  readonly demoContent: boolean;
  readonly mail: {
    readonly smtpUrl: string | undefined;
    readonly from: string;
    readonly outboxDir: string;
    /** Port of the SMTP listener for bounces; unset: no listener. */
    readonly bouncePort: number | undefined;
    /** Domain of the VERP Return-Path addresses bounces come back to. */
    readonly bounceDomain: string;
    /** Shared secret of the HTTP bounce and provider-webhook endpoints; unset: they answer 401. */
    readonly inboundSecret: string | undefined;
    /**
     * The environment's newsletter transport; unset when neither SMTP_URL nor
     * POSTMARK_SERVER_TOKEN is (or PRESSROOM_NEWSLETTER_TRANSPORT is `settings`): then the
     * one staff set in the admin, if any, carries newsletters.
     */
    readonly newsletter: NewsletterTransportConfig | undefined;
    /** The environment's DKIM key; when unset, one stored in the admin may sign. */
    readonly dkim: DkimConfig | undefined;
    /** Postmark's API base URL (a local fake in tests); unset: Postmark's own. */
    readonly postmarkApiBase: string | undefined;
    /** Newsletter messages per second across every worker; unset: no limit. */
    readonly sendRate: number | undefined;
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset", as in most shells' `FOO= cmd`.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    const got = SECRET_VARIABLES.has(name) ? undefined : present[name];
    throw new ConfigError(
      `Invalid configuration: ${name} ${issue?.message ?? 'is invalid'}${got === undefined ? '' : ` (got "${got}")`}`,
    );
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.PRESSROOM_DATA_DIR);
  const url = e.DATABASE_URL;
  const database: DatabaseConfig =
    url === undefined
      ? { dialect: 'sqlite', file: path.join(dataDir, 'pressroom.db') }
      : url.startsWith('sqlite:')
        ? { dialect: 'sqlite', file: path.resolve(url.slice('sqlite:'.length)) }
        : { dialect: 'postgres', url, poolSize: e.DATABASE_POOL_SIZE };
  const publicUrl = (
    e.PRESSROOM_URL ?? `http://${e.HOST === '0.0.0.0' ? 'localhost' : e.HOST}:${e.PORT}`
  ).replace(/\/+$/, '');
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    dataDir,
    database: Object.freeze(database),
    logLevel: e.LOG_LEVEL,
    bodyLimitBytes: e.PRESSROOM_BODY_LIMIT_KB * 1024,
    imageLimitBytes: e.PRESSROOM_IMAGE_LIMIT_MB * 1024 * 1024,
    workerConcurrency: e.PRESSROOM_WORKER_CONCURRENCY,
    jobLeaseMs: e.PRESSROOM_JOB_LEASE_SECONDS * 1000,
    trustProxy: e.PRESSROOM_TRUST_PROXY,
    pageCache: e.PRESSROOM_PAGE_CACHE,
    demoContent: e.PRESSROOM_DEMO_CONTENT,
    mail: Object.freeze({
      smtpUrl: e.SMTP_URL,
      from: e.PRESSROOM_MAIL_FROM ?? `Pressroom <noreply@${new URL(publicUrl).hostname}>`,
      outboxDir: path.join(dataDir, 'outbox'),
      bouncePort: e.PRESSROOM_BOUNCE_PORT,
      bounceDomain: e.PRESSROOM_BOUNCE_DOMAIN ?? bounceDomainOf(publicUrl),
      inboundSecret: e.PRESSROOM_INBOUND_SECRET,
      newsletter: newsletterTransportOf(e),
      dkim: dkimOf(e),
      postmarkApiBase: e.POSTMARK_API_BASE?.replace(/\/+$/, ''),
      sendRate: e.PRESSROOM_SEND_RATE,
    }),
  });
}

type Env = z.output<typeof envSchema>;

/**
 * Postmark when it has a token, else SMTP when there is a server, unless
 * PRESSROOM_NEWSLETTER_TRANSPORT picks one; the one picked must have what it needs.
 */
function newsletterTransportOf(e: Env): NewsletterTransportConfig | undefined {
  const dkim = dkimOf(e);
  const kind =
    e.PRESSROOM_NEWSLETTER_TRANSPORT ??
    (e.POSTMARK_SERVER_TOKEN ? 'postmark' : e.SMTP_URL ? 'smtp' : undefined);
  if (kind === 'settings') return undefined;
  if (kind === 'postmark') {
    if (!e.POSTMARK_SERVER_TOKEN) {
      throw new ConfigError(
        'Invalid configuration: PRESSROOM_NEWSLETTER_TRANSPORT is postmark, so set POSTMARK_SERVER_TOKEN',
      );
    }
    return Object.freeze({
      kind,
      serverToken: e.POSTMARK_SERVER_TOKEN,
      baseUrl: e.POSTMARK_API_BASE?.replace(/\/+$/, ''),
    });
  }
  if (kind === 'smtp') {
    if (!e.SMTP_URL) {
      throw new ConfigError(
        'Invalid configuration: PRESSROOM_NEWSLETTER_TRANSPORT is smtp, so set SMTP_URL',
      );
    }
    return Object.freeze({
      kind,
      url: e.SMTP_URL,
      connections: e.PRESSROOM_SMTP_CONNECTIONS,
      dkim,
    });
  }
  return undefined;
}

/** All three DKIM settings or none; the key, inline or from a file, must be a private key. */
function dkimOf(e: Env): DkimConfig | undefined {
  if (e.PRESSROOM_DKIM_PRIVATE_KEY && e.PRESSROOM_DKIM_PRIVATE_KEY_FILE) {
    throw new ConfigError(
      'Invalid configuration: set PRESSROOM_DKIM_PRIVATE_KEY or PRESSROOM_DKIM_PRIVATE_KEY_FILE, not both',
    );
  }
  let privateKey = e.PRESSROOM_DKIM_PRIVATE_KEY;
  let keyVariable = 'PRESSROOM_DKIM_PRIVATE_KEY';
  if (e.PRESSROOM_DKIM_PRIVATE_KEY_FILE) {
    keyVariable = 'PRESSROOM_DKIM_PRIVATE_KEY_FILE';
    try {
      privateKey = readFileSync(e.PRESSROOM_DKIM_PRIVATE_KEY_FILE, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ConfigError(
        `Invalid configuration: PRESSROOM_DKIM_PRIVATE_KEY_FILE cannot be read (${code}) (got "${e.PRESSROOM_DKIM_PRIVATE_KEY_FILE}")`,
      );
    }
  }
  const given = {
    PRESSROOM_DKIM_DOMAIN: e.PRESSROOM_DKIM_DOMAIN,
    PRESSROOM_DKIM_SELECTOR: e.PRESSROOM_DKIM_SELECTOR,
    [keyVariable]: privateKey,
  };
  const missing = Object.keys(given).filter((k) => !given[k]);
  if (missing.length === 3) return undefined;
  if (missing.length > 0) {
    throw new ConfigError(
      `Invalid configuration: DKIM signing needs PRESSROOM_DKIM_DOMAIN, PRESSROOM_DKIM_SELECTOR and PRESSROOM_DKIM_PRIVATE_KEY (or _FILE); ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing`,
    );
  }
  // A key pasted into a single-line variable often arrives with literal "\n"s.
  const pem = privateKey!.replace(/\\n/g, '\n').trim();
  try {
    createPrivateKey(pem);
  } catch {
    throw new ConfigError(
      `Invalid configuration: ${keyVariable} must hold a PEM private key (-----BEGIN PRIVATE KEY-----)`,
    );
  }
  return Object.freeze({
    domainName: e.PRESSROOM_DKIM_DOMAIN!,
    keySelector: e.PRESSROOM_DKIM_SELECTOR!,
    privateKey: pem,
  });
}

/** VERP addresses need a real domain; a local development URL gets a placeholder one. */
function bounceDomainOf(publicUrl: string): string {
  const host = new URL(publicUrl).hostname;
  return host.includes('.') && !/^[\d.]+$/.test(host) ? host : 'bounces.invalid';
}
